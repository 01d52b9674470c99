/**
 * DeleteJob {JobId} → {}. Only finished jobs (SUCCEED, FAILED) can be deleted; any other state gets
 * `UnsupportedOperation`. Afterwards the job is `ResourceNotFound.Job` everywhere and absent from DescribeJobs.
 */
import { ApiError } from '../api-error';
import { jobStateAt } from '../job-model';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { findJob } from './job-lookup';

const FIELDS = { JobId: p.required(p.string()) };

/** DeleteJob. */
export const deleteJob: ActionHandler = (body, { store, now }) => {
  const params = checkParams(body, FIELDS) as { JobId: string };
  const job = findJob(store, params.JobId);
  const state = jobStateAt(job, now);
  if (state !== 'SUCCEED' && state !== 'FAILED') {
    throw new ApiError(
      'UnsupportedOperation',
      `Job ${job.id} cannot be deleted in state ${state}; only finished jobs can.`,
    );
  }
  store.delete(job.id);
  return { response: {}, effects: { deletedJobId: job.id } };
};
