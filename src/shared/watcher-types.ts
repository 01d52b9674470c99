/**
 * Messages between recovery workflows and the job watcher. Plain JSON; both sides are workflows.
 */
import { defineSignal } from '@temporalio/workflow';
import type { JobSnapshot, KnownJobState } from './batch-types';

/**
 * A recovery workflow's registration: the jobs it still watches, with what it knows of each. It replaces the
 * owner's previous registration; an empty `jobs` ends it. Owners send it again when their open jobs change and
 * every {@link WATCH_REFRESH_MS}, so a watcher that lost it (terminated, reset) learns it back.
 */
export interface WatchRequest {
  ownerWorkflowId: string;
  jobs: KnownJobState[];
  /** The owner's poll interval; the watcher polls at the shortest interval among its owners. */
  pollIntervalMs: number;
  /** Read these jobs now, whatever the watcher read last (the owner was told a job changed). */
  lookNow?: boolean;
}

/**
 * Watcher → owner: jobs whose state differs from what the owner knew. A read that failed is not news: the watcher
 * reads again after a pause, and the owner keeps what it knew (platform trouble never fails a job).
 */
export interface WatchedJobsChanged {
  snapshots: JobSnapshot[];
}

/** Recovery workflow → watcher. */
export const watchJobsSignal = defineSignal<[WatchRequest]>('watchJobs');

/** Watcher → recovery workflow. */
export const watchedJobsChangedSignal = defineSignal<[WatchedJobsChanged]>('watchedJobsChanged');

/**
 * How often an owner renews its registration. Renewals cost the owner history (an activity and a timer), so they
 * are rare: a watcher that lost its registrations (terminated by hand) is back in full within this time, and
 * owners still wake on their own deadlines meanwhile.
 */
export const WATCH_REFRESH_MS = 2 * 3_600_000;

/** A registration not renewed for this long belongs to a workflow that ended without saying so: dropped. */
export const WATCH_REGISTRATION_TTL_MS = 2 * WATCH_REFRESH_MS + 10 * 60_000;

/** One owner as the watcher keeps it: its jobs with what the owner was last told (or told the watcher). */
export interface WatchedOwner {
  ownerWorkflowId: string;
  jobs: KnownJobState[];
  pollIntervalMs: number;
  /** Workflow time of the last registration, epoch ms. */
  registeredAtMs: number;
}

/**
 * One owner as the watcher carries it through continue-as-new: its job IDs joined by commas, without what the
 * owner was last told (the next run reads every job once and tells each owner again; owners ignore what they
 * know). About 13 characters a job: 100,000 watched jobs fit Temporal's 2 MB payload limit.
 */
export interface CarriedOwner {
  ownerWorkflowId: string;
  jobIds: string;
  pollIntervalMs: number;
  registeredAtMs: number;
}

/** Input of the watcher workflow; `owners` carries the registrations through continue-as-new. */
export interface JobWatcherInput {
  /** Task queue of the DescribeJobs activity. @default DEFAULT_DESCRIBE_TASK_QUEUE */
  describeTaskQueue?: string;
  /** How long one set of polls runs before it is rebuilt without the jobs nobody watches. @default 1 hour */
  pollSetLifetimeMs?: number;
  owners?: CarriedOwner[];
}
