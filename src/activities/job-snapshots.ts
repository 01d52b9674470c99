import type { BatchApi } from '../batch/batch-api';
import type { JobSnapshot } from '../shared/batch-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import { chunk } from '../shared/job-id';

/**
 * Reads job states with DescribeJobs, at most 100 IDs per call (250 jobs: 3 calls). A job the API does not
 * return is reported as NOT_FOUND, so a deleted job is seen rather than silently dropped.
 */
export async function readJobSnapshots(
  api: BatchApi,
  jobIds: readonly string[],
  now: () => Date,
): Promise<JobSnapshot[]> {
  const snapshots: JobSnapshot[] = [];
  for (const part of chunk(jobIds, MAX_JOB_IDS_PER_REQUEST)) {
    const { jobs } = await api.describeJobs({ jobIds: part });
    const observedAt = now().toISOString();
    const byId = new Map(jobs.map((j) => [j.jobId, j]));
    for (const jobId of part) {
      const job = byId.get(jobId);
      snapshots.push(
        job
          ? { jobId, state: job.jobState, endTime: job.endTime, observedAt }
          : { jobId, state: 'NOT_FOUND', observedAt },
      );
    }
  }
  return snapshots;
}
