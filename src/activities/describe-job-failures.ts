import { heartbeat } from '@temporalio/activity';
import type { BatchApi } from '../batch/batch-api';
import type { FailedTask, JobSnapshot } from '../shared/batch-types';

/** Input of `describeJobFailures`. */
export interface DescribeJobFailuresInput {
  jobIds: string[];
}

/** Most failed instances read per failed task: enough to see exit codes and reasons, small in history. */
const MAX_INSTANCES_PER_TASK = 20;

/**
 * Reads what a retry decision or an operator needs about failed jobs: the job's StateReason, its failed tasks and
 * their failed instances' exit codes and reasons (DescribeJob, then DescribeTask filtered on FAILED).
 */
export async function describeJobFailures(
  api: BatchApi,
  input: DescribeJobFailuresInput,
  now: () => Date,
): Promise<{ jobs: JobSnapshot[] }> {
  const jobs: JobSnapshot[] = [];
  for (const jobId of input.jobIds) {
    heartbeat({ jobId });
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
          stateReason: i.stateReason,
        })),
      });
    }
    jobs.push({
      jobId,
      state: job.jobState,
      endTime: job.endTime,
      stateReason: job.stateReason,
      failedTasks,
      observedAt: now().toISOString(),
    });
  }
  return { jobs };
}
