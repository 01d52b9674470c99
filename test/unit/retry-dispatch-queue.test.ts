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
    const queue = new RetryDispatchQueue();
    expect(queue.add(request('r1', 'job-aaaaaaaa'))).toBeUndefined();
    expect(queue.add(request('r1', 'job-aaaaaaaa'))).toBe('duplicate');
    expect(queue.take()).toEqual([request('r1', 'job-aaaaaaaa')]);
    expect(queue.isEmpty()).toBe(true);
  });

  it('drops a withdrawn request, and refuses it if it arrives only after the withdrawal', () => {
    const queue = new RetryDispatchQueue();
    queue.add(request('r1', 'job-aaaaaaaa'));
    queue.add(request('r2', 'job-bbbbbbbb'));
    expect(queue.withdraw(['r1', 'r3'])).toBe(1);
    expect(queue.take()).toEqual([request('r2', 'job-bbbbbbbb')]);
    // r3's hand-over was still in flight when its recovery was cancelled.
    expect(queue.add(request('r3', 'job-cccccccc'))).toBe('duplicate');
    expect(queue.isEmpty()).toBe(true);
  });

  it('keeps refusing a duplicate after continue-as-new', () => {
    const first = new RetryDispatchQueue();
    first.add(request('r1', 'job-aaaaaaaa'));
    first.take();
    const { pending, recentRequestIds } = first.toCarried();
    const next = new RetryDispatchQueue(pending, recentRequestIds);
    expect(next.add(request('r1', 'job-aaaaaaaa'))).toBe('duplicate');
  });

  it('holds a request for a job whose call is in flight until that call ends', () => {
    const queue = new RetryDispatchQueue();
    queue.add(request('r1', 'job-aaaaaaaa'));
    const first = queue.take();
    queue.add(request('r2', 'job-aaaaaaaa'));
    queue.add(request('r3', 'job-bbbbbbbb'));
    expect(queue.take().map((r) => r.requestId)).toEqual(['r3']);
    expect(queue.hasDispatchable()).toBe(false);
    queue.done(first);
    expect(queue.take().map((r) => r.requestId)).toEqual(['r2']);
  });

  it('refuses empty and oversized requests', () => {
    const queue = new RetryDispatchQueue();
    expect(queue.add(request('r0'))).toBe('wrong-size');
    const tooMany = Array.from({ length: 101 }, (_, i) => `job-${String(i).padStart(8, '0')}`);
    expect(queue.add(request('r1', ...tooMany))).toBe('wrong-size');
    expect(queue.isEmpty()).toBe(true);
  });

  it('fills a call with at most 100 jobs, each once', () => {
    const queue = new RetryDispatchQueue();
    for (let i = 0; i < 150; i++) queue.add(request(`r${i}`, `job-${String(i).padStart(8, '0')}`));
    expect(queue.batchIsFull()).toBe(true);
    expect(queue.take()).toHaveLength(100);
    expect(queue.take()).toHaveLength(50);
  });

  it('takes a request of exactly 100 failures, as one full call', () => {
    const queue = new RetryDispatchQueue();
    expect(queue.add(request('r1', ...jobIds(0, 100)))).toBeUndefined();
    expect(queue.batchIsFull()).toBe(true);
    expect(queue.take().flatMap((r) => r.failures)).toHaveLength(100);
  });

  it('never puts more than 100 jobs into a call, leaving a request that does not fit for the next', () => {
    const queue = new RetryDispatchQueue();
    queue.add(request('r1', ...jobIds(0, 60)));
    queue.add(request('r2', ...jobIds(60, 60)));
    queue.add(request('r3', ...jobIds(120, 40)));
    expect(queue.take().map((r) => r.requestId)).toEqual(['r1', 'r3']);
    expect(queue.take().map((r) => r.requestId)).toEqual(['r2']);
  });

  it('sends two waiting requests for the same job in different calls', () => {
    const queue = new RetryDispatchQueue();
    queue.add(request('r1', 'job-aaaaaaaa'));
    queue.add(request('r2', 'job-aaaaaaaa', 'job-bbbbbbbb'));
    queue.add(request('r3', 'job-cccccccc'));
    const first = queue.take();
    expect(first.map((r) => r.requestId)).toEqual(['r1', 'r3']);
    queue.done(first);
    expect(queue.take().map((r) => r.requestId)).toEqual(['r2']);
  });

  it('remembers a bounded number of request IDs', () => {
    const queue = new RetryDispatchQueue();
    for (let i = 0; i <= REMEMBERED_REQUEST_IDS; i++) {
      queue.add(request(`r${i}`, 'job-aaaaaaaa'));
      queue.done(queue.take());
    }
    expect(queue.toCarried().recentRequestIds).toHaveLength(REMEMBERED_REQUEST_IDS);
    expect(queue.add(request('r0', 'job-aaaaaaaa'))).toBeUndefined();
  });
});
