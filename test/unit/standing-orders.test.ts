/**
 * Standing orders: the owner's retries decided before the failure (JobTracker), carried out by the job watcher
 * when it reads the failure (WatchRegistry), and a failure handed over for the first time twice (the dispatcher's
 * queue). Pure pieces; the workflows' side is in test/workflows/standing-orders.test.ts.
 */
import type { JobSnapshot } from '../../src/shared/batch-types';
import { DEFAULT_POLICY, type ResolvedPolicy } from '../../src/shared/recovery-policy';
import type { RetryOrders } from '../../src/shared/watcher-types';
import { backoffDelayMs, retryJitter } from '../../src/workflows/failure-rules';
import { JobTracker } from '../../src/workflows/job-tracker';
import { RetryDispatchQueue } from '../../src/workflows/retry-dispatch-queue';
import { WatchRegistry } from '../../src/workflows/watch-registry';

const T0 = Date.parse('2026-11-30T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const snap = (jobId: string, state: JobSnapshot['state'], endTime?: string): JobSnapshot => ({
  jobId,
  state,
  endTime,
  observedAt: iso(T0),
});
const BACKOFF = { initialIntervalMs: 30_000, factor: 2, maxIntervalMs: 600_000, jitter: 0.2 };
const orders = (jobs: RetryOrders['jobs'], untilMs = T0 + 3_600_000): RetryOrders => ({
  retryTaskQueue: 'retry-q',
  backoff: BACKOFF,
  untilMs,
  jobs,
});

/** A registry whose owner `a` watches `job-a` (told RUNNING) with `o`. */
function registryWith(o: RetryOrders): WatchRegistry {
  const r = new WatchRegistry();
  r.register(
    { ownerWorkflowId: 'a', jobs: [{ jobId: 'job-a', state: 'RUNNING' }], pollIntervalMs: 1_000, orders: o },
    T0,
  );
  return r;
}

describe('retryJitter', () => {
  it('is the same for the same job and retry, and spreads across jobs', () => {
    expect(retryJitter('job-a', 0)()).toBe(retryJitter('job-a', 0)());
    const draws = Array.from({ length: 200 }, (_, i) => retryJitter(`job-${i}`, 0)());
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    expect(new Set(draws.map((d) => Math.floor(d * 10))).size).toBe(10);
    expect(retryJitter('job-a', 1)()).not.toBe(retryJitter('job-a', 0)());
  });
});

describe('WatchRegistry standing orders', () => {
  it('hands over a failure the owner has not seen, due at the end of the same backoff the owner computes', () => {
    const r = registryWith(orders({ 'job-a': [0, 3] }));
    const failedAt = T0 - 10_000;
    const news = r.changesFor([snap('job-a', 'FAILED', iso(failedAt))], T0).get('a');
    const delay = backoffDelayMs(BACKOFF, 0, retryJitter('job-a', 0));
    expect(news?.dueRetries).toEqual([
      {
        failure: { jobId: 'job-a', endTime: iso(failedAt), firstHandOverReadAt: iso(T0) },
        notBeforeMs: failedAt + delay,
        retryTaskQueue: 'retry-q',
      },
    ]);
    // The next failure takes the next order: retry number 2, with its own backoff.
    r.changesFor([snap('job-a', 'RUNNING')], T0 + 60_000);
    const next = r.changesFor([snap('job-a', 'FAILED', iso(T0 + 100_000))], T0 + 100_000).get('a');
    const delay2 = backoffDelayMs(BACKOFF, 1, retryJitter('job-a', 1));
    expect(next?.dueRetries[0]?.notBeforeMs).toBe(T0 + 100_000 + delay2);
    expect(r.toCarried()[0]?.orders?.jobs).toBe('job-a:2:1');
  });

  it('carries out no order once the retries are used up, after the deadline, or for a failure without EndTime', () => {
    const lastOne = registryWith(orders({ 'job-a': [2, 1] }));
    expect(lastOne.changesFor([snap('job-a', 'FAILED', 'e1')], T0).get('a')?.dueRetries).toHaveLength(1);
    lastOne.changesFor([snap('job-a', 'RUNNING')], T0);
    expect(lastOne.changesFor([snap('job-a', 'FAILED', 'e2')], T0).get('a')?.dueRetries).toEqual([]);

    const late = registryWith(orders({ 'job-a': [0, 3] }, T0));
    expect(late.changesFor([snap('job-a', 'FAILED', 'e1')], T0).get('a')?.dueRetries).toEqual([]);

    const noEndTime = registryWith(orders({ 'job-a': [0, 3] }));
    expect(noEndTime.changesFor([snap('job-a', 'FAILED')], T0).get('a')?.dueRetries).toEqual([]);
  });

  it('carries out no order on a first read (the owner may know the failure already) or after an untell', () => {
    const r = new WatchRegistry();
    r.register(
      {
        ownerWorkflowId: 'a',
        jobs: [{ jobId: 'job-a' }],
        pollIntervalMs: 1_000,
        orders: orders({ 'job-a': [0, 3] }),
      },
      T0,
    );
    const first = r.changesFor([snap('job-a', 'FAILED', 'e1')], T0).get('a');
    expect(first?.snapshots).toHaveLength(1);
    expect(first?.dueRetries).toEqual([]);
    r.untell('a', ['job-a']);
    expect(r.changesFor([snap('job-a', 'FAILED', 'e2')], T0).get('a')?.dueRetries).toEqual([]);
  });

  it('keeps the orders through continue-as-new', () => {
    const r = registryWith(orders({ 'job-a': [1, 2] }));
    const copy = WatchRegistry.fromCarried(r.toCarried());
    copy.changesFor([snap('job-a', 'RUNNING')], T0);
    const due = copy.changesFor([snap('job-a', 'FAILED', iso(T0))], T0).get('a')?.dueRetries;
    expect(due?.[0]?.notBeforeMs).toBe(T0 + backoffDelayMs(BACKOFF, 1, retryJitter('job-a', 1)));
  });
});

