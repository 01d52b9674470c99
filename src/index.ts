/**
 * The package's client entry (`import … from 'tencent-batch-recovery'`): what another TypeScript service needs
 * to start and drive `recoverBatchJobsWorkflow` — the public contract (names, input/result/status types,
 * message definitions, validation rules, error types) and the typed client helpers. It loads neither
 * `@temporalio/worker` nor the Tencent Cloud SDK nor the emulator: workers come from
 * `tencent-batch-recovery/worker`, workflow code from `tencent-batch-recovery/workflows`.
 */

// The contract: names, limits and search attributes.
export {
  DEFAULT_DESCRIBE_JOBS_RPS,
  DEFAULT_DESCRIBE_TASK_QUEUE,
  DEFAULT_RETRY_JOBS_RPS,
  DEFAULT_RETRY_TASK_QUEUE,
  DEFAULT_WORKFLOW_TASK_QUEUE,
  MAX_JOB_IDS_PER_REQUEST,
  MAX_JOB_IDS_PER_WORKFLOW,
  RECOVER_BATCH_JOBS_WORKFLOW_TYPE,
  SEARCH_ATTRIBUTE_DEFINITIONS,
  SEARCH_ATTRIBUTES,
} from './shared/constants';
export type {
  BackoffPolicyInput,
  CarriedState,
  DecisionAck,
  EscalationNotice,
  EscalationPolicyInput,
  EscalationReason,
  EscalationRecord,
  FailureRecord,
  GlobPattern,
  JobOutcome,
  JobPhase,
  JobStateChangedSignal,
  JobStatus,
  RecoverBatchJobsInput,
  RecoverBatchJobsResult,
  RecoveryOverallState,
  RecoveryPolicyInput,
  RecoveryStatus,
  ResolveEscalationInput,
  RetryNowInput,
  RetryRule,
  TaskQueuesInput,
  TimelineEntry,
} from './shared/recovery-types';
export {
  JOB_STATES,
  TERMINAL_JOB_STATES,
  type FailedTask,
  type FailedTaskInstance,
  type JobState,
} from './shared/batch-types';
export {
  jobStateChangedSignal,
  resolveEscalationUpdate,
  retryNowUpdate,
  statusQuery,
} from './shared/messages';
export {
  JOB_ID_PATTERN,
  isJobId,
  normalizeJobIds,
  type JobIdListProblem,
  type NormalizedJobIds,
} from './shared/job-id';
export {
  DEFAULT_POLICY,
  MIN_POLL_INTERVAL_MS,
  resolvePolicy,
  type PolicyResolution,
  type ResolvedPolicy,
} from './shared/recovery-policy';
export { ErrorType, NON_RETRYABLE_ERROR_TYPES, type TencentApiErrorDetails } from './shared/errors';

// The client helpers.
export * from './client';
