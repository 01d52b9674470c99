/**
 * A recovery workflow's side of the shared job watcher: its registration, and the news the watcher signals back.
 * The watcher is the only reader of job states; the owner registers what it knows and learns what changed.
 */
import { CancellationScope, proxyLocalActivities } from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/request-retries';
import type { JobSnapshot, KnownJobState } from '../shared/batch-types';
import { WATCH_REFRESH_MS, type WatchedJobsChanged } from '../shared/watcher-types';
import { SIGNAL_ACTIVITY_OPTIONS } from './activity-options';

const { watchJobs } = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/** Where the watcher runs and how often its owner wants its jobs read. */
export interface WatcherTarget {
  watcherWorkflowId: string;
  /** Task queue of the owner, where the watcher workflow runs too. */
  watcherTaskQueue: string;
  describeTaskQueue: string;
  ownerWorkflowId: string;
  pollIntervalMs: number;
}

export class WatcherLink {
  private readonly news = new Map<string, JobSnapshot>();
  /** What the watcher was last told, and when. */
  private registered: { jobs: string; atMs: number } | undefined;
  private lookRequested = false;

  constructor(private readonly target: WatcherTarget) {}

  /** The watcher's signal. Snapshots of jobs this workflow does not watch are filtered by the caller. */
  receive({ snapshots }: WatchedJobsChanged): void {
    for (const snapshot of snapshots) this.news.set(snapshot.jobId, snapshot);
  }

  /** A job changed (a caller's hint): ask the watcher to read this workflow's jobs now, not at its next poll. */
  requestLook(): void {
    this.lookRequested = true;
  }

  hasNews(): boolean {
    return this.news.size > 0;
  }

  /** Takes the snapshots that arrived since the last call. */
  takeNews(): JobSnapshot[] {
    const snapshots = [...this.news.values()];
    this.news.clear();
    return snapshots;
  }

  /** When the registration must be renewed, so that a watcher that lost it learns it back. */
  renewAtMs(nowMs: number): number {
    return (this.registered?.atMs ?? nowMs) + WATCH_REFRESH_MS;
  }

  /** (Re)registers `jobs` when they changed, a look was requested, or the registration is due for renewal. */
  async keepRegistered(jobs: KnownJobState[], nowMs: number): Promise<void> {
    const key = jobs.map((j) => j.jobId).join(',');
    const current = this.registered;
    const fresh = current && current.jobs === key && nowMs < current.atMs + WATCH_REFRESH_MS;
    if (fresh && !this.lookRequested) return;
    const lookNow = this.lookRequested;
    await this.register(jobs, lookNow);
    this.registered = { jobs: key, atMs: nowMs };
    if (lookNow) this.lookRequested = false;
  }

  /** Tells the watcher this run no longer needs it (best effort: a missed one expires by itself). */
  async leave(): Promise<void> {
    if (!this.registered) return;
    this.registered = undefined;
    await CancellationScope.nonCancellable(() => this.register([], false));
  }

  private async register(jobs: KnownJobState[], lookNow: boolean): Promise<void> {
    const { watcherWorkflowId, watcherTaskQueue, describeTaskQueue, ownerWorkflowId, pollIntervalMs } =
      this.target;
    await watchJobs({
      watcherWorkflowId,
      watcherTaskQueue,
      watcher: { describeTaskQueue },
      request: { ownerWorkflowId, jobs, pollIntervalMs, ...(lookNow ? { lookNow } : {}) },
    });
  }
}
