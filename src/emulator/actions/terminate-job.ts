/**
 * TerminateJob {JobId} → {}. Asynchronous, as in the API: the job reaches FAILED shortly after the answer.
 * Refused with `UnsupportedOperation` while the job is SUBMITTED (documented) and once it has SUCCEEDED or
 * FAILED (nothing left to terminate; undocumented choice). A FAILED_INTERRUPTED job's kept instances are
 * released and the job becomes FAILED. A second TerminateJob while the first is under way: `ResourceInUse.Job`.
 */
import { ApiError } from '../api-error';
import { jobStateAt } from '../job-model';
import { isTerminating, terminateJob as terminate } from '../job-planner';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { findJob } from './job-lookup';

const FIELDS = { JobId: p.required(p.string()) };

/** TerminateJob. */
export const terminateJob: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as { JobId: string };
  const job = findJob(store, params.JobId, region);
  if (isTerminating(job, now)) {
    throw new ApiError('ResourceInUse.Job', `Job ${job.id} is already being terminated.`);
  }
  const state = jobStateAt(job, now);
  if (state === 'SUBMITTED' || state === 'SUCCEED' || state === 'FAILED') {
    throw new ApiError('UnsupportedOperation', `Job ${job.id} cannot be terminated in state ${state}.`);
  }
  terminate(job, now);
  return { response: {}, effects: { terminatedJobId: job.id } };
};
