/**
 * Activity options of the recovery workflow, in one place, each with why it is what it is.
 */
import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/common';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../shared/errors';

const nonRetryableErrorTypes = [...NON_RETRYABLE_ERROR_TYPES];

/**
 * Polling by activity retry: the activity reads job states and fails with a BENIGN `JobsUnchanged` while nothing
 * moved; the server re-runs it every `pollInterval` (backoff 1). Retries add no history events, so an hour of
 * waiting costs the same history as a minute. A poll that fails retryably (refused credentials, a fault) is simply
 * the next poll, one interval later. The schedule-to-close timeout is set per call by the caller.
 */
export function pollOptions(
  pollIntervalMs: number,
  untilNextWakeMs: number,
  taskQueue: string,
): ActivityOptions {
  return {
    taskQueue,
    // One DescribeJobs per 100 jobs, after its turn in the API budget (heartbeating while it waits).
    startToCloseTimeout: '2m',
    heartbeatTimeout: '30s',
    scheduleToCloseTimeout: Math.max(1_000, untilNextWakeMs),
    retry: {
      initialInterval: pollIntervalMs,
      backoffCoefficient: 1,
      maximumInterval: pollIntervalMs,
      nonRetryableErrorTypes,
    },
  };
}

/**
 * RetryJobs runs on its own task queue, whose server-side rate limit keeps every worker together under the API's
 * limit. Throttling, transport faults and refused credentials are retried quickly but with a cap; after an hour of
 * failing the call ends and its jobs wait a minute before they are handed over again (never escalated for it). The
 * activity is idempotent, so these retries cannot retry a failure twice.
 */
export const RETRY_JOBS_RETRY_POLICY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes,
};

export function retryJobsOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    // Re-read (DescribeJobs) + RetryJobs, and at worst a few split calls after a partial refusal.
    startToCloseTimeout: '60s',
    heartbeatTimeout: '20s',
    scheduleToCloseTimeout: '1h',
    retry: RETRY_JOBS_RETRY_POLICY,
  };
}

/**
 * Failure details: DescribeJob + DescribeTask per failed job, each waiting for the API budget (100 jobs at the
 * default 2 DescribeJob/s take over a minute); progress is kept in heartbeats, so a retried attempt resumes.
 */
export function describeOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    scheduleToCloseTimeout: '30m',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
  };
}

/**
 * Escalation notice (log line + optional webhook). The log line is written on the first attempt; a webhook that is
 * down is retried for about ten minutes, then the workflow goes on waiting for a decision anyway.
 */
export const NOTIFY_ESCALATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [ErrorType.InvalidInput],
  },
};

/**
 * The signals between the package's workflows, sent by local activities through the worker's own connection
 * (signal-with-start of the dispatcher and the watcher, bulk signals to owners): cheap and unthrottled, retried for
 * a few minutes while the server is briefly unreachable. Local, so that a hand-over costs its workflow no task.
 */
export const SIGNAL_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  // Waits between attempts are workflow timers, so a failing hand-over does not hold the worker's task slot.
  localRetryThreshold: '1s',
};

/**
 * How long a recovery workflow waits for the dispatcher's answer before asking again. A call normally ends in
 * seconds; one retried through throttling or an outage can take longer, and then the request asked again waits
 * behind it in the dispatcher (which never has one job in two calls), so a wedged or lost dispatcher holds a
 * recovery only this long.
 */
export const DISPATCHER_ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * The watcher's and the dispatcher's bulk signals (see `fanOutSignal`): the same schedule as
 * {@link SIGNAL_ACTIVITY_OPTIONS}, as a regular activity on the workflows' own task queue.
 */
export function fanOutOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '10m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  };
}

/**
 * One read of job states (the job watcher's first look at new jobs): retried like the other describes while
 * throttled, faulty or refused the credentials, but only for a few minutes, since the watcher reads again anyway.
 * At most a minute apart: refused keys are fixed by a person, in minutes, and a read every few seconds meanwhile
 * would only fill the refusal counters; within a minute of the fix the jobs are read.
 */
export function readStatesOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    // One DescribeJobs, after its turn in the API budget (heartbeating while it waits).
    startToCloseTimeout: '2m',
    heartbeatTimeout: '30s',
    scheduleToCloseTimeout: '5m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
  };
}
