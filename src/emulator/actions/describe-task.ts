/**
 * DescribeTask {JobId, TaskName, Offset?, Limit? (default 100, max 1000), Filters? (task-instance-state)}
 * → the task with one page of its instances. An unknown task of a known job gets `ResourceNotFound.Task`.
 */
import { ApiError } from '../api-error';
import { DESCRIBE_TASK_LIMIT } from '../batch-api-constants';
import { instanceStateAt } from '../job-model';
import { describeTaskView } from '../job-views';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { FILTERS_SCHEMA, type Filter, checkFilterNames } from './filters';
import { findJob } from './job-lookup';

const FIELDS = {
  JobId: p.required(p.string()),
  TaskName: p.required(p.string()),
  Offset: p.optional(p.integer({ min: 0 })),
  Limit: p.optional(p.integer({ min: 1, max: DESCRIBE_TASK_LIMIT.max })),
  Filters: p.optional(FILTERS_SCHEMA),
};

interface DescribeTaskParams {
  JobId: string;
  TaskName: string;
  Offset?: number;
  Limit?: number;
  Filters?: Filter[];
}

/** DescribeTask. */
export const describeTask: ActionHandler = (body, { store, now }) => {
  const params = checkParams(body, FIELDS) as unknown as DescribeTaskParams;
  const job = findJob(store, params.JobId);
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
