/**
 * A recovery workflow's side of the shared job watcher: its registration, and the news the watcher signals back.
 * The watcher is the only reader of job states; the owner registers what it knows and learns what changed.
 */
import { CancellationScope, proxyLocalActivities } from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/request-retries';
import type { JobSnapshot, KnownJobState } from '../shared/batch-types';
import {
  WATCH_REFRESH_MS,
  type RetryOrders,
  type WatchedJobsChanged,
  type WatcherHandOver,
} from '../shared/watcher-types';
import { jobWatcherWorkflowId } from '../shared/constants';
import { shardOf } from '../shared/job-id';
import { SIGNAL_ACTIVITY_OPTIONS } from './activity-options';

const { watchJobs } = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/** Where the watchers run and how often their owner wants its jobs read. */
export interface WatcherTarget {
  /** Task queue of the owner, where the watcher workflows run too. */
  watcherTaskQueue: string;
  describeTaskQueue: string;
  /** How many watchers share the describe queue's jobs, by job ID. */
  shards: number;
  ownerWorkflowId: string;
  pollIntervalMs: number;
}

/** The owner's standing orders but for the per-job counts, which the owner's state gives. */
export type OrderTerms = Omit<RetryOrders, 'jobs'>;

export class WatcherLink {
  /** The reads since the last look, each with the hand-over it carried. */
  private readonly news = new Map<string, HeldNews>();
  /**
   * Per job, the reads that came after a failure the watcher handed over, before this workflow looked at that
   * failure, in order, each with the hand-over it carried: one comes on each next look.
   */
  private readonly later = new Map<string, HeldNews[]>();
  /**
   * Retries the watcher handed over on this workflow's orders, by job, from the look that takes their read until the
   * owner adopts or declines them.
   */
  private readonly handOvers = new Map<string, WatcherHandOver>();
  /**
   * Per watcher shard: what it was last told, and when; its orders as it has them now (each hand-over it told of
   * carried one out), so an order carried out as expected needs no new registration.
   */
  private readonly registered = new Map<number, Registration>();
  private lookRequested = false;

  constructor(
    private readonly target: WatcherTarget,
    private readonly orderTerms: OrderTerms,
  ) {}

  /**
   * The watcher's signal. Snapshots of jobs this workflow does not watch are filtered by the caller. A failure the
   * watcher handed over is news this workflow must see, even when a later read arrives before it looks (the job
   * running again after that very retry, or failing again and handed over again): the later reads wait, in order,
   * each for a look of its own, so that every retry is counted.
   */
  receive({ snapshots, handedOver }: WatchedJobsChanged): void {
    const handOverOf = new Map<string, WatcherHandOver>();
    for (const handOver of handedOver ?? []) {
      for (const { jobId } of handOver.request.failures) {
        handOverOf.set(jobId, handOver);
        this.carriedOut(jobId);
      }
    }
    for (const snapshot of snapshots) {
      const { jobId } = snapshot;
      const entry: HeldNews = { snapshot, handOver: handOverOf.get(jobId) };
      handOverOf.delete(jobId);
      const held = this.later.get(jobId);
      if (held) held.push(entry);
      else if (this.news.get(jobId)?.handOver) this.later.set(jobId, [entry]);
      else this.news.set(jobId, entry);
    }
    // A hand-over always comes with the read of its failure; kept all the same if one ever came without.
    for (const [jobId, handOver] of handOverOf) this.handOvers.set(jobId, handOver);
  }

  /** Takes the hand-overs that hold any of these jobs (to be adopted or declined), each once, with all its jobs. */
  takeHandOvers(jobIds: readonly string[]): WatcherHandOver[] {
    const taken = new Map<string, WatcherHandOver>();
    for (const jobId of jobIds) {
      const handOver = this.handOvers.get(jobId);
      if (handOver) taken.set(handOver.request.requestId, handOver);
    }
    for (const { request } of taken.values()) {
      for (const { jobId } of request.failures) this.handOvers.delete(jobId);
    }
    return [...taken.values()];
  }

  /** A job changed (a caller's hint): ask the watcher to read this workflow's jobs now, not at its next poll. */
  requestLook(): void {
    this.lookRequested = true;
  }

  hasNews(): boolean {
    return this.news.size > 0;
  }

  /**
   * Takes the reads that arrived since the last call, and makes their hand-overs ready to be taken; the next read
   * held back per job comes on the next call.
   */
  takeNews(): JobSnapshot[] {
    const taken = [...this.news.values()];
    this.news.clear();
    for (const { snapshot, handOver } of taken) if (handOver) this.handOvers.set(snapshot.jobId, handOver);
    for (const [jobId, held] of this.later) {
      this.news.set(jobId, held.shift() as HeldNews);
      if (held.length === 0) this.later.delete(jobId);
    }
    return taken.map((e) => e.snapshot);
  }

