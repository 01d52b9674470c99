import type { JobState } from '../shared/batch-types';

/**
 * The Tencent Cloud Batch actions this package uses, in camelCase and typed once. Implemented over the real
 * `tencentcloud-sdk-nodejs` Batch client by `createBatchApi` (./tencent-batch-api.ts); activities depend on
 * this interface only, so unit tests can pass a typed fake.
 *
 * Every method throws an `ApplicationFailure` classified by `classifyTencentError` (./classify-error.ts):
 * a stable `type` from `ErrorType`, explicit retryability, the SDK error as `cause`, and
 * `TencentApiErrorDetails` (code, requestId, action) as `details[0]`. Never a bare SDK error.
 */
export interface BatchApi {
  /** DescribeJobs by JobIds (1..100). Jobs the API does not know are absent from `jobs`. */
  describeJobs(input: { jobIds: string[] }): Promise<{ jobs: JobSummary[]; requestId: string }>;
  /** DescribeJob: one job with its tasks. Throws `ErrorType.JobNotFound` for an unknown job. */
  describeJob(input: { jobId: string }): Promise<JobDetail & { requestId: string }>;
  /** DescribeTask: the instances of one task, optionally only those in one state. */
  describeTask(input: {
    jobId: string;
    taskName: string;
    offset?: number;
    limit?: number;
    instanceState?: JobState;
  }): Promise<TaskDetail & { requestId: string }>;
  /** RetryJobs (1..100 IDs). No client token exists: callers own idempotency. */
  retryJobs(input: { jobIds: string[] }): Promise<{ requestId: string }>;
  /** SubmitJob; `job` is the API's `Job` object as-is (JobName, Tasks, Dependences, ...). */
  submitJob(input: {
    placement: { zone: string };
    job: Record<string, unknown>;
    clientToken?: string;
  }): Promise<{
    jobId: string;
    requestId: string;
  }>;
  /** TerminateJob (asynchronous on the API side). */
  terminateJob(input: { jobId: string }): Promise<{ requestId: string }>;
  /** DeleteJob (finished jobs only). */
  deleteJob(input: { jobId: string }): Promise<{ requestId: string }>;
}

/** One entry of DescribeJobs' JobSet. */
export interface JobSummary {
  jobId: string;
  jobName: string;
  jobState: JobState;
  createTime?: string;
  endTime?: string;
  taskMetrics?: TaskMetrics;
}

/** DescribeJob's answer. */
export interface JobDetail {
  jobId: string;
  jobName: string;
  jobState: JobState;
  createTime?: string;
  endTime?: string;
  stateReason?: string;
  tasks: { taskName: string; taskState: JobState; createTime?: string; endTime?: string }[];
  dependences: { startTask: string; endTask: string }[];
  taskMetrics?: TaskMetrics;
  taskInstanceMetrics?: TaskMetrics;
}

/** DescribeTask's answer. */
export interface TaskDetail {
  jobId: string;
  taskName: string;
  taskState: JobState;
  totalInstances: number;
  instances: {
    taskInstanceIndex: number;
    state: JobState;
    exitCode?: number;
    stateReason?: string;
    stateDetailedReason?: string;
    createTime?: string;
    launchTime?: string;
    runningTime?: string;
    endTime?: string;
  }[];
}

/** TaskMetrics / TaskInstanceMetrics counters. */
export interface TaskMetrics {
  submittedCount: number;
  pendingCount: number;
  runnableCount: number;
  startingCount: number;
  runningCount: number;
  succeedCount: number;
  failedInterruptedCount: number;
  failedCount: number;
}
