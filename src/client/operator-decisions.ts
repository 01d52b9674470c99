/**
 * Operators' requests to a running recovery, sent as Workflow Updates so the caller learns at once which jobs
 * changed, or why nothing did: the workflow's validator refuses a request that applies to no job, and that
 * refusal comes back as {@link RecoveryUpdateRejectedError} with the workflow's own reason.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { isJobId } from '../shared/job-id';
import { resolveEscalationUpdate, retryNowUpdate } from '../shared/messages';
import type { DecisionAck, ResolveEscalationInput, RetryNowInput } from '../shared/recovery-types';
import { InvalidRecoveryInputError, RecoveryUpdateRejectedError } from './errors';
import type { RecoveryClient } from './recovery-client';

/** Choices of an escalation decision. */
export const ESCALATION_DECISIONS = ['RETRY', 'ABANDON', 'RESOLVE'] as const;

/** Most extra retries one RETRY decision may grant (the workflow's own limit). */
export const MAX_EXTRA_RETRIES = 100;

/** Options of the Update-sending helpers. */
export interface UpdateOptions {
  /**
   * The Update's ID. The server answers a repeated ID with the first request's outcome instead of applying it
   * again, so pass a stable one when the caller may retry (e.g. an approval ticket's ID). @default a random UUID
   */
  updateId?: string;
}

/**
 * Applies an operator's decision to escalated jobs (the `resolveEscalation` Update): RETRY with more retries,
 * ABANDON, or RESOLVE (handled outside Batch). Returns the jobs it changed. Throws
 * {@link InvalidRecoveryInputError} for a malformed decision (checked locally),
 * {@link RecoveryUpdateRejectedError} when the workflow refuses it (e.g. `no job is awaiting a decision`), and
 * the SDK's `WorkflowNotFoundError` for an unknown or closed workflow.
 */
export async function decideEscalation(
  client: RecoveryClient,
  workflowId: string,
  decision: ResolveEscalationInput,
  options: UpdateOptions = {},
): Promise<DecisionAck> {
  const problems = decisionProblems(decision);
  if (problems.length > 0) throw new InvalidRecoveryInputError(problems, 'escalation decision');
  return sendUpdate(workflowId, resolveEscalationUpdate.name, () =>
    client.workflow
      .getHandle(workflowId)
      .executeUpdate(resolveEscalationUpdate, { args: [decision], updateId: options.updateId }),
  );
}

/**
 * Ends the backoff of jobs waiting to be retried and retries them now (the `retryNow` Update). Without job IDs:
 * every waiting job. Returns the jobs it changed; refusals as in {@link decideEscalation}.
 */
export async function retryNow(
  client: RecoveryClient,
  workflowId: string,
  request: RetryNowInput = {},
  options: UpdateOptions = {},
): Promise<DecisionAck> {
  const problems = jobIdListProblems(request.jobIds);
  if (problems.length > 0) throw new InvalidRecoveryInputError(problems, 'retryNow request');
  return sendUpdate(workflowId, retryNowUpdate.name, () =>
    client.workflow
      .getHandle(workflowId)
      .executeUpdate(retryNowUpdate, { args: [request], updateId: options.updateId }),
  );
}

/** Every problem with a decision, checked with the workflow validator's rules. */
export function decisionProblems(decision: ResolveEscalationInput): string[] {
  if (decision === null || typeof decision !== 'object') return ['the decision must be an object'];
  const problems: string[] = [];
  if (!ESCALATION_DECISIONS.includes(decision.decision)) {
    problems.push(
      `decision must be one of ${ESCALATION_DECISIONS.join(', ')}, got ${JSON.stringify(decision.decision)}`,
    );
  }
  const extra = decision.extraRetries;
  if (extra !== undefined && (!Number.isInteger(extra) || extra < 1 || extra > MAX_EXTRA_RETRIES)) {
    problems.push(
      `extraRetries must be an integer from 1 to ${MAX_EXTRA_RETRIES}, got ${JSON.stringify(extra)}`,
    );
  }
  return [...problems, ...jobIdListProblems(decision.jobIds)];
}

function jobIdListProblems(jobIds: unknown): string[] {
  if (jobIds === undefined) return [];
  if (!Array.isArray(jobIds) || jobIds.length === 0) {
    return ['jobIds, when given, must be a non-empty array of job IDs'];
  }
  return jobIds.flatMap((id: unknown, index) =>
    isJobId(id) ? [] : [`jobIds[${index}]=${JSON.stringify(id)}: not a job ID`],
  );
}

/** Runs an Update and turns the workflow's refusal into {@link RecoveryUpdateRejectedError}. */
async function sendUpdate<T>(workflowId: string, updateName: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason =
        err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);
      throw new RecoveryUpdateRejectedError(workflowId, updateName, reason, { cause: err });
    }
    throw err;
  }
}
