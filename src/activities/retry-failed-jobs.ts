import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchApi } from '../batch/batch-api';
import { failureKey, type JobSnapshot, type ObservedFailure, type RetryOutcome } from '../shared/batch-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import { ErrorType, type TencentApiErrorDetails } from '../shared/errors';
import { isJobId } from '../shared/job-id';
import { readJobSnapshots } from './job-snapshots';

/** Input of `retryFailedJobs`: the failures to answer, as the workflow observed them. */
export interface RetryFailedJobsInput {
  failures: ObservedFailure[];
}

/** Output of `retryFailedJobs`: one outcome per input failure, in input order. */
export interface RetryFailedJobsOutput {
  outcomes: RetryOutcome[];
}

/**
 * RetryJobs, made idempotent. The API takes no client token and Temporal runs an activity at least once (a
 * timeout after the API applied the call, a worker crash), so each call is keyed to the failure it answers
 * (job ID + the EndTime the workflow observed):
 *
 * 1. Re-read the jobs just before calling. A job still FAILED with that same EndTime has not been retried; any
 *    other state (running again, succeeded, or a newer failure with a later EndTime) means this failure was
 *    already answered — by an earlier attempt whose answer was lost, or by someone else — and no call is made.
 *    A failure the API reported without an EndTime (`noEndTime`) is still unanswered while the job is FAILED
 *    without an EndTime: once retried, the job leaves FAILED, so the re-read of a later attempt sees that.
 *    The first attempt at failures their owners hand over for the first time, read at most
 *    {@link FRESH_READ_MS} ago (`firstHandOverReadAt`), skips this read: no call of this package can have
 *    answered them, and a job someone else retried since is refused by the API (not FAILED), which step 3 reads
 *    and sorts out. That saves a DescribeJobs, and its wait for the budget, on the way of a prompt retry.
 * 2. Call RetryJobs once for all jobs still in their failure (≤ 100).
 * 3. The API refuses a whole request when one job is not FAILED (UnsupportedOperation) or unknown
 *    (ResourceNotFound.Job). One refusal must not block the rest: re-read, drop the jobs that moved on, and split
 *    the group until each refused job stands alone with its own reason.
 *
 * Throttling, transport faults and credentials errors are thrown (classified by the Batch client layer) for
 * Temporal to retry or stop; a retried attempt starts again at step 1, so it never retries a failure twice.
 * The remaining window: between the read (step 1, or the owner's fresh read) and the call, another actor could
 * retry the job and it could fail anew; only then could one failure see two calls, and the API would refuse the
 * second unless the job re-failed.
 * Without an EndTime the window is wider: a job retried by a lost call that already failed again, again without
 * an EndTime, looks like the failure observed, and a later attempt would retry that new failure too.
 */
