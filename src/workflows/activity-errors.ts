/**
 * Reading an activity failure the same way in every workflow: the Tencent API error code and message inside it,
 * and whether it failed for good (people must act) rather than for now (worth another try later).
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { TencentApiErrorDetails } from '../shared/errors';

/** The API error code and message inside an activity failure, for escalations and logs. */
export function describeActivityError(err: unknown): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as Partial<TencentApiErrorDetails> | undefined;
    return { code: details?.code ?? cause.type ?? 'UNKNOWN', message: cause.message };
  }
  if (cause instanceof TimeoutFailure)
    return { code: 'TIMEOUT', message: `gave up after retrying: ${cause.message}` };
  return { code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
}

/**
 * True only when the activity failed with an error its retry policy will not retry (credentials refused, a
 * permission missing...): people must act. A timeout, a cancellation requested meanwhile or anything still
 * retryable is not that: the work is simply tried again later.
 */
export function refusedForGood(err: unknown): boolean {
  return err instanceof ActivityFailure && err.retryState === RetryState.NON_RETRYABLE_FAILURE;
}
