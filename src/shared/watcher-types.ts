/**
 * Messages between recovery workflows and the job watcher. Plain JSON; both sides are workflows.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobSnapshot, KnownJobState } from './batch-types';
import type { RetryRequest } from './dispatcher-types';

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
  /** The owner's standing orders: retries its policy decides before the failure, for the watcher to hand over. */
  orders?: RetryOrders;
}

/**
 * A recovery workflow's retries decided ahead of the failure. When its policy needs nothing of a failure but that
 * it happened (no rule reads details, no repeated-failure check), the owner's decision for a job's next failure is
 * known before it: retry after the backoff of retry number `retries + 1`, while retries are left. The watcher,
 * which reads the failure first, hands such a retry straight to the RetryJobs dispatcher and tells the owner it
 * did, so a wave's retries wait for no owner's workflow task. Everything else is decided by the owner as before.
 */
export interface RetryOrders {
  /** Task queue of the RetryJobs activity: the dispatcher to hand the retries to. */
  retryTaskQueue: string;
  /** The owner's backoff; the delay of each retry is a pure function of it, the job and the retry number. */
  backoff: { initialIntervalMs: number; factor: number; maxIntervalMs: number; jitter: number };
  /** No order is carried out from this moment (the owner's deadline: its jobs are escalated then). */
  untilMs: number;
  /** Per job with an order: `[retries so far, retries left]`; each order carried out moves it on by one. */
  jobs: Record<string, [number, number]>;
}

/** A retry the watcher handed to the dispatcher on the owner's standing order: the owner adopts the request. */
export interface WatcherHandOver {
  request: RetryRequest;
  /** The retry task queue it went to. */
  retryTaskQueue: string;
}

/**
 * Watcher → owner: jobs whose state differs from what the owner knew. A read that failed is not news: the watcher
 * reads again after a pause, and the owner keeps what it knew (platform trouble never fails a job).
 */
export interface WatchedJobsChanged {
  snapshots: JobSnapshot[];
  /** Retries of these failures the watcher handed to the dispatcher on the owner's orders. */
  handedOver?: WatcherHandOver[];
}

/** Recovery workflow → watcher. */
export const watchJobsSignal = defineSignal<[WatchRequest]>('watchJobs');

/** Watcher → recovery workflow. */
export const watchedJobsChangedSignal = defineSignal<[WatchedJobsChanged]>('watchedJobsChanged');

/** Payload of {@link jobReadsQuery}. */
export interface JobReadsRequest {
  jobIds: string[];
}

/**
 * What the watcher knows of one job's reads. Its polls that see no change fail on purpose and leave the workflow
 * nothing, so their reads are found in the poll activity's last failed attempt, which a client looks up by
 * `pollActivityId` among the watcher's pending activities.
 */
export interface JobRead {
  jobId: string;
  /** When the watcher last took in a read of the job: a first look, or a poll that found a change (ISO 8601). */
  readAt?: string;
  /** The poll activity that reads the job now, if one does. */
  pollActivityId?: string;
}

/** Client → watcher: the reads of those of `jobIds` it watches. */
export const jobReadsQuery = defineQuery<JobRead[], [JobReadsRequest]>('jobReads');

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
  orders?: RetryOrders;
  /** Workflow time of the last registration, epoch ms. */
  registeredAtMs: number;
}

/**
 * One owner as the watcher carries it through continue-as-new: its job IDs joined by commas. What the owner was
 * last told comes from the carried reads (`JobWatcherInput.reads`); a job without one is read and told again
 * (owners ignore what they know). About 13 characters a job: 100,000 watched jobs fit Temporal's 2 MB payload
 * limit.
 */
export interface CarriedOwner {
  ownerWorkflowId: string;
  jobIds: string;
  pollIntervalMs: number;
  registeredAtMs: number;
  /** The standing orders, with `jobs` as `jobId:retries:left` joined by commas. */
  orders?: Omit<RetryOrders, 'jobs'> & { jobs: string };
}

/** Input of the watcher workflow; `owners` carries the registrations through continue-as-new. */
export interface JobWatcherInput {
  /** Task queue of the DescribeJobs activity. @default DEFAULT_DESCRIBE_TASK_QUEUE */
  describeTaskQueue?: string;
  /**
   * How many watchers share the describe queue's jobs (this is one of them): they share its DescribeJobs budget,
   * so each paces its polls for all of them. @default 1
   */
  shards?: number;
  /** How long one set of polls runs before it is rebuilt without the jobs nobody watches. @default 1 hour */
  pollSetLifetimeMs?: number;
  owners?: CarriedOwner[];
  /** What the last run read of the owners' jobs, as far as it fits (WatchRegistry.toCarriedReads). */
  reads?: string;
}
