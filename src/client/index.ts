/**
 * Typed helpers for TypeScript services that start and drive `recoverBatchJobsWorkflow` through
 * `@temporalio/client`. Node-only (they hash with `node:crypto`), never imported by workflow code; nothing here
 * loads `@temporalio/worker` or the Tencent Cloud SDK.
 */
export { InvalidRecoveryInputError, RecoveryUpdateRejectedError } from './errors';
export {
  AWAITING_DECISION,
  escalationsQuery,
  listEscalations,
  type AwaitingJob,
  type ListEscalationsOptions,
  type RecoveryEscalation,
} from './list-escalations';
export { notifyJobStateChanged } from './job-state-notifications';
export {
  ESCALATION_DECISIONS,
  MAX_EXTRA_RETRIES,
  decideEscalation,
  decisionProblems,
  retryNow,
  type UpdateOptions,
} from './operator-decisions';
export type { RecoveryClient } from './recovery-client';
export { waitForRecoveryResult } from './recovery-result';
export { getRecoveryStatus } from './recovery-status';
export {
  DEFAULT_RECOVERY_ID_REUSE_POLICY,
  START_TOKEN_MEMO_KEY,
  startRecovery,
  type RecoveryHandle,
  type StartRecoveryOptions,
  type StartRecoveryOutcome,
  type StartedRecovery,
} from './start-recovery';
export {
  MAX_LABEL_LENGTH,
  checkRecoveryInput,
  validateRecoveryInput,
  type RecoveryInputCheck,
} from './validate-input';
export {
  ID_SCOPE_PATTERN,
  RECOVERY_WORKFLOW_ID_HASH_LENGTH,
  RECOVERY_WORKFLOW_ID_PREFIX,
  recoveryWorkflowId,
  type RecoveryWorkflowIdOptions,
} from './workflow-id';
export { JOB_IDS_SEARCH_ATTRIBUTE, RECOVERY_STATE_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
