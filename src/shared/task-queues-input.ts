import { MAX_SHARDS } from './constants';
import type { TaskQueuesInput } from './recovery-types';

/** What is wrong with a recovery's `taskQueues` (nothing: an empty list). Pure: the client and the workflow use it. */
export function taskQueuesProblems(taskQueues: TaskQueuesInput | undefined): string[] {
  const problems: string[] = [];
  for (const key of ['retry', 'describe'] as const) {
    const queue: unknown = taskQueues?.[key];
    if (queue !== undefined && (typeof queue !== 'string' || queue.trim() === '')) {
      problems.push(`taskQueues.${key} must be a non-empty string`);
    }
  }
  const shards: unknown = taskQueues?.shards;
  if (
    shards !== undefined &&
    !(typeof shards === 'number' && Number.isInteger(shards) && shards >= 1 && shards <= MAX_SHARDS)
  ) {
    problems.push(`taskQueues.shards must be an integer from 1 to ${MAX_SHARDS}`);
  }
  return problems;
}
