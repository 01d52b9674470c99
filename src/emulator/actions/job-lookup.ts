/** Job ID checks every action that names jobs shares. */
import { isJobId } from '../../shared/job-id';
import { jobIdMalformed, jobNotFound } from '../api-error';
import type { Job } from '../job-model';
import type { JobStore } from '../job-store';

/** The job named by a checked `JobId` string: `InvalidParameter.JobIdMalformed` or `ResourceNotFound.Job` if none. */
export function findJob(store: JobStore, jobId: string): Job {
  if (!isJobId(jobId)) throw jobIdMalformed([jobId]);
  const job = store.get(jobId);
  if (!job) throw jobNotFound([jobId]);
  return job;
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
