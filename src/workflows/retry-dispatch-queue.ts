/**
 * The RetryJobs dispatcher's queue, without any Temporal API: requests waiting for a call, the jobs whose call is
 * in flight, and the request IDs already taken. Pure and deterministic (time comes in as an argument), so it is
 * unit-tested on its own.
 *
 * A request is due at its `notBeforeMs` (the end of its failures' backoff), or when it arrived. It is ready a
 * gather window after it arrived, or when due if that is later: a request handed over during its backoff is
 * ready the moment it is due, and one due at once waits the window for others to join its call. Requests due now
 * that fill a call together are ready at once: nothing could join their call.
 */
import { failureKey } from '../shared/batch-types';
import type { RetryDispatcherInput, RetryRequest } from '../shared/dispatcher-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';

/** Request IDs remembered for de-duplication: far more than arrive while a re-delivered signal can still come. */
export const REMEMBERED_REQUEST_IDS = 5_000;

/** A request in the queue, with when it arrived. */
interface Waiting {
  request: RetryRequest;
  arrivedAtMs: number;
}

export class RetryDispatchQueue {
  private readonly waiting: Waiting[];
  private readonly inFlightJobs = new Set<string>();
  /** Oldest first; a Set keeps insertion order, so the oldest is dropped first. */
  private readonly takenIds: Set<string>;
  /** Failures taken on a first hand-over (`jobId@endTime`), oldest first. */
  private readonly firstHandOvers: Set<string>;

  /** `carried.pending` (carried through continue-as-new) counts as arrived at `nowMs`. */
  constructor(
    private readonly gatherWindowMs: number,
    nowMs: number,
    carried: Pick<RetryDispatcherInput, 'pending' | 'recentRequestIds' | 'recentFirstHandOvers'> = {},
  ) {
    const pending = carried.pending ?? [];
    this.waiting = pending.map((request) => ({ request, arrivedAtMs: nowMs }));
    this.takenIds = new Set([...(carried.recentRequestIds ?? []), ...pending.map((r) => r.requestId)]);
    this.firstHandOvers = new Set(carried.recentFirstHandOvers ?? []);
  }

  /**
   * Queues a request unless its ID was taken already (a signal delivered twice when signal-with-start was
   * retried). Returns why it was refused, if it was.
   */
  add(request: RetryRequest, nowMs: number): 'duplicate' | 'wrong-size' | undefined {
    // Requesters send 1..100 failures; anything else could never fit a RetryJobs call.
    if (request.failures.length === 0 || request.failures.length > MAX_JOB_IDS_PER_REQUEST)
      return 'wrong-size';
    if (this.takenIds.has(request.requestId)) return 'duplicate';
    remember(this.takenIds, request.requestId);
    this.waiting.push({ request: this.readFirstIfTakenBefore(request), arrivedAtMs: nowMs });
    return undefined;
  }

  /**
   * A failure may be handed over for the first time twice: by the job watcher on its owner's standing order, and by
   * the owner itself when the two crossed (a registration in flight). The first hand-over's call goes without
   * reading the job again; the second is stripped of that, so its call reads the job first and finds it retried.
   */
  private readFirstIfTakenBefore(request: RetryRequest): RetryRequest {
    let stripped = false;
    const failures = request.failures.map((failure) => {
      if (failure.firstHandOverReadAt === undefined) return failure;
      const key = failureKey(failure);
      if (!this.firstHandOvers.has(key)) {
        remember(this.firstHandOvers, key);
        return failure;
      }
      stripped = true;
      const { firstHandOverReadAt: _, ...readFirst } = failure;
      return readFirst;
    });
    return stripped ? { ...request, failures } : request;
  }

