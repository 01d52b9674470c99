/**
 * Names and limits that the workflow side, the Node side and callers in other languages all rely on.
 * This module imports nothing: it is safe in the workflow sandbox and in any Node process.
 */

/** Workflow type name other services use to start the recovery workflow by name, from any SDK. */
export const RECOVER_BATCH_JOBS_WORKFLOW_TYPE = 'recoverBatchJobsWorkflow';

/**
 * Task queue of the workflows and of the cheap activities (describe, escalate).
 * @default 'tencent-batch-recovery'
 */
export const DEFAULT_WORKFLOW_TASK_QUEUE = 'tencent-batch-recovery';

/**
 * Task queue that only runs RetryJobs activities. It is separate so that its task-queue-wide rate limit
 * (enforced by the Temporal server across every worker) applies to nothing else, and so that no workflow
 * worker can dispatch a RetryJobs activity eagerly around the limit.
 */
export const DEFAULT_RETRY_TASK_QUEUE = 'tencent-batch-recovery-retry';

/** Task queue of the DescribeJobs/DescribeTask activities, rate-limited on its own. */
export const DEFAULT_DESCRIBE_TASK_QUEUE = 'tencent-batch-recovery-describe';

/**
 * RetryJobs requests per second allowed by the Tencent Cloud Batch API. The seed document says 2/s;
 * the current Chinese docs say 10/s. The seed wins by default; every limit is configurable.
 */
export const DEFAULT_RETRY_JOBS_RPS = 2;

/** DescribeJobs requests per second (international docs: 2/s; Chinese docs: 10/s). */
export const DEFAULT_DESCRIBE_JOBS_RPS = 2;

/** Most job IDs one RetryJobs or DescribeJobs request may carry. */
export const MAX_JOB_IDS_PER_REQUEST = 100;

/**
 * Most distinct job IDs one workflow watches. Larger sets should be split across workflows so that one
 * workflow's history and state stay small (each job carries its timeline through continue-as-new).
 */
export const MAX_JOB_IDS_PER_WORKFLOW = 1000;

/** Custom search attributes the package registers and upserts so operators can find a job's workflow. */
export const SEARCH_ATTRIBUTES = {
  /** KeywordList: the Tencent Batch job IDs a workflow watches. */
  jobIds: 'TencentBatchJobIds',
  /** Keyword: the workflow's overall state (see {@link RecoveryOverallState}). */
  recoveryState: 'TencentBatchRecoveryState',
} as const;

/** Search attributes in the `Name=Type` form `temporal server start-dev --search-attribute` takes. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Readonly<Record<string, 'Keyword' | 'KeywordList'>> = {
  [SEARCH_ATTRIBUTES.jobIds]: 'KeywordList',
  [SEARCH_ATTRIBUTES.recoveryState]: 'Keyword',
};

/** Workflow type of the singleton that coalesces RetryJobs requests from every recovery workflow. */
export const RETRY_DISPATCHER_WORKFLOW_TYPE = 'retryJobsDispatcherWorkflow';

/**
 * Workflow ID of the dispatcher. One per namespace and retry queue: every recovery workflow sends its due
 * failures to it, so a wave of failures across many workflows shares RetryJobs calls (≤ 100 jobs each).
 */
export const DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID = 'tencent-batch-recovery-retry-dispatcher';

/**
 * The dispatcher of shard `shard` of `shards` of `retryTaskQueue`'s jobs (by job ID), named like the job watchers
 * (see {@link jobWatcherWorkflowId}): shard k's watcher hands its standing orders to shard k's dispatcher.
 */
export function retryDispatcherWorkflowId(retryTaskQueue: string, shard = 0, shards = 1): string {
  const queueDispatcher = `${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${retryTaskQueue}`;
  return shards <= 1 ? queueDispatcher : `${queueDispatcher}:${shard}-of-${shards}`;
}

/** Workflow type of the singleton that reads every recovery workflow's job states in shared DescribeJobs calls. */
export const JOB_WATCHER_WORKFLOW_TYPE = 'jobStateWatcherWorkflow';

/**
 * Workflow ID of the job watcher. One per namespace and describe queue (`<this>:<describe queue>`): every
 * recovery workflow registers its open jobs with it, so N workflows watching one job each cost ⌈N/100⌉
 * DescribeJobs calls per poll instead of N.
 */
export const DEFAULT_JOB_WATCHER_WORKFLOW_ID = 'tencent-batch-recovery-job-watcher';

/**
 * The most shards a recovery's jobs may be shared among (`taskQueues.shards`): job watchers of its describe queue
 * and RetryJobs dispatchers of its retry queue. One watcher carries its registrations through continue-as-new in
 * one payload; about 20,000 jobs per watcher keep that far below Temporal's 2 MB limit.
 */
export const MAX_SHARDS = 64;

/**
 * The job watcher that reads shard `shard` of `shards` of a describe queue's jobs (by job ID): with one shard, the
 * queue's single watcher `<DEFAULT_JOB_WATCHER_WORKFLOW_ID>:<describe queue>`; with more, that ID followed by
 * `:<shard>-of-<shards>`, so recoveries that name different counts never share a watcher.
 */
export function jobWatcherWorkflowId(describeTaskQueue: string, shard = 0, shards = 1): string {
  const queueWatcher = `${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${describeTaskQueue}`;
  return shards <= 1 ? queueWatcher : `${queueWatcher}:${shard}-of-${shards}`;
}

/**
 * Counter recorded by the recovery workflow (through the workflow metric meter, never during replay): jobs that
 * reached SUCCEED after at least one retry of this package.
 */
export const JOBS_RECOVERED_METRIC = 'tencent_batch_jobs_recovered';

/** Task-queue partitions of every queue a server's dynamic config does not name: Temporal's default. */
export const DEFAULT_TASK_QUEUE_PARTITIONS = 4;
