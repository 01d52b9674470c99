/**
 * Reading an activity failure the same way in every workflow: the Tencent API error code and message inside it,
 * and whether it only ran out of time (worth another try later) rather than failing for good.
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
 * True when the activity stopped because its schedule-to-close time ran out: the server ends it with a timeout,
 * or with the last attempt's (retryable) failure when the next attempt would not fit.
 */
export function ranOutOfTime(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT)
  );
}
