/**
 * Local validation of a recovery's input with the workflow's own rules (`normalizeJobIds`, `resolvePolicy`), so a
 * caller learns every mistake at once from the start call instead of from a workflow that fails on its first task.
 */
import { normalizeJobIds } from '../shared/job-id';
import { resolvePolicy } from '../shared/recovery-policy';
import type { RecoverBatchJobsInput } from '../shared/recovery-types';
import { removedInputFieldProblems } from '../shared/removed-input-fields';
import { taskQueuesProblems } from '../shared/task-queues-input';
import { InvalidRecoveryInputError } from './errors';
import { describeJobIdProblem } from './workflow-id';

/** Longest label accepted: it is shown in escalations, the web UI summary and CLI tables. */
export const MAX_LABEL_LENGTH = 200;

/** Result of {@link checkRecoveryInput}: the input with its job IDs normalized, or every problem found. */
export type RecoveryInputCheck =
  { ok: true; input: RecoverBatchJobsInput } | { ok: false; problems: string[] };

/**
 * Checks `input` with the workflow's rules and returns it with its job IDs validated and de-duplicated
 * (first-seen order), or every problem: each malformed job ID, each bad policy field, a bad label or task queue
 * override.
 */
export function checkRecoveryInput(input: RecoverBatchJobsInput): RecoveryInputCheck {
  if (input === null || typeof input !== 'object') {
    return { ok: false, problems: ['input must be an object with jobIds'] };
  }
  const problems: string[] = [];
  const ids = normalizeJobIds(input.jobIds);
  if (!ids.ok) problems.push(...ids.problems.map(describeJobIdProblem));
  const policy = resolvePolicy(input.policy);
  if (!policy.ok) problems.push(...policy.problems);
  if (
    input.label !== undefined &&
    (typeof input.label !== 'string' || input.label.length > MAX_LABEL_LENGTH)
  ) {
    problems.push(`label must be a string of at most ${MAX_LABEL_LENGTH} characters`);
  }
  problems.push(...taskQueuesProblems(input.taskQueues));
  problems.push(...removedInputFieldProblems(input));
  if (input.carriedState !== undefined) {
    problems.push('carriedState is set by the workflow itself when it continues as new; leave it out');
  }
  if (!ids.ok || problems.length > 0) return { ok: false, problems };
  return { ok: true, input: { ...input, jobIds: ids.jobIds } };
}

/** {@link checkRecoveryInput} that throws {@link InvalidRecoveryInputError} listing every problem. */
export function validateRecoveryInput(input: RecoverBatchJobsInput): RecoverBatchJobsInput {
  const checked = checkRecoveryInput(input);
  if (!checked.ok) throw new InvalidRecoveryInputError(checked.problems);
  return checked.input;
}
