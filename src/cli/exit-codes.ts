/**
 * Exit codes of `tencent-batch-recovery`, stable for scripts: a caller can tell a typo from a missing workflow
 * from a refused decision from a recovery that ended needing people.
 */
export const ExitCode = {
  /** The command did what was asked (for `watch`: the recovery SUCCEEDED). */
  OK: 0,
  /** Anything unexpected: the server could not be reached, an RPC failed. */
  FAILURE: 1,
  /** Bad command line or input: unknown command or option, malformed job IDs, invalid policy or decision. */
  USAGE: 2,
  /** No workflow with that ID in the namespace (or it is closed, for signals and updates). */
  NOT_FOUND: 3,
  /** The workflow refused the decision or retry-now request; nothing changed. */
  REJECTED: 4,
  /** `watch`: the recovery ended NEEDS_ATTENTION (some job escalated, abandoned or resolved by hand). */
  NEEDS_ATTENTION: 5,
  /** `watch`: the recovery was cancelled. */
  CANCELLED: 6,
  /** `watch`: the workflow failed, timed out or was terminated. */
  WORKFLOW_FAILED: 7,
  /** `watch` stopped by Ctrl-C (128 + SIGINT); the workflow keeps running. */
  INTERRUPTED: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
