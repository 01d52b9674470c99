/**
 * Errors the client helpers raise, typed so that callers (services, the CLI) can tell a caller's mistake from
 * the workflow's refusal from an outage without parsing messages.
 */

/**
 * A request was refused locally, before anything reached Temporal: a start's input, a decision, a signal. Lists
 * every problem found, not just the first.
 */
export class InvalidRecoveryInputError extends Error {
  override readonly name = 'InvalidRecoveryInputError';
  /** Every problem found, one sentence each (`jobIds[2]="job-x": not a job ID ...`, `policy.pollInterval: ...`). */
  readonly problems: readonly string[];

  /** @param what names the refused request in the message. @default 'recovery input' */
  constructor(problems: readonly string[], what = 'recovery input') {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid ${what} (${count}):\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/**
 * The workflow refused an Update (`resolveEscalation` or `retryNow`): its validator found nothing the request
 * could apply to, or the request was malformed. Nothing changed in the workflow.
 */
export class RecoveryUpdateRejectedError extends Error {
  override readonly name = 'RecoveryUpdateRejectedError';

  constructor(
    /** The workflow that refused. */
    readonly workflowId: string,
    /** The Update's name: `resolveEscalation` or `retryNow`. */
    readonly updateName: string,
    /** The workflow's own reason, e.g. `no job is awaiting a decision`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`workflow ${workflowId} rejected ${updateName}: ${reason}`, options);
  }
}
