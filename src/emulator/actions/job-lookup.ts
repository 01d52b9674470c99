/** Job ID checks every action that names jobs shares. */
import { isJobId } from '../../shared/job-id';
import { jobIdMalformed, jobNotFound } from '../api-error';
import type { Job } from '../job-model';
import type { JobStore } from '../job-store';
import { zoneInRegion } from '../regions';

/**
 * The job named by a checked `JobId` string: `InvalidParameter.JobIdMalformed`, or `notFound` (by default
 * `ResourceNotFound.Job`) when there is none in the request's region.
 */
export function findJob(
  store: JobStore,
  jobId: string,
  region: string | undefined,
  notFound: (jobId: string) => Error = (id) => jobNotFound([id]),
): Job {
  if (!isJobId(jobId)) throw jobIdMalformed([jobId]);
  const job = jobInRegion(store, jobId, region);
  if (!job) throw notFound(jobId);
  return job;
}

/** The job with this ID if it lives in `region` (jobs are regional: another region's job does not exist). */
export function jobInRegion(store: JobStore, jobId: string, region: string | undefined): Job | undefined {
  const job = store.get(jobId);
  return job && zoneInRegion(job.placement.Zone, region) ? job : undefined;
}

/** Rejects a list of job IDs if any is malformed, naming every malformed one. */
export function checkJobIdsWellFormed(jobIds: readonly string[]): void {
  const malformed = jobIds.filter((id) => !isJobId(id));
  if (malformed.length > 0) throw jobIdMalformed(malformed);
}

/** The IDs in first-seen order without repeats. */
export function distinct(jobIds: readonly string[]): string[] {
  return [...new Set(jobIds)];
}
