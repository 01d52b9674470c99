import type { RetryRequest } from '../../src/shared/dispatcher-types';
import { REMEMBERED_REQUEST_IDS, RetryDispatchQueue } from '../../src/workflows/retry-dispatch-queue';

const request = (id: string, ...jobIds: string[]): RetryRequest => ({
  requesterWorkflowId: `owner-${id}`,
  requestId: id,
  failures: jobIds.map((jobId) => ({ jobId, endTime: '2026-11-29T00:00:00Z' })),
});

/** `count` distinct job IDs, numbered from `from`. */
const jobIds = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `job-${String(from + i).padStart(8, '0')}`);

describe('RetryDispatchQueue', () => {
  it('takes a request delivered twice once', () => {
    const queue = new RetryDispatchQueue(0, 0);
    expect(queue.add(request('r1', 'job-aaaaaaaa'), 0)).toBeUndefined();
    expect(queue.add(request('r1', 'job-aaaaaaaa'), 0)).toBe('duplicate');
    expect(queue.take(0)).toEqual([request('r1', 'job-aaaaaaaa')]);
    expect(queue.isEmpty()).toBe(true);
  });

  it('drops a withdrawn request, and refuses it if it arrives only after the withdrawal', () => {
    const queue = new RetryDispatchQueue(0, 0);
    queue.add(request('r1', 'job-aaaaaaaa'), 0);
    queue.add(request('r2', 'job-bbbbbbbb'), 0);
    expect(queue.withdraw(['r1', 'r3'])).toBe(1);
    expect(queue.take(0)).toEqual([request('r2', 'job-bbbbbbbb')]);
    // r3's hand-over was still in flight when its recovery was cancelled.
    expect(queue.add(request('r3', 'job-cccccccc'), 0)).toBe('duplicate');
    expect(queue.isEmpty()).toBe(true);
  });

  it('keeps refusing a duplicate after continue-as-new', () => {
    const first = new RetryDispatchQueue(0, 0);
    first.add(request('r1', 'job-aaaaaaaa'), 0);
    first.take(0);
    const next = new RetryDispatchQueue(0, 0, first.toCarried());
    expect(next.add(request('r1', 'job-aaaaaaaa'), 0)).toBe('duplicate');
  });

  it('holds a request for a job whose call is in flight until that call ends', () => {
    const queue = new RetryDispatchQueue(0, 0);
    queue.add(request('r1', 'job-aaaaaaaa'), 0);
    const first = queue.take(0);
    queue.add(request('r2', 'job-aaaaaaaa'), 0);
    queue.add(request('r3', 'job-bbbbbbbb'), 0);
    expect(queue.take(0).map((r) => r.requestId)).toEqual(['r3']);
    expect(queue.hasDispatchable(0)).toBe(false);
    queue.done(first);
    expect(queue.take(0).map((r) => r.requestId)).toEqual(['r2']);
  });

  it('sends requests due now that fill a call at once, and gathers only for a partial one', () => {
    const queue = new RetryDispatchQueue(250, 0);
    queue.add(request('a', ...jobIds(0, 50)), 0);
    // Half a call waits its gather window for others to join.
    expect(queue.hasDispatchable(0)).toBe(false);
    expect(queue.nextReadyAtMs(0)).toBe(250);
    queue.add(request('b', ...jobIds(50, 50)), 10);
    // A whole call goes now: a gather window is a server timer, a second at least.
    expect(queue.hasDispatchable(10)).toBe(true);
    expect(queue.batchIsFull(10)).toBe(true);
    expect(queue.take(10).map((r) => r.requestId)).toEqual(['a', 'b']);
    // Requests still in their backoff do not count toward a full call.
    queue.add({ ...request('c', ...jobIds(100, 60)), notBeforeMs: 5_000 }, 20);
    queue.add(request('d', ...jobIds(200, 60)), 20);
    expect(queue.hasDispatchable(20)).toBe(false);
  });

  it('refuses empty and oversized requests', () => {
    const queue = new RetryDispatchQueue(0, 0);
    expect(queue.add(request('r0'), 0)).toBe('wrong-size');
    const tooMany = Array.from({ length: 101 }, (_, i) => `job-${String(i).padStart(8, '0')}`);
    expect(queue.add(request('r1', ...tooMany), 0)).toBe('wrong-size');
    expect(queue.isEmpty()).toBe(true);
  });

  it('fills a call with at most 100 jobs, each once', () => {
    const queue = new RetryDispatchQueue(0, 0);
    for (let i = 0; i < 150; i++) queue.add(request(`r${i}`, `job-${String(i).padStart(8, '0')}`), 0);
    expect(queue.batchIsFull(0)).toBe(true);
    expect(queue.take(0)).toHaveLength(100);
    expect(queue.take(0)).toHaveLength(50);
  });

  it('takes a request of exactly 100 failures, as one full call', () => {
    const queue = new RetryDispatchQueue(0, 0);
    expect(queue.add(request('r1', ...jobIds(0, 100)), 0)).toBeUndefined();
    expect(queue.batchIsFull(0)).toBe(true);
    expect(queue.take(0).flatMap((r) => r.failures)).toHaveLength(100);
  });

  it('never puts more than 100 jobs into a call, leaving a request that does not fit for the next', () => {
    const queue = new RetryDispatchQueue(0, 0);
    queue.add(request('r1', ...jobIds(0, 60)), 0);
    queue.add(request('r2', ...jobIds(60, 60)), 0);
    queue.add(request('r3', ...jobIds(120, 40)), 0);
    expect(queue.take(0).map((r) => r.requestId)).toEqual(['r1', 'r3']);
    expect(queue.take(0).map((r) => r.requestId)).toEqual(['r2']);
  });

  it('sends two waiting requests for the same job in different calls', () => {
    const queue = new RetryDispatchQueue(0, 0);
    queue.add(request('r1', 'job-aaaaaaaa'), 0);
    queue.add(request('r2', 'job-aaaaaaaa', 'job-bbbbbbbb'), 0);
    queue.add(request('r3', 'job-cccccccc'), 0);
    const first = queue.take(0);
    expect(first.map((r) => r.requestId)).toEqual(['r1', 'r3']);
    queue.done(first);
    expect(queue.take(0).map((r) => r.requestId)).toEqual(['r2']);
  });

  it('remembers a bounded number of request IDs', () => {
    const queue = new RetryDispatchQueue(0, 0);
    for (let i = 0; i <= REMEMBERED_REQUEST_IDS; i++) {
      queue.add(request(`r${i}`, 'job-aaaaaaaa'), 0);
      queue.done(queue.take(0));
    }
    expect(queue.toCarried().recentRequestIds).toHaveLength(REMEMBERED_REQUEST_IDS);
    expect(queue.add(request('r0', 'job-aaaaaaaa'), 0)).toBeUndefined();
  });

  describe('timing', () => {
    const WINDOW = 500;
    const at = (notBeforeMs: number | undefined, id: string, ...jobs: string[]): RetryRequest => ({
      ...request(id, ...jobs),
      ...(notBeforeMs === undefined ? {} : { notBeforeMs }),
    });

    it('holds a request until the end of its backoff, and sends it then with no gather wait', () => {
      const queue = new RetryDispatchQueue(WINDOW, 0);
      queue.add(at(1_000, 'r1', 'job-aaaaaaaa'), 0);
      expect(queue.hasDispatchable(999)).toBe(false);
      expect(queue.take(999)).toEqual([]);
      expect(queue.nextReadyAtMs(0)).toBe(1_000);
      expect(queue.hasDispatchable(1_000)).toBe(true);
      // Nothing else becomes ready soon: the batch goes at once.
      expect(queue.gatherUntilMs(1_000, WINDOW)).toBe(1_000);
      expect(queue.take(1_000).map((r) => r.requestId)).toEqual(['r1']);
    });

    it('lets a request due at once wait the gather window from its arrival', () => {
      const queue = new RetryDispatchQueue(WINDOW, 0);
      queue.add(at(undefined, 'r1', 'job-aaaaaaaa'), 100);
      expect(queue.hasDispatchable(599)).toBe(false);
      expect(queue.nextReadyAtMs(100)).toBe(600);
      expect(queue.take(600).map((r) => r.requestId)).toEqual(['r1']);
    });

    it('gathers the requests that become ready within the window into the same call', () => {
      const queue = new RetryDispatchQueue(WINDOW, 0);
      queue.add(at(1_000, 'r1', 'job-aaaaaaaa'), 0);
      queue.add(at(1_300, 'r2', 'job-bbbbbbbb'), 0);
      queue.add(at(2_000, 'r3', 'job-cccccccc'), 0);
      expect(queue.gatherUntilMs(1_000, WINDOW)).toBe(1_300);
      expect(queue.take(1_300).map((r) => r.requestId)).toEqual(['r1', 'r2']);
      expect(queue.nextReadyAtMs(1_300)).toBe(2_000);
    });

    it('counts only ready requests towards a full call', () => {
      const queue = new RetryDispatchQueue(WINDOW, 0);
      queue.add(at(5_000, 'r1', ...jobIds(0, 100)), 0);
      expect(queue.batchIsFull(4_999)).toBe(false);
      expect(queue.batchIsFull(5_000)).toBe(true);
    });

    it('carries requests through continue-as-new with their backoff, counting them as arrived then', () => {
      const first = new RetryDispatchQueue(WINDOW, 0);
      first.add(at(10_000, 'r1', 'job-aaaaaaaa'), 0);
      const next = new RetryDispatchQueue(WINDOW, 9_800, first.toCarried());
      expect(next.hasDispatchable(10_000)).toBe(false);
      expect(next.take(10_300).map((r) => r.requestId)).toEqual(['r1']);
    });
  });
});
