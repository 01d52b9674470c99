/**
 * The recovery workflow's public contract: input, messages' payloads, status and result. Plain JSON so that a
 * service in any language can start the workflow by name and read its result.
 */
import type { FailedTask, JobState } from './batch-types';

/** A glob on text: `*` matches any run of characters; everything else is literal (AWS Batch `evaluateOnExit` style). */
export type GlobPattern = string;

/**
 * One retry rule, in the spirit of AWS Batch `evaluateOnExit`. Rules are tried in order; the first whose every
 * given condition matches decides. A rule with no condition matches every failure. When no rule matches, the
 * failure is retried.
 */
export interface RetryRule {
  /** Glob on the job's StateReason (or any failed instance's StateReason). */
  onStateReason?: GlobPattern;
  /** Glob on any failed task instance's exit code, as text (e.g. `137`, `1*`). */
  onExitCode?: GlobPattern;
  /** Glob on any failed task's name. */
  onTaskName?: GlobPattern;
  /** What to do with a matching failure. */
  action: 'RETRY' | 'ESCALATE';
}

/** Backoff between the retries of one job. */
export interface BackoffPolicyInput {
  /** Delay before the first retry of a job; `0` retries every failure at once. @default '30s' */
  initialInterval?: string | number;
  /** Multiplier applied to the delay after each retry. @default 2 */
  factor?: number;
  /** Longest delay between two retries. @default '10m' */
  maxInterval?: string | number;
  /** Random spread, as a fraction of the delay (0.2 = ±20%), so a wave of failures does not retry in lockstep. @default 0.2 */
  jitter?: number;
}

/** Escalation behaviour. */
export interface EscalationPolicyInput {
  /** How long to wait for an operator's decision before the job ends as ESCALATED. @default '24h' */
  decisionTimeout?: string | number;
}

/**
 * How the workflow watches, retries and escalates. Every field is optional; durations are Temporal duration
 * strings ('30s', '10m', '6h') or milliseconds.
 */
export interface RecoveryPolicyInput {
  /** How often job states are read while nothing wakes the workflow earlier. @default '1m' */
  pollInterval?: string | number;
  /** Retries allowed per job before escalating. @default 3 */
  maxRetriesPerJob?: number;
  /**
   * Backoff between retries of one job, counted from the failure (the job's EndTime), not from when it was read: a
   * failure read late has waited part of it already.
   */
  backoff?: BackoffPolicyInput;
  /** Escalate every unfinished job once this much time has passed since the workflow started. @default '24h' */
  deadline?: string | number;
  /** Escalate a job that has not changed state for this long. @default '6h' */
  stuckTimeout?: string | number;
  /** Ordered retry rules; see {@link RetryRule}. @default [] (retry every failure) */
  retryRules?: RetryRule[];
  /**
   * Escalate early when the same failure signature (task, exit codes, reasons) repeats this many times in a row
   * for one job. 0 disables the check. Needs failure details, so a non-zero value makes the workflow read them.
   * @default 0
   */
  repeatedFailureLimit?: number;
  /**
   * Whether to read failure details (StateReason, failed tasks, exit codes: DescribeJob + DescribeTask) for every
   * failure. `auto` reads them only when a retry rule or the repeated-failure check needs them, and always for an
   * escalation, so a wave of plain failures costs no per-job calls. @default 'auto'
   */
  failureDetails?: 'auto' | 'always';
  /**
   * FAILED_INTERRUPTED means the failed instance was kept on purpose (FailedAction INTERRUPT) and RetryJobs refuses
   * such a job. `ESCALATE` asks a person at once; `WAIT` waits until someone releases the instance and the job
   * becomes FAILED, then retries as usual. @default 'ESCALATE'
   */
  onFailedInterrupted?: 'ESCALATE' | 'WAIT';
  /** Escalation behaviour. */
  escalation?: EscalationPolicyInput;
  /**
   * Continue-as-new once history has this many events, even if the server has not suggested it yet.
   * The server suggests it at 4,096 events or 4 MiB. @default 10000
   */
  continueAsNewAfterEvents?: number;
}

