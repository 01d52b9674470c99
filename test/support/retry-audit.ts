/**
 * The idempotency invariant, stated so that it can fail: every RetryJobs the API applied answers a failure (job,
 * EndTime) that the job's owner had observed before the call landed. Counting two calls per (job, EndTime) cannot
 * see a real duplicate: the API refuses a job that is not FAILED and every new failure has a later EndTime, so a
 * stale or repeated call lands on the job's NEXT failure, one its owner has not seen and its policy has not
 * decided. That is what this finds.
 *
 * The owner's observations are its own record: the timeline's `STATE_CHANGED` entries into a failed state, timed
 * when the workflow took the news in (their detail ends with `(EndTime …)`, as src/workflows/job-tracker.ts writes
 * it); the `RETRY_SCHEDULED` entries of a retry the job watcher handed over on the owner's standing order, timed at
 * the watcher's read (`read at … (EndTime …)`): the owner's policy decided that failure before it happened;
 * `lastFailure`, timed at the read, only when old timeline entries were dropped. Should that wording change, no
 * failure reads as observed and every retry is reported: the check fails closed.
 */
import type { AppliedRetry } from '../../src/emulator';
import type { JobStatus } from '../../src/shared/recovery-types';

/** An applied retry of a failure its owner had not observed when the call landed. */
export interface UnobservedRetry {
  jobId: string;
  failureEndTime: string;
  requestId: string;
  /** When the API applied it (ISO). */
  landedAt: string;
  /** When the owner first observed that failure, if it ever did (after the call landed). */
  observedAt?: string;
}

const OBSERVED_FAILURE = /→ FAILED(?:_INTERRUPTED)? \(EndTime ([^)]+)\)$/;
const READ_ON_STANDING_ORDER = /standing order, read at (\S+) \(EndTime ([^)]+)\)/;

/** Each failure (by EndTime) the owner of `job` observed, with when it first did (epoch ms). */
export function failuresObserved(job: JobStatus): Map<string, number> {
  const observed = new Map<string, number>();
  const note = (endTime: string, at: string): void => {
    const ms = Date.parse(at);
    const known = observed.get(endTime);
    if (known === undefined || ms < known) observed.set(endTime, ms);
  };
  for (const entry of job.timeline) {
    const endTime = entry.event === 'STATE_CHANGED' ? OBSERVED_FAILURE.exec(entry.detail)?.[1] : undefined;
    if (endTime !== undefined) note(endTime, entry.at);
    const onOrder = entry.event === 'RETRY_SCHEDULED' ? READ_ON_STANDING_ORDER.exec(entry.detail) : null;
    if (onOrder?.[1] !== undefined && onOrder[2] !== undefined) note(onOrder[2], onOrder[1]);
  }
  if (job.lastFailure && job.timelineDropped > 0) note(job.lastFailure.endTime, job.lastFailure.observedAt);
  return observed;
}

/** The applied retries (`retriesOf`: the ledger's, by job) of failures the jobs' owners had not yet observed. */
export function retriesOfUnobservedFailures(
  jobs: readonly JobStatus[],
  retriesOf: (jobId: string) => readonly Pick<AppliedRetry, 'at' | 'requestId' | 'failureEndTime'>[],
): UnobservedRetry[] {
  return jobs.flatMap((job) => {
    const observed = failuresObserved(job);
    return retriesOf(job.jobId).flatMap((retry) => {
      const observedAtMs = observed.get(retry.failureEndTime);
      if (observedAtMs !== undefined && observedAtMs <= retry.at) return [];
      return [
        {
          jobId: job.jobId,
          failureEndTime: retry.failureEndTime,
          requestId: retry.requestId,
          landedAt: new Date(retry.at).toISOString(),
          ...(observedAtMs !== undefined ? { observedAt: new Date(observedAtMs).toISOString() } : {}),
        },
      ];
    });
  });
}
