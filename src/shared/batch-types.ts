/**
 * The slice of Tencent Cloud Batch (API 2017-03-12) that the workflow reasons about, as plain data that
 * crosses the activity boundary and lands in workflow history. No secrets, no SDK types.
 */

/** Job states as DescribeJob/DescribeJobs report them. */
export const JOB_STATES = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
  'SUCCEED',
  'FAILED',
  'FAILED_INTERRUPTED',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job leaves only through an action (RetryJobs, TerminateTaskInstance) or never. */
export const TERMINAL_JOB_STATES: readonly JobState[] = ['SUCCEED', 'FAILED', 'FAILED_INTERRUPTED'];

/** What one failed task instance reported, from DescribeTask. */
export interface FailedTaskInstance {
  taskInstanceIndex: number;
  exitCode?: number;
  stateReason?: string;
}

/** A task of a failed job, with the failed instances that explain it. */
export interface FailedTask {
  taskName: string;
  state: string;
  failedInstances: FailedTaskInstance[];
}

/** One job as last seen through the API. */
export interface JobSnapshot {
  jobId: string;
  /** `NOT_FOUND` when the API answered ResourceNotFound for the job (deleted or never existed). */
  state: JobState | 'NOT_FOUND';
  /** ISO-8601 UTC; set by the API when the job reached SUCCEED or FAILED. Identifies one failure. */
  endTime?: string;
  /** The API's StateReason for the job, if any. */
  stateReason?: string;
  /** Failed tasks with their failed instances; present only when failure details were asked for. */
  failedTasks?: FailedTask[];
  /** When the activity read this snapshot (ISO-8601). */
  observedAt: string;
}

/** What the poll compares against: the last state the workflow knows for a job (nothing yet: any state is news). */
export interface KnownJobState {
  jobId: string;
  state?: JobSnapshot['state'];
  endTime?: string;
}

/**
 * One failure of one job, as the workflow observed it. RetryJobs takes no client token, so this pair is the
 * idempotency key: a RetryJobs call is made only while the job is still in exactly this failure.
 */
export interface ObservedFailure {
  jobId: string;
  /**
   * The job's EndTime when the failure was observed (distinct for every failure of the same job); when the API
   * gave none, the time the failure was observed (see `noEndTime`).
   */
  endTime: string;
  /**
   * The API reported this failure without an EndTime, so `endTime` is when it was observed and no read can repeat
   * it: the job still FAILED without an EndTime counts as still in this failure.
   */
  noEndTime?: boolean;
  /**
   * Set when its owner hands this failure (with an EndTime) over for the first time: when the owner last read the
   * job in this failure (ISO 8601). No RetryJobs call of this package can have answered the failure yet, so while
   * that read is fresh the activity's first attempt sends the call without reading the job again.
   */
  firstHandOverReadAt?: string;
}

/** Stable text key of an {@link ObservedFailure}, used in logs, ledgers and idempotency checks. */
export function failureKey(failure: ObservedFailure): string {
  return `${failure.jobId}@${failure.endTime}`;
}

/** What a RetryJobs activity did for one job. */
export type RetryOutcome =
  /** RetryJobs accepted the job in this call. */
  | { jobId: string; outcome: 'RETRIED'; requestId: string }
  /** The job has left the observed failure (running again, succeeded, or failed anew): no call was made for it. */
  | {
      jobId: string;
      outcome: 'ALREADY_RETRIED';
      currentState: JobState | 'NOT_FOUND';
      currentEndTime?: string;
    }
  /** The API refused the job (not FAILED, deleted); retrying the same call cannot help. */
  | { jobId: string; outcome: 'NOT_RETRIABLE'; code: string; reason: string };
