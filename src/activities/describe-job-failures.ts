import type { BatchApi } from '../batch/batch-api';
import { boundedText } from '../shared/bounded-text';
import { recordProgress, resumedProgress } from './activity-progress';
import type { FailedTask, JobSnapshot } from '../shared/batch-types';

/** Input of `describeJobFailures`. */
export interface DescribeJobFailuresInput {
  jobIds: string[];
}

/** Most failed instances read per failed task: enough to see exit codes and reasons, small in history. */
const MAX_INSTANCES_PER_TASK = 20;

/** What an attempt has described so far, in heartbeat details: a retried attempt goes on from there. */
interface DescribeProgress {
  described: JobSnapshot[];
}

/**
 * Reads what a retry decision or an operator needs about failed jobs: the job's StateReason, its failed tasks and
 * their failed instances' exit codes and reasons (DescribeJob, then DescribeTask filtered on FAILED). Each call
 * waits for the API budget, so a hundred jobs take a while: the jobs described so far are kept in heartbeat details
 * and a retried attempt resumes after them.
 */
export async function describeJobFailures(
  api: BatchApi,
  input: DescribeJobFailuresInput,
  now: () => Date,
): Promise<{ jobs: JobSnapshot[] }> {
  const jobs: JobSnapshot[] = resumedJobs(input.jobIds);
  for (const jobId of input.jobIds.slice(jobs.length)) {
    const job = await api.describeJob({ jobId });
    const failedTasks: FailedTask[] = [];
    for (const task of job.tasks.filter(
      (t) => t.taskState === 'FAILED' || t.taskState === 'FAILED_INTERRUPTED',
    )) {
      const detail = await api.describeTask({
        jobId,
        taskName: task.taskName,
        limit: MAX_INSTANCES_PER_TASK,
        instanceState: task.taskState,
      });
      failedTasks.push({
        taskName: task.taskName,
        state: task.taskState,
        failedInstances: detail.instances.map((i) => ({
          taskInstanceIndex: i.taskInstanceIndex,
          exitCode: i.exitCode,
          stateReason: boundedText(i.stateReason),
        })),
      });
    }
    jobs.push({
      jobId,
      state: job.jobState,
      endTime: job.endTime,
      stateReason: boundedText(job.stateReason),
      failedTasks,
      observedAt: now().toISOString(),
    });
    recordProgress({ described: [...jobs] } satisfies DescribeProgress);
  }
  return { jobs };
}

/** The jobs the previous attempt described, when its progress is about these same jobs (else none). */
function resumedJobs(jobIds: readonly string[]): JobSnapshot[] {
  const progress = resumedProgress() as Partial<DescribeProgress> | undefined;
  const described = Array.isArray(progress?.described) ? progress.described : [];
  const matches = described.length <= jobIds.length && described.every((s, i) => s?.jobId === jobIds[i]);
  return matches ? described : [];
}
