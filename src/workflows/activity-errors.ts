/**
 * Reading an activity failure the same way in every workflow: the Tencent API error code and message inside it,
 * whether trying again at once could help, and how long work waits after the platform failed it.
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
 * True when the activity failed with an error its retry policy does not retry (a permission missing, a request
 * the API calls invalid): trying again at once fails the same way. A timeout, a cancellation requested meanwhile
 * or anything still retryable is not that.
 */
export function refusedForGood(err: unknown): boolean {
  return err instanceof ActivityFailure && err.retryState === RetryState.NON_RETRYABLE_FAILURE;
}

/**
 * How long work waits after the platform failed it as a whole (RetryJobs not sent, job states not read): long
 * enough for a throttled or restarting service, or a person fixing keys or permissions, not to be asked again
 * every second; short next to the backoff people set for job failures. Platform trouble never fails a job.
 */
export const PLATFORM_TROUBLE_PAUSE_MS = 60_000;
