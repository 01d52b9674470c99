import type { FailureRecord, JobStatus } from '../../src/shared/recovery-types';
import { boundedText, MAX_TEXT_CHARS } from '../../src/shared/bounded-text';
import {
  fitFailuresToBudget,
  fitJobsToBudget,
  PAYLOAD_BUDGET_CHARS,
} from '../../src/workflows/payload-budget';

const reason = 'container exited: OOMKilled while loading the shard; '.repeat(4);

function failure(instances: number): FailureRecord {
  return {
    endTime: '2026-11-25T00:00:03Z',
    state: 'FAILED',
    stateReason: 'Task failed',
    signature: 'main:1:oom',
    observedAt: '2026-11-25T00:00:04Z',
    failedTasks: [1, 2].map((t) => ({
      taskName: `task-${t}`,
      state: 'FAILED' as const,
      failedInstances: Array.from({ length: instances }, (_, i) => ({
        taskInstanceIndex: i,
        exitCode: 137,
        stateReason: reason,
      })),
    })),
  };
}

/** A job that failed three times: a dozen timeline entries and its last failure's 2 × 20 instances. */
function job(i: number): JobStatus {
  return {
    jobId: `job-${String(i).padStart(8, '0')}`,
    phase: 'DONE',
    outcome: 'SUCCEEDED',
    lastKnownState: 'SUCCEED',
    lastStateChangeAt: '2026-11-25T01:00:00Z',
    retries: 3,
    retriesLeft: 0,
    repeatedFailures: 2,
    lastFailure: failure(20),
    timeline: Array.from({ length: 13 }, (_, n) => ({
      at: '2026-11-25T00:00:00Z',
      event: 'STATE_CHANGED' as const,
      detail: `state FAILED (EndTime 2026-11-25T00:00:0${n % 10}Z), entry ${n}`,
    })),
    timelineDropped: 0,
  };
}

describe('fitJobsToBudget', () => {
  const jobs = Array.from({ length: 1_000 }, (_, i) => job(i));

  it('fits 1,000 jobs that failed three times (over 2 MB as they are) into the budget, keeping every decision', () => {
    expect(JSON.stringify(jobs).length).toBeGreaterThan(2_000_000);
    const fitted = fitJobsToBudget(jobs);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(PAYLOAD_BUDGET_CHARS);
    expect(fitted).toHaveLength(1_000);
    fitted.forEach((fit, i) => {
      const original = jobs[i] as JobStatus;
      const { timeline, timelineDropped, lastFailure, ...rest } = fit;
      const { timeline: t0, timelineDropped: d0, lastFailure: f0, ...rest0 } = original;
      expect(rest).toEqual(rest0);
      // What was dropped is counted, never silently lost.
      expect(timeline.length + timelineDropped).toBe(t0.length + d0);
      expect(timeline).toEqual(t0.slice(t0.length - timeline.length));
      const kept = (lastFailure?.failedTasks ?? []).reduce((n, t) => n + t.failedInstances.length, 0);
      expect(kept + (lastFailure?.failedInstancesOmitted ?? 0)).toBe(40);
      expect(lastFailure?.signature).toBe(f0?.signature);
      expect(lastFailure?.failedTasks).toBeDefined();
    });
  });

  it('leaves a payload that fits as it is, and never changes its input', () => {
    const few = jobs.slice(0, 10);
    const before = JSON.stringify(few);
    expect(fitJobsToBudget(few)).toEqual(few);
    fitJobsToBudget(jobs);
    expect(JSON.stringify(few)).toBe(before);
  });

  it('trims as little as needed: 200 such jobs keep their last 20 timeline entries and 5 instances per task', () => {
    const fitted = fitJobsToBudget(jobs.slice(0, 200));
    expect(fitted[0]?.timeline).toHaveLength(13);
    expect(fitted[0]?.lastFailure?.failedTasks?.[0]?.failedInstances).toHaveLength(5);
  });
});

describe('fitFailuresToBudget', () => {
  it("fits an escalation notice's failures for 1,000 jobs", () => {
    const failures = Array.from({ length: 1_000 }, () => failure(20));
    const fitted = fitFailuresToBudget(failures);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(PAYLOAD_BUDGET_CHARS);
    expect(fitted.every((f) => f?.signature === 'main:1:oom')).toBe(true);
  });
});

describe('boundedText', () => {
  it('cuts long text and says how long it was', () => {
    const long = 'x'.repeat(10_000);
    expect(boundedText(long).length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(boundedText(long)).toMatch(/\(10000 chars\)$/);
    expect(boundedText('short')).toBe('short');
    expect(boundedText(undefined)).toBeUndefined();
  });
});
