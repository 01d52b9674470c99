/**
 * Idempotent start of `recoverBatchJobsWorkflow` from another TypeScript service.
 *
 * - The workflow ID is derived from the job set ({@link recoveryWorkflowId}), so repeating a start is safe.
 * - `workflowIdConflictPolicy: USE_EXISTING`: a start while a recovery of the same jobs runs joins it.
 * - `workflowIdReusePolicy: ALLOW_DUPLICATE_FAILED_ONLY` by default: once a recovery of these jobs has
 *   completed (SUCCEEDED, or NEEDS_ATTENTION after operators decided), a repeated start returns that run instead
 *   of watching and retrying the same jobs again behind the operators' backs; a run that failed, was cancelled,
 *   timed out or was terminated can be started again. This lasts as long as the
 *   namespace keeps closed workflows (its retention period).
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
  type WorkflowIdReusePolicy,
} from '@temporalio/client';
import { DEFAULT_WORKFLOW_TASK_QUEUE, RECOVER_BATCH_JOBS_WORKFLOW_TYPE } from '../shared/constants';
import type { RecoverBatchJobsInput } from '../shared/recovery-types';
import type { recoverBatchJobsWorkflow } from '../workflows';
import {
  JOB_IDS_SEARCH_ATTRIBUTE,
  RECOVERY_STATE_SEARCH_ATTRIBUTE,
  searchableJobIds,
} from '../workflows/search-attributes';
import { InvalidRecoveryInputError } from './errors';
import type { RecoveryClient } from './recovery-client';
import { checkRecoveryInput } from './validate-input';
import { scopeProblems, workflowIdOfValidJobIds } from './workflow-id';

/** A handle typed with the recovery workflow's result. */
export type RecoveryHandle = WorkflowHandle<typeof recoverBatchJobsWorkflow>;

/**
 * Memo key holding a random token per start call: the only way to tell, after a `USE_EXISTING` start, whether
 * this call created the run (the TypeScript client does not surface the server's `started` flag).
 */
export const START_TOKEN_MEMO_KEY = 'tencentBatchRecoveryStartToken';

/**
 * Reuse policy of {@link startRecovery}: a completed recovery of the same jobs is returned, not repeated.
 * @default 'ALLOW_DUPLICATE_FAILED_ONLY'
 */
export const DEFAULT_RECOVERY_ID_REUSE_POLICY: WorkflowIdReusePolicy = 'ALLOW_DUPLICATE_FAILED_ONLY';

/** Options of {@link startRecovery}. */
export interface StartRecoveryOptions {
  /** Task queue the recovery worker polls for workflows. @default DEFAULT_WORKFLOW_TASK_QUEUE ('tencent-batch-recovery') */
  taskQueue?: string;
  /** A namespace inside the workflow ID; see {@link RecoveryWorkflowIdOptions.scope}. @default none */
  idScope?: string;
  /**
   * What a start does when a closed recovery of the same jobs exists. `ALLOW_DUPLICATE` watches them again
   * (e.g. after a person fixed the cause outside Temporal). @default DEFAULT_RECOVERY_ID_REUSE_POLICY
   */
  workflowIdReusePolicy?: Exclude<WorkflowIdReusePolicy, 'TERMINATE_IF_RUNNING'>;
}

/** How {@link startRecovery} ended. */
export type StartRecoveryOutcome =
  /** This call started a new run. */
  | 'STARTED'
  /** A recovery of the same jobs was running; this call joined it (its input is the first caller's). */
  | 'JOINED_RUNNING'
  /** A closed recovery of the same jobs exists and the reuse policy kept it: its handle is returned. */
  | 'ALREADY_CLOSED';

/** What {@link startRecovery} returns. */
export interface StartedRecovery {
  /** The deterministic workflow ID. */
  workflowId: string;
  /** The run this call started, joined or found closed. */
  runId: string;
  /** True unless this call started the run. */
  joined: boolean;
  outcome: StartRecoveryOutcome;
  /** The run's status when the call returned (`RUNNING` unless the outcome is `ALREADY_CLOSED`). */
  status: WorkflowExecutionStatusName;
  /** Handle on the workflow (follows continue-as-new to the latest run). */
  handle: RecoveryHandle;
}