/** Task queues the workflow schedules its activities on (must match the worker's). */
export interface TaskQueuesInput {
  /** @default DEFAULT_RETRY_TASK_QUEUE */
  retry?: string;
  /** @default DEFAULT_DESCRIBE_TASK_QUEUE */
  describe?: string;
  /**
   * How many shards share the recovery's jobs, by job ID (1..MAX_SHARDS): job watchers of the describe queue and
   * RetryJobs dispatchers of the retry queue, shard k's watcher handing its standing orders to shard k's
   * dispatcher. One of each reads and retries in the fewest calls; above about 20,000 watched jobs, use one shard
   * per 10,000 to 20,000 (README, "Sharding the job watcher and the dispatcher"). Every recovery on a pair of
   * queues should name the same count: a job watched under two counts is read by two watchers. @default 1
   */
  shards?: number;
}

/** Input of `recoverBatchJobsWorkflow`. */
export interface RecoverBatchJobsInput {
  /** Tencent Batch job IDs to watch (1..1000; duplicates are removed). */
  jobIds: string[];
  /** Policy; every field has a documented default. */
  policy?: RecoveryPolicyInput;
  /** Free text for people (pipeline or run name), shown in escalations and the web UI. */
  label?: string;
  /** Task queue overrides, for deployments that rename them. */
  taskQueues?: TaskQueuesInput;
  /** Set by the workflow itself when it continues as new. Callers leave it out. */
  carriedState?: CarriedState;
}

/** Where a job stands in the workflow. */
export type JobPhase = 'WATCHING' | 'WAITING_TO_RETRY' | 'AWAITING_DECISION' | 'DONE';

/**
 * How a job ended. RESOLVED: an operator marked it resolved while it was not SUCCEED (it never counts as a
 * success of the Batch job itself).
 */
export type JobOutcome = 'SUCCEEDED' | 'ESCALATED' | 'ABANDONED' | 'CANCELLED' | 'RESOLVED';

/** Why a job was escalated. */
export type EscalationReason =
  | 'RETRY_BUDGET_EXHAUSTED'
  | 'RULE'
  | 'REPEATED_FAILURE'
  | 'DEADLINE'
  | 'STUCK'
  | 'FAILED_INTERRUPTED'
  | 'JOB_NOT_FOUND'
  | 'API_REFUSED';

/** A failure as the workflow recorded it. */
export interface FailureRecord {
  /** The job's EndTime for this failure: the failure's identity. When the API gave none, `observedAt`. */
  endTime: string;
  /** The API reported this failure without an EndTime (`endTime` is then when it was observed). */
  noEndTime?: boolean;
  state: 'FAILED' | 'FAILED_INTERRUPTED';
  stateReason?: string;
  failedTasks?: FailedTask[];
  /** Task names, exit codes and reasons folded into one comparable string (present when details were read). */
  signature?: string;
  observedAt: string;
  /**
   * This failure was handed to the RetryJobs dispatcher: a call may have been made for it, so any later call reads
   * the job first (see `ObservedFailure.firstHandOverReadAt`).
   */
  retryHandedOver?: boolean;
  /**
   * Failed tasks and instances left out of `failedTasks` to keep a payload under Temporal's limit (the signature
   * still covers them all).
   */
  failedInstancesOmitted?: number;
}

/** One line of a job's history in the workflow. */
export interface TimelineEntry {
  at: string;
  event:
    | 'STATE_CHANGED'
    | 'RETRY_SCHEDULED'
    | 'RETRY_SENT'
    | 'ALREADY_RETRIED'
    | 'RETRY_REFUSED'
    | 'RETRY_POSTPONED'
    | 'ESCALATED'
    | 'DECISION'
    | 'DONE';
  detail: string;
}

/** Pending escalation of one job. */
export interface EscalationRecord {
  reason: EscalationReason;
  message: string;
  since: string;
  /** When the job ends as ESCALATED if no decision arrives. */
  decisionDeadline: string;
  /** API error code when the escalation came from an API refusal. */
  code?: string;
}

