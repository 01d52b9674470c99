/**
 * DescribeTask {JobId, TaskName, Offset?, Limit? (default 100, max 1000), Filters? (task-instance-state)}
 * → the task with one page of its instances. An unknown task gets `ResourceNotFound.Task`, and so does an
 * unknown job: the official list gives DescribeTask no `ResourceNotFound.Job`.
 */
import { ApiError } from '../api-error';
import { DESCRIBE_TASK_LIMIT } from '../batch-api-constants';
import { instanceStateAt } from '../job-model';
import { describeTaskView } from '../job-views';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { type Filter, checkFilterNames, filtersSchema } from './filters';
import { findJob } from './job-lookup';

const FIELDS = {
  JobId: p.required(p.string()),
  TaskName: p.required(p.string()),
  Offset: p.optional(p.integer({ min: 0 })),
  Limit: p.optional(p.integer({ min: 1, max: DESCRIBE_TASK_LIMIT.max })),
  Filters: p.optional(filtersSchema()),
};

interface DescribeTaskParams {
  JobId: string;
  TaskName: string;
  Offset?: number;
  Limit?: number;
  Filters?: Filter[];
}

/** DescribeTask. */
export const describeTask: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as unknown as DescribeTaskParams;
  const job = findJob(
    store,
    params.JobId,
    region,
    (jobId) => new ApiError('ResourceNotFound.Task', `The job ${jobId} does not exist, nor its tasks.`),
  );
  const task = job.tasks.find((t) => t.name === params.TaskName);
  if (!task) {
    throw new ApiError(
      'ResourceNotFound.Task',
      `The task ${params.TaskName} does not exist in job ${job.id}.`,
    );
  }
  const filters = params.Filters ?? [];
  checkFilterNames(filters, ['task-instance-state']);
  const instances = task.instances.filter((instance) =>
    filters.every((filter) => filter.Values.includes(instanceStateAt(instance, now))),
  );
  const offset = params.Offset ?? 0;
  const limit = params.Limit ?? DESCRIBE_TASK_LIMIT.default;
  return {
    response: describeTaskView(job, task, instances.slice(offset, offset + limit), instances.length, now),
  };
};