describe('JobTracker standing orders', () => {
  const policy = (over: Partial<ResolvedPolicy> = {}): ResolvedPolicy => ({ ...DEFAULT_POLICY, ...over });

  it('orders the next retry of every watched job, and the one after for a job waiting for its retry', () => {
    const t = new JobTracker(policy(), T0, ['job-a', 'job-b']);
    expect(t.retryOrderCounts()).toEqual({ 'job-a': [0, 3], 'job-b': [0, 3] });
    t.observe([snap('job-a', 'FAILED', iso(T0))], T0);
    t.decideFailure('job-a', T0, retryJitter('job-a', 0));
    expect(t.retryOrderCounts()).toEqual({ 'job-a': [1, 2], 'job-b': [0, 3] });
    t.applyRetryOutcomes([{ jobId: 'job-a', outcome: 'RETRIED', requestId: 'r' }], T0);
    expect(t.retryOrderCounts()).toEqual({ 'job-a': [1, 2], 'job-b': [0, 3] });
  });

  it('orders nothing when a rule or the repeated-failure check must see the failure, or a rule escalates all', () => {
    const ids = ['job-a'];
    expect(new JobTracker(policy({ repeatedFailureLimit: 2 }), T0, ids).retryOrderCounts()).toEqual({});
    const byExitCode = policy({ retryRules: [{ onExitCode: '137', action: 'RETRY' }] });
    expect(new JobTracker(byExitCode, T0, ids).retryOrderCounts()).toEqual({});
    const escalateAll = policy({ retryRules: [{ action: 'ESCALATE' }] });
    expect(new JobTracker(escalateAll, T0, ids).retryOrderCounts()).toEqual({});
    const retryAll = policy({ retryRules: [{ action: 'RETRY' }] });
    expect(new JobTracker(retryAll, T0, ids).retryOrderCounts()).toEqual({ 'job-a': [0, 3] });
  });

  it('orders nothing for a job awaiting a decision, or past its last retry', () => {
    const t = new JobTracker(policy({ maxRetriesPerJob: 1 }), T0, ['job-a', 'job-b']);
    t.escalate([{ jobId: 'job-a', reason: 'STUCK', message: 'm' }], T0);
    t.observe([snap('job-b', 'FAILED', iso(T0))], T0);
    t.decideFailure('job-b', T0, retryJitter('job-b', 0));
    expect(t.retryOrderCounts()).toEqual({});
  });

  it('takes the hand-over at the watcher\u2019s moment, and reads the job before any later call', () => {
    const t = new JobTracker(policy(), T0, ['job-a']);
    t.observe([snap('job-a', 'FAILED', iso(T0))], T0);
    t.decideFailure('job-a', T0, retryJitter('job-a', 0));
    t.adoptHandOver('job-a', T0 + 12_345, T0);
    expect(t.get('job-a')).toMatchObject({ phase: 'WAITING_TO_RETRY', nextRetryAt: iso(T0 + 12_345) });
    expect(t.get('job-a')?.lastFailure?.retryHandedOver).toBe(true);
  });
});

describe('RetryDispatchQueue', () => {
  it('makes the second first hand-over of a failure read the job first, even after continue-as-new', () => {
    const failure = { jobId: 'job-a', endTime: 'e1', firstHandOverReadAt: iso(T0) };
    const request = (requestId: string) => ({ requesterWorkflowId: 'a', requestId, failures: [failure] });
    const queue = new RetryDispatchQueue(0, 0);
    queue.add(request('by-watcher'), 0);
    expect(queue.take(0)[0]?.failures[0]?.firstHandOverReadAt).toBe(iso(T0));
    const next = new RetryDispatchQueue(0, 0, queue.toCarried());
    next.add(request('by-owner'), 0);
    expect(next.take(0)[0]?.failures[0]).toEqual({ jobId: 'job-a', endTime: 'e1' });
  });
});