/**
 * Starts (or joins) the recovery of `input.jobIds`. The input is validated locally first with the workflow's own
 * rules; every problem is thrown at once as {@link InvalidRecoveryInputError}. Sets the `TencentBatchJobIds` and
 * `TencentBatchRecoveryState=WATCHING` search attributes at start (the namespace must have them registered) and a
 * static summary for the web UI.
 */
export async function startRecovery(
  client: RecoveryClient,
  input: RecoverBatchJobsInput,
  options: StartRecoveryOptions = {},
): Promise<StartedRecovery> {
  const checked = checkRecoveryInput(input);
  const problems = [...(checked.ok ? [] : checked.problems), ...scopeProblems(options.idScope)];
  if (!checked.ok || problems.length > 0) throw new InvalidRecoveryInputError(problems);
  const validInput = checked.input;
  const workflowId = workflowIdOfValidJobIds(validInput.jobIds, options.idScope);
  const startToken = randomUUID();
  try {
    const started = await client.workflow.start<typeof recoverBatchJobsWorkflow>(
      RECOVER_BATCH_JOBS_WORKFLOW_TYPE,
      {
        workflowId,
        taskQueue: options.taskQueue ?? DEFAULT_WORKFLOW_TASK_QUEUE,
        args: [validInput],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: options.workflowIdReusePolicy ?? DEFAULT_RECOVERY_ID_REUSE_POLICY,
        typedSearchAttributes: [
          { key: JOB_IDS_SEARCH_ATTRIBUTE, value: searchableJobIds(validInput.jobIds) },
          { key: RECOVERY_STATE_SEARCH_ATTRIBUTE, value: 'WATCHING' },
        ],
        memo: { [START_TOKEN_MEMO_KEY]: startToken },
        staticSummary: staticSummary(validInput),
        staticDetails: staticDetails(validInput),
      },
    );
    const runId = started.firstExecutionRunId;
    const description = await client.workflow.getHandle(workflowId, runId).describe();
    const joined = description.memo?.[START_TOKEN_MEMO_KEY] !== startToken;
    return {
      workflowId,
      runId,
      joined,
      outcome: joined ? 'JOINED_RUNNING' : 'STARTED',
      status: description.status.name,
      // A joined run may be a continued-as-new one: its run ID is not the chain's first, so it must not be
      // passed as `firstExecutionRunId` (the server would refuse updates and cancellation).
      handle: joined ? client.workflow.getHandle<typeof recoverBatchJobsWorkflow>(workflowId) : started,
    };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle<typeof recoverBatchJobsWorkflow>(workflowId);
    const description = await handle.describe();
    return {
      workflowId,
      runId: description.runId,
      joined: true,
      outcome: 'ALREADY_CLOSED',
      status: description.status.name,
      handle,
    };
  }
}

/** One line for the web UI's list: how many jobs, and the caller's label. */
function staticSummary(input: RecoverBatchJobsInput): string {
  const jobs =
    input.jobIds.length === 1 ? '1 Tencent Batch job' : `${input.jobIds.length} Tencent Batch jobs`;
  const label = input.label?.replace(/\s+/g, ' ').trim();
  return `Recover ${jobs}${label ? `: ${label}` : ''}`;
}

/** Markdown for the web UI's details: the watched jobs (the first 50) and how to answer an escalation. */
function staticDetails(input: RecoverBatchJobsInput): string {
  const shown = input.jobIds.slice(0, 50).map((id) => `\`${id}\``);
  const more = input.jobIds.length > 50 ? ` and ${input.jobIds.length - 50} more` : '';
  return [
    `**Jobs:** ${shown.join(', ')}${more}`,
    '',
    'Escalations are answered with the `resolveEscalation` Update (`tencent-batch-recovery decide <workflowId> retry|abandon|resolve`).',
  ].join('\n');
}
