import { JobTracker } from '../../src/workflows/job-tracker';
import { DEFAULT_POLICY, type ResolvedPolicy } from '../../src/shared/recovery-policy';
import type { JobSnapshot } from '../../src/shared/batch-types';

const T0 = Date.parse('2026-11-25T00:00:00Z');
const MIN = 60_000;
const policy = (over: Partial<ResolvedPolicy> = {}): ResolvedPolicy => ({
  ...DEFAULT_POLICY,
  backoff: { ...DEFAULT_POLICY.backoff, jitter: 0 },
  ...over,
});
const snap = (jobId: string, state: JobSnapshot['state'], endTime?: string): JobSnapshot => ({
  jobId,
  state,
  endTime,
  observedAt: new Date(T0).toISOString(),
});
const half = () => 0.5;

describe('JobTracker', () => {
  it('finishes a job that succeeds first without retrying it', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa']);
    const r = t.observe([snap('job-aaaaaaaa', 'RUNNING')], T0);
    expect(r).toEqual({ failed: [], escalate: [] });
    t.observe([snap('job-aaaaaaaa', 'SUCCEED', 'e1')], T0 + MIN);
    expect(t.get('job-aaaaaaaa')).toMatchObject({ phase: 'DONE', outcome: 'SUCCEEDED', retries: 0 });
    expect(t.overall()).toBe('SUCCEEDED');
  });

  it('schedules a retry after the backoff, then counts it when it is sent', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa']);
    expect(t.observe([snap('job-aaaaaaaa', 'FAILED', 'e1')], T0).failed).toEqual(['job-aaaaaaaa']);
    expect(t.decideFailure('job-aaaaaaaa', T0, half)).toBeUndefined();
    expect(t.retriesToHandOver(T0 + 29_999, new Set())).toEqual([]);
    expect(t.retriesToHandOver(T0 + 30_000, new Set())).toEqual([
      {
        jobId: 'job-aaaaaaaa',
        endTime: 'e1',
        firstHandOverReadAt: new Date(T0).toISOString(),
        notBeforeMs: T0 + 30_000,
      },
    ]);
    // Handed over already: neither handed over again nor a reason to wake.
    expect(t.retriesToHandOver(T0 + 30_000, new Set(['job-aaaaaaaa']))).toEqual([]);
    expect(t.nextWakeAtMs(new Set(), 60_000)).toBe(T0 + 30_000 - 60_000);
    expect(t.nextWakeAtMs(new Set(['job-aaaaaaaa']), 60_000)).toBeGreaterThan(T0 + 30_000);
    t.applyRetryOutcomes([{ jobId: 'job-aaaaaaaa', outcome: 'RETRIED', requestId: 'r1' }], T0 + 30_000);
    expect(t.get('job-aaaaaaaa')).toMatchObject({ phase: 'WATCHING', retries: 1, retriesLeft: 2 });
    expect(t.pollTargets()).toEqual([{ jobId: 'job-aaaaaaaa', state: 'FAILED', endTime: 'e1' }]);
  });

  it('counts the backoff from the failure, not from when it was read', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc']);
    t.observe(
      [
        snap('job-aaaaaaaa', 'FAILED', at(T0 - 20_000)),
        snap('job-bbbbbbbb', 'FAILED', at(T0 - 45_000)),
        // An EndTime ahead of the workflow's clock waits no more than a whole backoff.
        snap('job-cccccccc', 'FAILED', at(T0 + 5_000)),
      ],
      T0,
    );
    for (const id of ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc']) t.decideFailure(id, T0, half);
    expect(t.get('job-aaaaaaaa')?.nextRetryAt).toBe(at(T0 + 10_000));
    expect(t.get('job-bbbbbbbb')?.nextRetryAt).toBe(at(T0));
    expect(t.get('job-cccccccc')?.nextRetryAt).toBe(at(T0 + 30_000));
  });

  it('escalates once the retry budget is spent', () => {
    const t = new JobTracker(policy({ maxRetriesPerJob: 1 }), T0, ['job-aaaaaaaa']);
    t.observe([snap('job-aaaaaaaa', 'FAILED', 'e1')], T0);
    t.decideFailure('job-aaaaaaaa', T0, half);
    t.applyRetryOutcomes([{ jobId: 'job-aaaaaaaa', outcome: 'RETRIED', requestId: 'r1' }], T0);
    t.observe([snap('job-aaaaaaaa', 'FAILED', 'e2')], T0 + MIN);
    expect(t.decideFailure('job-aaaaaaaa', T0 + MIN, half)).toMatchObject({
      reason: 'RETRY_BUDGET_EXHAUSTED',
    });
  });

  it('escalates when a rule says so, and on the same failure repeating', () => {
    const rules = policy({ retryRules: [{ onExitCode: '2', action: 'ESCALATE' }], repeatedFailureLimit: 2 });
    const t = new JobTracker(rules, T0, ['job-aaaaaaaa', 'job-bbbbbbbb']);
    const details = (code: number) => [
      { taskName: 't', state: 'FAILED', failedInstances: [{ taskInstanceIndex: 0, exitCode: code }] },
    ];
    t.observe([snap('job-aaaaaaaa', 'FAILED', 'e1'), snap('job-bbbbbbbb', 'FAILED', 'e1')], T0);
    t.addDetails([
      { ...snap('job-aaaaaaaa', 'FAILED', 'e1'), failedTasks: details(2) },
      { ...snap('job-bbbbbbbb', 'FAILED', 'e1'), failedTasks: details(137) },
    ]);
    expect(t.decideFailure('job-aaaaaaaa', T0, half)).toMatchObject({ reason: 'RULE' });
    expect(t.decideFailure('job-bbbbbbbb', T0, half)).toBeUndefined();
    t.applyRetryOutcomes([{ jobId: 'job-bbbbbbbb', outcome: 'RETRIED', requestId: 'r' }], T0);
    t.observe([snap('job-bbbbbbbb', 'FAILED', 'e2')], T0 + MIN);
    t.addDetails([{ ...snap('job-bbbbbbbb', 'FAILED', 'e2'), failedTasks: details(137) }]);
    expect(t.decideFailure('job-bbbbbbbb', T0 + MIN, half)).toMatchObject({ reason: 'REPEATED_FAILURE' });
  });

  it('escalates FAILED_INTERRUPTED at once by default', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa']);
    expect(t.observe([snap('job-aaaaaaaa', 'FAILED_INTERRUPTED', 'e1')], T0).escalate).toEqual([
      expect.objectContaining({ jobId: 'job-aaaaaaaa', reason: 'FAILED_INTERRUPTED' }),
    ]);
  });

  it('waits through FAILED_INTERRUPTED when told to, and retries once the job becomes FAILED', () => {
    const t = new JobTracker(policy({ onFailedInterrupted: 'WAIT' }), T0, ['job-aaaaaaaa']);
    expect(t.observe([snap('job-aaaaaaaa', 'FAILED_INTERRUPTED', 'e1')], T0)).toEqual({
      failed: [],
      escalate: [],
    });
    expect(t.observe([snap('job-aaaaaaaa', 'FAILED', 'e1')], T0 + MIN).failed).toEqual(['job-aaaaaaaa']);
  });

  it('escalates stuck jobs, then jobs past the deadline, and ends undecided escalations as ESCALATED', () => {
    const t = new JobTracker(
      policy({ stuckTimeoutMs: 10 * MIN, deadlineMs: 60 * MIN, decisionTimeoutMs: 5 * MIN }),
      T0,
      ['job-aaaaaaaa', 'job-bbbbbbbb'],
    );
    t.observe([snap('job-aaaaaaaa', 'RUNNING'), snap('job-bbbbbbbb', 'RUNNING')], T0);
    t.observe([snap('job-bbbbbbbb', 'STARTING')], T0 + 9 * MIN);
    expect(t.nextWakeAtMs(new Set(), 60_000)).toBe(T0 + 10 * MIN);
    const stuck = t.expire(T0 + 10 * MIN);
    expect(stuck).toEqual([expect.objectContaining({ jobId: 'job-aaaaaaaa', reason: 'STUCK' })]);
    t.escalate(stuck, T0 + 10 * MIN);
    t.expire(T0 + 15 * MIN);
    expect(t.get('job-aaaaaaaa')).toMatchObject({ phase: 'DONE', outcome: 'ESCALATED' });
    t.observe([snap('job-bbbbbbbb', 'RUNNING')], T0 + 55 * MIN);
    expect(t.expire(T0 + 60 * MIN)).toEqual([
      expect.objectContaining({ jobId: 'job-bbbbbbbb', reason: 'DEADLINE' }),
    ]);
  });

  it('hands a failure over as a first hand-over once, even when it is read again, and a new failure anew', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa', 'job-bbbbbbbb']);
    const read = (jobId: string, endTime: string | undefined, atMs: number) => {
      t.observe([{ ...snap(jobId, 'FAILED', endTime), observedAt: new Date(atMs).toISOString() }], atMs);
      t.decideFailure(jobId, atMs, half);
    };
    read('job-aaaaaaaa', 'e1', T0);
    read('job-bbbbbbbb', undefined, T0);
    const firstReads = () =>
      t.retriesToHandOver(T0 + 10 * MIN, new Set()).map((f) => [f.jobId, f.firstHandOverReadAt]);
    // Without an EndTime a failure is never a first hand-over: it cannot be told from the next one.
    expect(firstReads()).toEqual([
      ['job-aaaaaaaa', new Date(T0).toISOString()],
      ['job-bbbbbbbb', undefined],
    ]);
    t.markHandedOver(['job-aaaaaaaa']);
    // Read again in the same failure (its call's answer lost, say): still not a first hand-over.
    read('job-aaaaaaaa', 'e1', T0 + MIN);
    expect(firstReads()).toEqual([
      ['job-aaaaaaaa', undefined],
      ['job-bbbbbbbb', undefined],
    ]);
    // A new failure is.
    read('job-aaaaaaaa', 'e2', T0 + 2 * MIN);
    expect(firstReads()[0]).toEqual(['job-aaaaaaaa', new Date(T0 + 2 * MIN).toISOString()]);
  });

  it('applies operator decisions and rejects decisions for jobs not awaiting one', () => {
    const t = new JobTracker(policy({ maxRetriesPerJob: 0 }), T0, ['job-aaaaaaaa', 'job-bbbbbbbb']);
    t.observe([snap('job-aaaaaaaa', 'FAILED', 'e1'), snap('job-bbbbbbbb', 'FAILED', 'e1')], T0);
    t.escalate(
      ['job-aaaaaaaa', 'job-bbbbbbbb']
        .map((id) => t.decideFailure(id, T0, half))
        .filter((x) => x !== undefined),
      T0,
    );
    expect(t.overall()).toBe('AWAITING_DECISION');
    expect(() => t.validateDecision({ decision: 'RETRY', jobIds: ['job-cccccccc'] })).toThrow(
      /awaiting a decision/,
    );
    expect(() => t.validateDecision({ decision: 'MAYBE' as never })).toThrow(/RETRY, ABANDON or RESOLVE/);
    expect(
      t.applyDecision(
        { decision: 'RETRY', jobIds: ['job-aaaaaaaa'], extraRetries: 2, operator: 'ana' },
        T0 + MIN,
      ),
    ).toEqual(['job-aaaaaaaa']);
    expect(t.get('job-aaaaaaaa')).toMatchObject({ phase: 'WAITING_TO_RETRY', retriesLeft: 2 });
    expect(t.retriesToHandOver(T0 + MIN, new Set())).toEqual([
      expect.objectContaining({ jobId: 'job-aaaaaaaa', endTime: 'e1', notBeforeMs: T0 + MIN }),
    ]);
    t.applyDecision({ decision: 'ABANDON' }, T0 + MIN);
    expect(t.get('job-bbbbbbbb')).toMatchObject({ phase: 'DONE', outcome: 'ABANDONED' });
  });

  it('keeps the timeline bounded and counts what it dropped', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa']);
    for (let i = 0; i < 60; i++) t.observe([snap('job-aaaaaaaa', i % 2 ? 'RUNNING' : 'STARTING')], T0 + i);
    const job = t.get('job-aaaaaaaa');
    expect(job?.timeline).toHaveLength(50);
    expect(job?.timelineDropped).toBe(10);
  });

  it('moves a job’s last read with every read it takes in, and its last state change only with a change', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa']);
    const readAt = (state: JobSnapshot['state'], atMs: number, endTime?: string): JobSnapshot => ({
      ...snap('job-aaaaaaaa', state, endTime),
      observedAt: new Date(atMs).toISOString(),
    });
    expect(t.get('job-aaaaaaaa')?.lastReadAt).toBeUndefined();
    t.observe([readAt('RUNNING', T0 + 1_000)], T0 + 2_000);
    t.observe([readAt('RUNNING', T0 + 5 * MIN)], T0 + 5 * MIN);
    expect(t.get('job-aaaaaaaa')).toMatchObject({
      lastStateChangeAt: new Date(T0 + 2_000).toISOString(),
      lastReadAt: new Date(T0 + 5 * MIN).toISOString(),
    });
    // An older read arriving late does not move it back.
    t.observe([readAt('RUNNING', T0 + MIN)], T0 + 6 * MIN);
    expect(t.get('job-aaaaaaaa')?.lastReadAt).toBe(new Date(T0 + 5 * MIN).toISOString());
    // The workflow's own read of the failure's details counts; one of another state does not.
    t.observe([readAt('FAILED', T0 + 7 * MIN, 'e1')], T0 + 7 * MIN);
    t.addDetails([readAt('FAILED', T0 + 8 * MIN, 'e1')]);
    t.addDetails([readAt('FAILED', T0 + 9 * MIN, 'e2')]);
    expect(t.get('job-aaaaaaaa')?.lastReadAt).toBe(new Date(T0 + 8 * MIN).toISOString());
  });

  it('cancels open jobs and keeps their last known state', () => {
    const t = new JobTracker(policy(), T0, ['job-aaaaaaaa', 'job-bbbbbbbb']);
    t.observe([snap('job-aaaaaaaa', 'SUCCEED', 'e'), snap('job-bbbbbbbb', 'RUNNING')], T0);
    t.cancelAll(T0 + MIN);
    expect(t.all().map((j) => [j.outcome, j.lastKnownState])).toEqual([
      ['SUCCEEDED', 'SUCCEED'],
      ['CANCELLED', 'RUNNING'],
    ]);
    expect(t.overall()).toBe('CANCELLED');
  });
});