/** Per-job status, as the status query and the result report it. */
export interface JobStatus {
  jobId: string;
  phase: JobPhase;
  outcome?: JobOutcome;
  /** Last state read from the API. */
  lastKnownState?: JobState | 'NOT_FOUND';
  lastKnownEndTime?: string;
  lastStateChangeAt: string;
  /**
   * The latest moment this job's state is known to have been read from the API (ISO 8601). The workflow moves it
   * with every read it takes in: one that found a change, or one of its own. `getRecoveryStatus` adds the job
   * watcher's reads that found none.
   */
  lastReadAt?: string;
  /** Retries sent (or found already applied) for this job. */
  retries: number;
  /** Retries this job may still use before escalation. */
  retriesLeft: number;
  lastFailure?: FailureRecord;
  /** Consecutive failures with the same signature. */
  repeatedFailures: number;
  nextRetryAt?: string;
  escalation?: EscalationRecord;
  /** True once the job was escalated for the overall deadline (it is not escalated for it twice). */
  deadlineEscalated?: boolean;
  /**
   * What happened to the job, oldest first; the oldest entries are dropped past a cap of 50, and fewer are kept
   * when a payload of many jobs would otherwise pass Temporal's limit.
   */
  timeline: TimelineEntry[];
  /** Number of older timeline entries dropped to keep history small. */
  timelineDropped: number;
}

/** State carried through continue-as-new. */
export interface CarriedState {
  startedAt: string;
  jobs: JobStatus[];
  continuedAsNewCount: number;
}

/** Overall state, also upserted as the `TencentBatchRecoveryState` search attribute. */
export type RecoveryOverallState =
  'WATCHING' | 'RETRYING' | 'AWAITING_DECISION' | 'SUCCEEDED' | 'NEEDS_ATTENTION' | 'CANCELLED';

/** What `statusQuery` returns. */
export interface RecoveryStatus {
  overall: RecoveryOverallState;
  label?: string;
  startedAt: string;
  deadline: string;
  /** When the workflow will next read job states, if it is polling. */
  nextCheckAt?: string;
  /** Workflow IDs of the job watchers this recovery is registered with; absent while it watches nothing. */
  jobWatchers?: string[];
  jobs: JobStatus[];
}

/**
 * Result of `recoverBatchJobsWorkflow`. A cancelled recovery has no result: it ends as Cancelled in Temporal terms
 * (callers see a CancelledFailure), and its jobs' last states stay readable through the status query.
 */
export interface RecoverBatchJobsResult {
  /** SUCCEEDED only when every job's Batch state reached SUCCEED. */
  overall: 'SUCCEEDED' | 'NEEDS_ATTENTION';
  label?: string;
  startedAt: string;
  finishedAt: string;
  jobs: JobStatus[];
}

/** Payload of `jobStateChangedSignal`: a hint that a job changed (e.g. from Batch event notifications). */
export interface JobStateChangedSignal {
  jobId: string;
  /** The state the sender saw; informative only, the workflow re-reads the job from the API. */
  state?: JobState;
}

/** Payload of `resolveEscalationUpdate`. */
export interface ResolveEscalationInput {
  /** Jobs the decision applies to. @default every job awaiting a decision */
  jobIds?: string[];
  decision: 'RETRY' | 'ABANDON' | 'RESOLVE';
  /** With RETRY: how many more retries each job gets. @default 1 */
  extraRetries?: number;
  /** Who decided (shown in the timeline). */
  operator?: string;
  /** Why (shown in the timeline). */
  note?: string;
}

/** What `resolveEscalationUpdate` and `retryNowUpdate` return: the jobs the request changed. */
export interface DecisionAck {
  jobIds: string[];
}

/** Payload of `retryNowUpdate`. */
export interface RetryNowInput {
  /** Jobs waiting for their backoff to end. @default every such job */
  jobIds?: string[];
}

/** What the escalation activity is given: enough for a person to act without opening anything else. */
export interface EscalationNotice {
  workflowId: string;
  runId: string;
  label?: string;
  /** The jobs escalated in this round. */
  jobs: {
    jobId: string;
    reason: EscalationReason;
    message: string;
    code?: string;
    retries: number;
    lastKnownState?: string;
    lastFailure?: FailureRecord;
    decisionDeadline: string;
  }[];
  /** The Update to send, and its choices, so the notice says how to answer. */
  howToDecide: string;
}
