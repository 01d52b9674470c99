/**
 * The deterministic workflow ID of a recovery: the same job set always maps to the same ID, so a start that is
 * repeated (a caller's retry, two services reacting to the same pipeline) joins one workflow instead of
 * starting a second one that would retry the same jobs.
 *
 *   tencent-batch-recovery-[<scope>-]<first 16 hex digits of sha256(sorted unique job IDs joined by ",")>
 *
 * Any language can compute it (docs/calling-from-other-services.md); 64 bits of the hash make an accidental
 * collision between two job sets negligible.
 */
import { createHash } from 'node:crypto';
import { normalizeJobIds } from '../shared/job-id';
import { InvalidRecoveryInputError } from './errors';

/** Prefix of every workflow ID {@link recoveryWorkflowId} builds. */
export const RECOVERY_WORKFLOW_ID_PREFIX = 'tencent-batch-recovery-';

/** Hex digits of the sha256 kept in the ID. */
export const RECOVERY_WORKFLOW_ID_HASH_LENGTH = 16;

/** Characters a scope may use: they end up in a workflow ID, in URLs of the web UI and in shell commands. */
export const ID_SCOPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Options of {@link recoveryWorkflowId}. */
export interface RecoveryWorkflowIdOptions {
  /**
   * A caller's namespace inside the ID (a team, an environment, a pipeline family): recoveries of the same jobs
   * under different scopes are different workflows, so only use it to separate callers that never share jobs.
   * 1-64 characters of letters, digits, `.`, `_` and `-`. @default none
   */
  scope?: string;
}

/**
 * The workflow ID of the recovery of `jobIds`. Order and duplicates do not matter. Throws
 * {@link InvalidRecoveryInputError} listing every malformed job ID or a bad scope.
 */
export function recoveryWorkflowId(
  jobIds: readonly string[],
  options: RecoveryWorkflowIdOptions = {},
): string {
  const normalized = normalizeJobIds(jobIds);
  const problems = [
    ...(normalized.ok ? [] : normalized.problems.map(describeJobIdProblem)),
    ...scopeProblems(options.scope),
  ];
  if (!normalized.ok || problems.length > 0) throw new InvalidRecoveryInputError(problems);
  return workflowIdOfValidJobIds(normalized.jobIds, options.scope);
}

/** {@link recoveryWorkflowId} for job IDs already validated and de-duplicated. */
export function workflowIdOfValidJobIds(jobIds: readonly string[], scope?: string): string {
  const digest = createHash('sha256')
    .update([...jobIds].sort().join(','))
    .digest('hex')
    .slice(0, RECOVERY_WORKFLOW_ID_HASH_LENGTH);
  return `${RECOVERY_WORKFLOW_ID_PREFIX}${scope === undefined ? '' : `${scope}-`}${digest}`;
}

/** Problems with a scope, as sentences (none when it is absent or valid). */
export function scopeProblems(scope: string | undefined): string[] {
  if (scope === undefined || (typeof scope === 'string' && ID_SCOPE_PATTERN.test(scope))) return [];
  return [
    `scope ${JSON.stringify(scope)} must be 1-64 characters of letters, digits, ".", "_" and "-", starting with a letter or digit`,
  ];
}

/** One job-ID problem as a sentence that names the offending entry. */
export function describeJobIdProblem(problem: { index: number; value: unknown; problem: string }): string {
  return problem.index >= 0
    ? `jobIds[${problem.index}]=${JSON.stringify(problem.value)}: ${problem.problem}`
    : problem.problem;
}
