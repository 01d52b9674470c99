/**
 * RetryJobs {JobIds: 1..100} → {}.
 *
 * Only FAILED jobs can be retried. Each is reset synchronously, within the request: its failed instances and
 * the instances that never ran behind them go back to PENDING as if run for the first time (succeeded ones
 * are kept), its EndTime is cleared, and the next scripted attempt starts — so an immediate DescribeJobs
 * already sees the job out of FAILED.
 *
 * A request naming several jobs is ATOMIC (the API leaves this undocumented; this is the emulator's choice):
 * if any ID is malformed (`InvalidParameter.JobIdMalformed`), unknown (`ResourceNotFound.Job`) or names a job
 * that is not FAILED (`UnsupportedOperation`), the whole request fails, nothing is applied, and the message
 * names every offending job. Checks run in that order. Repeated IDs are retried once. Region is optional
 * here (seed document); with one, jobs of other regions are unknown.
 */
import { ApiError, jobNotFound } from '../api-error';
import { MAX_JOB_IDS_PER_REQUEST } from '../batch-api-constants';
import { formatApiTime } from '../clock';
import { type Job, jobStateAt } from '../job-model';
import { retryJob } from '../job-planner';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { checkJobIdsWellFormed, distinct, jobInRegion } from './job-lookup';

const FIELDS = {
  JobIds: p.required(p.array(p.string(), { minItems: 1, maxItems: MAX_JOB_IDS_PER_REQUEST })),
};

/** RetryJobs. */
export const retryJobs: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as { JobIds: string[] };
  const jobIds = distinct(params.JobIds);
  checkJobIdsWellFormed(jobIds);

  const unknown = jobIds.filter((id) => jobInRegion(store, id, region) === undefined);
  if (unknown.length > 0) throw jobNotFound(unknown);
  const jobs = jobIds.map((id) => store.get(id)).filter((job): job is Job => job !== undefined);

  const notFailed = jobs
    .map((job) => ({ job, state: jobStateAt(job, now) }))
    .filter(({ state }) => state !== 'FAILED');
  if (notFailed.length > 0) {
    throw new ApiError(
      'UnsupportedOperation',
      'RetryJobs only retries jobs in FAILED state; nothing was retried. Not FAILED: ' +
        notFailed.map(({ job, state }) => `${job.id} (${state})`).join(', ') +
        '.',
    );
  }

  const retried = jobs.map((job) => {
    const failureEndTime = formatApiTime(job.endTimeMs);
    retryJob(job, now, store.nodeId);
    return { jobId: job.id, failureEndTime };
  });
  return { response: {}, effects: { retried } };
};
