/**
 * DeleteJob {JobId} → {}. Only finished jobs (SUCCEED, FAILED) can be deleted; any other state gets
 * `UnsupportedOperation`, except a job whose TerminateJob is still under way: `ResourceInUse.Job`. Afterwards
 * the job is `ResourceNotFound.Job` everywhere and absent from DescribeJobs.
 */
import { ApiError } from '../api-error';
import { jobStateAt } from '../job-model';
import { isTerminating } from '../job-planner';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { findJob } from './job-lookup';

const FIELDS = { JobId: p.required(p.string()) };

/** DeleteJob. */
export const deleteJob: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as { JobId: string };
  const job = findJob(store, params.JobId, region);
  if (isTerminating(job, now)) {
    throw new ApiError(
      'ResourceInUse.Job',
      `Job ${job.id} is being terminated; delete it once it has FAILED.`,
    );
  }
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
