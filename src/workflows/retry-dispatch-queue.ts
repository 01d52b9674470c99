/**
 * The RetryJobs dispatcher's queue, without any Temporal API: requests waiting for a call, the jobs whose call is
 * in flight, and the request IDs already taken. Pure and deterministic, so it is unit-tested on its own.
 */
import type { RetryRequest } from '../shared/dispatcher-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';

/** Request IDs remembered for de-duplication: far more than arrive while a re-delivered signal can still come. */
export const REMEMBERED_REQUEST_IDS = 5_000;

export class RetryDispatchQueue {
  private readonly waiting: RetryRequest[];
  private readonly inFlightJobs = new Set<string>();
  /** Oldest first; a Set keeps insertion order, so the oldest is dropped first. */
  private readonly takenIds: Set<string>;

  constructor(pending: readonly RetryRequest[] = [], recentRequestIds: readonly string[] = []) {
    this.waiting = [...pending];
    this.takenIds = new Set([...recentRequestIds, ...pending.map((r) => r.requestId)]);
  }

  /**
   * Queues a request unless its ID was taken already (a signal delivered twice when signal-with-start was
   * retried). Returns why it was refused, if it was.
   */
  add(request: RetryRequest): 'duplicate' | 'wrong-size' | undefined {
    // Requesters send 1..100 failures; anything else could never fit a RetryJobs call.
    if (request.failures.length === 0 || request.failures.length > MAX_JOB_IDS_PER_REQUEST)
      return 'wrong-size';
    if (this.takenIds.has(request.requestId)) return 'duplicate';
    this.remember(request.requestId);
    this.waiting.push(request);
    return undefined;
  }

  private remember(requestId: string): void {
    this.takenIds.add(requestId);
    if (this.takenIds.size > REMEMBERED_REQUEST_IDS) {
      const oldest = this.takenIds.values().next().value;
      if (oldest !== undefined) this.takenIds.delete(oldest);
    }
  }

  /**
   * Drops waiting requests with these IDs, and remembers the IDs as taken, so a withdrawn request that arrives
   * only now (its hand-over was still in flight) is refused as a duplicate.
   */
  withdraw(requestIds: readonly string[]): number {
    const ids = new Set(requestIds);
    const before = this.waiting.length;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (ids.has((this.waiting[i] as RetryRequest).requestId)) this.waiting.splice(i, 1);
    }
    for (const id of ids) this.remember(id);
    return before - this.waiting.length;
  }

  isEmpty(): boolean {
    return this.waiting.length === 0;
  }

  /** True when a request could go out now: none of its jobs is in a call in flight. */
  hasDispatchable(): boolean {
    return this.waiting.some((r) => this.canGo(r));
  }

  /** True when the requests that could go out now fill a call. */
  batchIsFull(): boolean {
    const jobs = this.waiting.filter((r) => this.canGo(r)).reduce((n, r) => n + r.failures.length, 0);
    return jobs >= MAX_JOB_IDS_PER_REQUEST;
  }

  /**
   * Takes whole requests, oldest first, while the batch stays within 100 jobs and names each job once (the
   * activity refuses a job listed twice), and marks their jobs in flight. A request for a job that is in a call
   * already waits for that call to end: two calls in flight for one job could both see it FAILED.
   */
  take(): RetryRequest[] {
    const batch: RetryRequest[] = [];
    const jobs = new Set<string>();
    for (let i = 0; i < this.waiting.length && jobs.size < MAX_JOB_IDS_PER_REQUEST;) {
      const request = this.waiting[i] as RetryRequest;
      const fits = jobs.size + request.failures.length <= MAX_JOB_IDS_PER_REQUEST;
      if (fits && this.canGo(request) && !request.failures.some((f) => jobs.has(f.jobId))) {
        batch.push(request);
        request.failures.forEach((f) => jobs.add(f.jobId));
        this.waiting.splice(i, 1);
      } else {
        i += 1;
      }
    }
    jobs.forEach((job) => this.inFlightJobs.add(job));
    return batch;
  }

  /** The call for `batch` ended: its jobs may go out again. */
  done(batch: readonly RetryRequest[]): void {
    for (const request of batch) request.failures.forEach((f) => this.inFlightJobs.delete(f.jobId));
  }

  /** What the next run carries: requests not sent yet, and the IDs taken (to keep refusing duplicates). */
  toCarried(): { pending: RetryRequest[]; recentRequestIds: string[] } {
    return { pending: [...this.waiting], recentRequestIds: [...this.takenIds] };
  }

  private canGo(request: RetryRequest): boolean {
    return !request.failures.some((f) => this.inFlightJobs.has(f.jobId));
  }
}