export async function retryFailedJobs(
  api: BatchApi,
  input: RetryFailedJobsInput,
  now: () => Date,
): Promise<RetryFailedJobsOutput> {
  const failures = validate(input);
  const outcomes = new Map<string, RetryOutcome>();
  const byId = new Map(failures.map((f) => [f.jobId, f]));

  /** Classifies jobs by a fresh read; returns those still in the failure the workflow observed. */
  const stillFailed = (ids: string[], snapshots: JobSnapshot[]): string[] => {
    const current = new Map(snapshots.map((s) => [s.jobId, s]));
    return ids.filter((jobId) => {
      const s = current.get(jobId);
      const observed = byId.get(jobId) as ObservedFailure;
      if (!s || s.state === 'NOT_FOUND') {
        outcomes.set(jobId, {
          jobId,
          outcome: 'NOT_RETRIABLE',
          code: 'ResourceNotFound.Job',
          reason: 'the job does not exist',
        });
        return false;
      }
      const sameFailure = observed.noEndTime ? s.endTime === undefined : s.endTime === observed.endTime;
      if (s.state === 'FAILED' && sameFailure) return true;
      outcomes.set(jobId, {
        jobId,
        outcome: 'ALREADY_RETRIED',
        currentState: s.state,
        currentEndTime: s.endTime,
      });
      log.info('Failure already answered; no RetryJobs call', {
        failure: failureKey(observed),
        state: s.state,
        endTime: s.endTime,
      });
      return false;
    });
  };

  const send = async (group: string[]): Promise<void> => {
    if (group.length === 0) return;
    heartbeat({ sending: group.length });
    try {
      const { requestId } = await api.retryJobs({ jobIds: group });
      for (const jobId of group) outcomes.set(jobId, { jobId, outcome: 'RETRIED', requestId });
      log.info('RetryJobs accepted', {
        requestId,
        failures: group.map((id) => failureKey(byId.get(id) as ObservedFailure)),
      });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // Re-read: the refusal may be a race with another retrier, or one job among many.
      const remaining = stillFailed(group, await readJobSnapshots(api, group, now));
      if (remaining.length === 0) return;
      if (remaining.length === 1) {
        const [jobId] = remaining as [string];
        if (remaining.length < group.length) return send(remaining);
        const details = err.details?.[0] as Partial<TencentApiErrorDetails> | undefined;
        outcomes.set(jobId, {
          jobId,
          outcome: 'NOT_RETRIABLE',
          code: details?.code ?? err.type ?? 'UNKNOWN',
          reason: err.message,
        });
        log.warn('RetryJobs refused a job', { jobId, code: details?.code, requestId: details?.requestId });
        return;
      }
      if (remaining.length < group.length) return send(remaining);
      const mid = Math.ceil(remaining.length / 2);
      await send(remaining.slice(0, mid));
      await send(remaining.slice(mid));
    }
  };

  const ids = failures.map((f) => f.jobId);
  await send(readFresh(failures, now()) ? ids : stillFailed(ids, await readJobSnapshots(api, ids, now)));
  return { outcomes: ids.map((id) => outcomes.get(id) as RetryOutcome) };
}

/** How old the owner's read of a failure handed over for the first time may be for the call to go without another. */
export const FRESH_READ_MS = 5_000;

/** True on the first attempt at failures all handed over for the first time on a read at most FRESH_READ_MS old. */
function readFresh(failures: ObservedFailure[], now: Date): boolean {
  if (activityInfo().attempt !== 1) return false;
  return failures.every((f) => {
    const readAtMs = f.firstHandOverReadAt === undefined ? NaN : Date.parse(f.firstHandOverReadAt);
    return now.getTime() - readAtMs <= FRESH_READ_MS;
  });
}

/** A refusal of the request's jobs (not of the caller, not transient): splitting the group can isolate it. */
function isRefusal(err: unknown): err is ApplicationFailure {
  return (
    err instanceof ApplicationFailure &&
    (err.type === ErrorType.UnsupportedOperation || err.type === ErrorType.JobNotFound)
  );
}

function validate(input: RetryFailedJobsInput): ObservedFailure[] {
  const failures = input?.failures;
  const problems: string[] = [];
  if (!Array.isArray(failures) || failures.length === 0)
    problems.push('failures must list at least one failure');
  else {
    if (failures.length > MAX_JOB_IDS_PER_REQUEST)
      problems.push(`at most ${MAX_JOB_IDS_PER_REQUEST} failures per call`);
    const seen = new Set<string>();
    failures.forEach((f, i) => {
      if (!isJobId(f?.jobId)) problems.push(`failures[${i}].jobId is not a job ID`);
      else if (seen.has(f.jobId)) problems.push(`failures[${i}]: job ${f.jobId} is listed twice`);
      else seen.add(f.jobId);
      if (typeof f?.endTime !== 'string' || f.endTime === '')
        problems.push(`failures[${i}].endTime is required`);
      if (f?.noEndTime !== undefined && typeof f.noEndTime !== 'boolean')
        problems.push(`failures[${i}].noEndTime must be a boolean`);
      if (
        f?.firstHandOverReadAt !== undefined &&
        !(typeof f.firstHandOverReadAt === 'string' && Number.isFinite(Date.parse(f.firstHandOverReadAt)))
      )
        problems.push(`failures[${i}].firstHandOverReadAt must be an ISO 8601 time`);
    });
  }
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      message: `invalid retryFailedJobs input: ${problems.join('; ')}`,
      type: ErrorType.InvalidInput,
      nonRetryable: true,
    });
  }
  return failures;
}