  /** Workflow IDs of the watcher shards this workflow is registered with. */
  get jobWatchers(): string[] {
    const { describeTaskQueue, shards } = this.target;
    return [...this.registered.keys()]
      .sort((a, b) => a - b)
      .map((shard) => jobWatcherWorkflowId(describeTaskQueue, shard, shards));
  }

  /** When a registration must be renewed, so that a watcher that lost it learns it back. */
  renewAtMs(nowMs: number): number {
    const oldest = Math.min(nowMs, ...[...this.registered.values()].map((r) => r.atMs));
    return oldest + WATCH_REFRESH_MS;
  }

  /**
   * (Re)registers with each watcher shard its part of `jobs` and the standing orders when either changed, a look
   * was requested, or the registration is due for renewal; a shard left with none of the jobs is told so.
   */
  async keepRegistered(jobs: KnownJobState[], orders: RetryOrders['jobs'], nowMs: number): Promise<void> {
    const lookNow = this.lookRequested;
    const parts = new Map<number, KnownJobState[]>([...this.registered.keys()].map((shard) => [shard, []]));
    for (const job of jobs) {
      const shard = this.shardOf(job.jobId);
      const part = parts.get(shard);
      if (part) part.push(job);
      else parts.set(shard, [job]);
    }
    for (const [shard, shardJobs] of parts) {
      const shardOrders = Object.fromEntries(
        shardJobs.flatMap((j) => (orders[j.jobId] ? [[j.jobId, orders[j.jobId]]] : [])),
      ) as RetryOrders['jobs'];
      const key = shardJobs.map((j) => j.jobId).join(',');
      const wanted = new Map(Object.entries(shardOrders).map(([jobId, counts]) => [jobId, counts.join(':')]));
      const current = this.registered.get(shard);
      const fresh =
        current !== undefined &&
        current.jobs === key &&
        sameOrders(current.orders, wanted) &&
        nowMs < current.atMs + WATCH_REFRESH_MS;
      if (fresh && !lookNow) continue;
      await this.register(shard, shardJobs, shardOrders, lookNow && shardJobs.length > 0);
      if (shardJobs.length === 0) this.registered.delete(shard);
      else this.registered.set(shard, { jobs: key, orders: wanted, atMs: nowMs });
    }
    if (lookNow) this.lookRequested = false;
  }

  /** The watcher carried out the order of `jobId`: its counts move on by one there. */
  private carriedOut(jobId: string): void {
    const orders = this.registered.get(this.shardOf(jobId))?.orders;
    const counts = orders?.get(jobId);
    if (orders === undefined || counts === undefined) return;
    const [retries, left] = counts.split(':').map(Number) as [number, number];
    if (left <= 1) orders.delete(jobId);
    else orders.set(jobId, `${retries + 1}:${left - 1}`);
  }

  /** Tells the watchers this run no longer needs them (best effort: a missed one expires by itself). */
  async leave(): Promise<void> {
    const shards = [...this.registered.keys()];
    this.registered.clear();
    await CancellationScope.nonCancellable(async () => {
      for (const shard of shards) await this.register(shard, [], {}, false);
    });
  }

  private shardOf(jobId: string): number {
    return shardOf(jobId, this.target.shards);
  }

  private async register(
    shard: number,
    jobs: KnownJobState[],
    orders: RetryOrders['jobs'],
    lookNow: boolean,
  ): Promise<void> {
    const { watcherTaskQueue, describeTaskQueue, ownerWorkflowId, pollIntervalMs, shards } = this.target;
    await watchJobs({
      watcherWorkflowId: jobWatcherWorkflowId(describeTaskQueue, shard, shards),
      watcherTaskQueue,
      watcher: { describeTaskQueue, ...(shards > 1 ? { shards } : {}) },
      request: {
        ownerWorkflowId,
        jobs,
        pollIntervalMs,
        ...(lookNow ? { lookNow } : {}),
        ...(Object.keys(orders).length > 0 ? { orders: { ...this.orderTerms, jobs: orders } } : {}),
      },
    });
  }
}

interface HeldNews {
  snapshot: JobSnapshot;
  handOver?: WatcherHandOver;
}

interface Registration {
  jobs: string;
  orders: Map<string, string>;
  atMs: number;
}

function sameOrders(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([jobId, counts]) => b.get(jobId) === counts);
}