  /**
   * Drops waiting requests with these IDs, and remembers the IDs as taken, so a withdrawn request that arrives
   * only now (its hand-over was still in flight) is refused as a duplicate.
   */
  withdraw(requestIds: readonly string[]): number {
    const ids = new Set(requestIds);
    const before = this.waiting.length;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (ids.has((this.waiting[i] as Waiting).request.requestId)) this.waiting.splice(i, 1);
    }
    for (const id of ids) remember(this.takenIds, id);
    return before - this.waiting.length;
  }

  isEmpty(): boolean {
    return this.waiting.length === 0;
  }

  /** Requests waiting. */
  size(): number {
    return this.waiting.length;
  }

  /** True when a request could go out now: ready, and none of its jobs in a call in flight. */
  hasDispatchable(nowMs: number): boolean {
    const dueFillCall = this.dueFillACall(nowMs);
    return this.waiting.some((w) => this.canGo(w, nowMs, dueFillCall));
  }

  /** The next moment a waiting request becomes ready, if one is not ready yet. */
  nextReadyAtMs(nowMs: number): number | undefined {
    const later = this.waiting.map((w) => this.readyAtMs(w)).filter((t) => t > nowMs);
    return later.length > 0 ? Math.min(...later) : undefined;
  }

  /**
   * How long a batch should wait for requests about to be ready: until the last of those that become ready within
   * `windowMs` of now is (now when there are none).
   */
  gatherUntilMs(nowMs: number, windowMs: number): number {
    const soon = this.waiting.map((w) => this.readyAtMs(w)).filter((t) => t > nowMs && t <= nowMs + windowMs);
    return soon.length > 0 ? Math.max(...soon) : nowMs;
  }

  /** True when the requests that could go out now fill a call. */
  batchIsFull(nowMs: number): boolean {
    const dueFillCall = this.dueFillACall(nowMs);
    const jobs = this.waiting
      .filter((w) => this.canGo(w, nowMs, dueFillCall))
      .reduce((n, w) => n + w.request.failures.length, 0);
    return jobs >= MAX_JOB_IDS_PER_REQUEST;
  }

  /**
   * Takes whole ready requests, oldest first, while the batch stays within 100 jobs and names each job once (the
   * activity refuses a job listed twice), and marks their jobs in flight. A request for a job that is in a call
   * already waits for that call to end: two calls in flight for one job could both see it FAILED.
   */
  take(nowMs: number): RetryRequest[] {
    const batch: RetryRequest[] = [];
    const jobs = new Set<string>();
    const dueFillCall = this.dueFillACall(nowMs);
    for (let i = 0; i < this.waiting.length && jobs.size < MAX_JOB_IDS_PER_REQUEST;) {
      const entry = this.waiting[i] as Waiting;
      const { request } = entry;
      const fits = jobs.size + request.failures.length <= MAX_JOB_IDS_PER_REQUEST;
      if (fits && this.canGo(entry, nowMs, dueFillCall) && !request.failures.some((f) => jobs.has(f.jobId))) {
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

  /** What the next run carries: requests not sent yet, and what was taken (to keep refusing duplicates). */
  toCarried(): Required<Pick<RetryDispatcherInput, 'pending' | 'recentRequestIds' | 'recentFirstHandOvers'>> {
    return {
      pending: this.waiting.map((w) => w.request),
      recentRequestIds: [...this.takenIds],
      recentFirstHandOvers: [...this.firstHandOvers],
    };
  }

  private readyAtMs({ request, arrivedAtMs }: Waiting): number {
    return Math.max(request.notBeforeMs ?? arrivedAtMs, arrivedAtMs + this.gatherWindowMs);
  }

  private isDue({ request, arrivedAtMs }: Waiting, nowMs: number): boolean {
    return (request.notBeforeMs ?? arrivedAtMs) <= nowMs;
  }

  private inFlight(entry: Waiting): boolean {
    return entry.request.failures.some((f) => this.inFlightJobs.has(f.jobId));
  }

  /**
   * Whether the requests due now, none of whose jobs is in a call, hold a call's worth of jobs. A gather window is
   * a workflow timer, and the server fires none sooner than about a second after it is set (its
   * `history.timerProcessorMaxTimeShift`, 1 s by default): a full call that waited for it lost that second.
   */
  private dueFillACall(nowMs: number): boolean {
    let jobs = 0;
    for (const entry of this.waiting) {
      if (this.isDue(entry, nowMs) && !this.inFlight(entry)) jobs += entry.request.failures.length;
      if (jobs >= MAX_JOB_IDS_PER_REQUEST) return true;
    }
    return false;
  }

  private canGo(entry: Waiting, nowMs: number, dueFillCall: boolean): boolean {
    const ready = this.readyAtMs(entry) <= nowMs || (dueFillCall && this.isDue(entry, nowMs));
    return ready && !this.inFlight(entry);
  }
}

/** Adds `id` to a bounded memory, dropping the oldest past {@link REMEMBERED_REQUEST_IDS}. */
function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size > REMEMBERED_REQUEST_IDS) {
    const oldest = ids.values().next().value;
    if (oldest !== undefined) ids.delete(oldest);
  }
}
