import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { BatchApi } from '../batch/batch-api';
import type { JobSnapshot, KnownJobState } from '../shared/batch-types';
import { ErrorType } from '../shared/errors';
import { readJobSnapshots } from './job-snapshots';

/** Input of `awaitJobChanges`. */
export interface AwaitJobChangesInput {
  /** Jobs with the state the workflow last saw for each (none yet: any state counts as a change). */
  known: KnownJobState[];
}

/** Output of `awaitJobChanges`: every known job's fresh snapshot (not only the changed ones). */
export interface AwaitJobChangesOutput {
  jobs: JobSnapshot[];
}

/**
 * One poll. Returns fresh snapshots when any job differs from what the workflow knows (state or EndTime);
 * otherwise fails with a BENIGN, retryable `JobsUnchanged` so that Temporal's retry policy schedules the next
 * poll without adding history events.
 */
export async function awaitJobChanges(
  api: BatchApi,
  input: AwaitJobChangesInput,
  now: () => Date,
): Promise<AwaitJobChangesOutput> {
  const jobs = await readJobSnapshots(
    api,
    input.known.map((k) => k.jobId),
    now,
  );
  const known = new Map(input.known.map((k) => [k.jobId, k]));
  const changed = jobs.filter((s) => {
    const k = known.get(s.jobId);
    return k?.state !== s.state || k.endTime !== s.endTime;
  });
  if (changed.length === 0) {
    throw ApplicationFailure.create({
      message: `no change in ${jobs.length} job(s)`,
      type: ErrorType.JobsUnchanged,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  return { jobs };
}
