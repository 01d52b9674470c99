/**
 * The four workers one process runs, one per task queue:
 * - workflows (the recovery workflows, the job watcher and the RetryJobs dispatcher) + the escalation notice and
 *   the local activities that signal between those workflows (signal-with-start of the dispatcher and watcher,
 *   bulk signals to owners);
 * - the Tencent API budget workflow, alone on its queue so that its grants never wait behind the other workflows;
 * - describes (polls and failure details), rate-limited task-queue-wide;
 * - RetryJobs, rate-limited task-queue-wide to the API's limit (2/s by default, per the seed document).
 *
 * Rate limits live on their own queues because the server enforces `maxTaskQueueActivitiesPerSecond` per task
 * queue across every worker, and because an activity on another queue than its workflow is never dispatched
 * eagerly (eager dispatch would bypass the limit).
 */
import { temporal } from '@temporalio/proto';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Activities } from '../activities';
import { createDispatchActivities } from '../activities/request-retries';
import { DEFAULT_API_BUDGET_TASK_QUEUE } from '../shared/api-budget-types';
import {
  DEFAULT_DESCRIBE_JOBS_RPS,
  DEFAULT_TASK_QUEUE_PARTITIONS,
  DEFAULT_DESCRIBE_TASK_QUEUE,
  DEFAULT_RETRY_JOBS_RPS,
  DEFAULT_RETRY_TASK_QUEUE,
  DEFAULT_WORKFLOW_TASK_QUEUE,
} from '../shared/constants';

/** Task queue names; every worker and every workflow input must agree on them. */
export interface RecoveryTaskQueues {
  workflow: string;
  retry: string;
  describe: string;
}

export const DEFAULT_TASK_QUEUES: Readonly<RecoveryTaskQueues> = Object.freeze({
  workflow: DEFAULT_WORKFLOW_TASK_QUEUE,
  retry: DEFAULT_RETRY_TASK_QUEUE,
  describe: DEFAULT_DESCRIBE_TASK_QUEUE,
});

/** Options of {@link createRecoveryWorkers}. */
export interface RecoveryWorkersOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default DEFAULT_TASK_QUEUES */
  taskQueues?: Partial<RecoveryTaskQueues>;
  /** The activity implementations (`createActivities(...)`). */
  activities: Activities;
  /**
   * Where this process runs the API budget workflow: the `taskQueue` of the activities' `createTemporalApiBudget`.
   * @default DEFAULT_API_BUDGET_TASK_QUEUE
   */
  apiBudgetTaskQueue?: string;
  /**
   * The API's RetryJobs limit (requests/s) that every one-second window must respect, across all workers of the
   * retry queue; the queue's server-side rate is set from it by {@link taskQueueRateFor}. Every worker must carry
   * the same value: the last poller's setting wins on the server. @default 2
   */
  retryJobsPerSecond?: number;
  /**
   * The API's DescribeJobs limit (requests/s); the describe queue's server-side rate is set from it by
   * {@link taskQueueRateFor}. @default 2
   */
  describePerSecond?: number;
  /** A pre-built workflow bundle (tests), else the workflows are bundled from src/workflows. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Passed to every worker, e.g. for tests. */
  identity?: string;
  /**
   * After shutdown is requested, how long in-flight tasks may run before their activities are cancelled.
   * @default the SDK's (0: cancel at once)
   */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/**
 * The task-queue rate for an API limit: the limit on each of the server's default partitions. What keeps every
 * one-second window at the API within the limit is the API budget, slot by slot; the queue's rate only keeps
 * attempts from piling up waiting for slots. The server splits a queue's rate among its partitions, so at the
 * limit itself a few tasks in flight (the job watcher's reads, a wave's RetryJobs calls) landed on one or two
 * partitions' quarters and went at a quarter to half of what the API allows (test/e2e/watcher-reads.e2e.test.ts:
 * one read every 2 s instead of two every 1.15 s).
 */
export function taskQueueRateFor(apiRequestsPerSecond: number): number {
  return apiRequestsPerSecond * DEFAULT_TASK_QUEUE_PARTITIONS;
}

/**
 * Pins the rate limits in the task queues' own configuration on the server. Workers also set them, but the last
 * poller's value wins and a worker without the setting clears it; the queue configuration overrides every worker,
 * so a stray or misconfigured worker on the queue cannot lift the limit. Servers without the API (before 1.28)
 * answer UNIMPLEMENTED: the worker-side limits then remain the only ones, and a warning says so.
 */
export async function pinTaskQueueRateLimits(
  connection: NativeConnection,
  namespace: string,
  limits: { taskQueue: string; requestsPerSecond: number; reason: string }[],
): Promise<void> {
  for (const limit of limits) {
    try {
      await connection.workflowService.updateTaskQueueConfig({
        namespace,
        identity: 'tencent-batch-recovery-worker',
        taskQueue: limit.taskQueue,
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        updateQueueRateLimit: {
          rateLimit: { requestsPerSecond: limit.requestsPerSecond },
          reason: limit.reason,
        },
      });
    } catch (err) {
      Runtime.instance().logger.warn('Could not pin the task queue rate limit; worker-side limits only', {
        taskQueue: limit.taskQueue,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/**
 * Builds the workers of one process: the two workflow workers first (recovery, then API budget), then the describe
 * and RetryJobs workers, the order {@link runRecoveryWorkers} expects.
 */
/** Workflow tasks (and their local activities) one process runs at once. */
const WORKFLOW_TASK_SLOTS = 200;

export async function createRecoveryWorkers(options: RecoveryWorkersOptions): Promise<Worker[]> {
  const queues = { ...DEFAULT_TASK_QUEUES, ...options.taskQueues };
  const common = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
  };
  const { notifyEscalation, awaitJobChanges, readJobStates, describeJobFailures, retryFailedJobs } =
    options.activities;
  // The dispatcher and watcher activities signal through this process's own connection.
  const { requestRetries, watchJobs, signalWorkflows } = createDispatchActivities({
    client: new Client({ connection: options.connection, namespace: common.namespace }),
  });
  const retryRps = taskQueueRateFor(options.retryJobsPerSecond ?? DEFAULT_RETRY_JOBS_RPS);
  const describeRps = taskQueueRateFor(options.describePerSecond ?? DEFAULT_DESCRIBE_JOBS_RPS);
  await pinTaskQueueRateLimits(options.connection, common.namespace, [
    { taskQueue: queues.retry, requestsPerSecond: retryRps, reason: 'Tencent Batch RetryJobs API limit' },
    {
      taskQueue: queues.describe,
      requestsPerSecond: describeRps,
      reason: 'Tencent Batch DescribeJobs API limit',
    },
  ]);
  // Bundled once for both workflow workers.
  const workflowBundle =
    options.workflowBundle ??
    (await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: Runtime.instance().logger,
    }));
  return Promise.all([
    Worker.create({
      ...common,
      taskQueue: queues.workflow,
      workflowBundle,
      activities: { notifyEscalation, requestRetries, watchJobs, signalWorkflows },
      // A workflow task that hands work over holds its slot while its local activity signals the server (tens of
      // ms, a second under a wave's load): with the default 40 slots a wave of 500 owners queued behind them.
      maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
      maxConcurrentLocalActivityExecutions: WORKFLOW_TASK_SLOTS,
    }),
    Worker.create({
      ...common,
      taskQueue: options.apiBudgetTaskQueue ?? DEFAULT_API_BUDGET_TASK_QUEUE,
      workflowBundle,
    }),
    Worker.create({
      ...common,
      taskQueue: queues.describe,
      activities: { awaitJobChanges, readJobStates, describeJobFailures },
      maxTaskQueueActivitiesPerSecond: describeRps,
    }),
    Worker.create({
      ...common,
      taskQueue: queues.retry,
      activities: { retryFailedJobs },
      maxTaskQueueActivitiesPerSecond: retryRps,
    }),
  ]);
}

/**
 * Runs workers until `until` settles, then shuts them all down: the activity workers first, the workflow workers
 * once they have stopped, because an activity finishing its calls still needs API slots from the budget workflow,
 * whose tasks this process may be the last to run. If one worker fails, the others are shut down too and the
 * failure is rethrown: a process with a missing queue must not look healthy.
 */
// `workers` as createRecoveryWorkers returns them: the two workflow workers first.
export async function runRecoveryWorkers(workers: Worker[], until?: Promise<unknown>): Promise<void> {
  const workflowWorkers = workers.slice(0, 2);
  const activityWorkers = workers.slice(2);
  const stop = (w: Worker | undefined): void => {
    if (w?.getState() === 'RUNNING') w.shutdown();
  };
  let activitiesStopped: Promise<unknown> = Promise.resolve();
  const stopAll = (): void => {
    activityWorkers.forEach(stop);
    void activitiesStopped.then(() => workflowWorkers.forEach(stop));
  };
  until?.then(stopAll, stopAll);
  const running = workers.map((w) =>
    w.run().catch((err: unknown) => {
      workers.forEach(stop);
      throw err;
    }),
  );
  activitiesStopped = Promise.allSettled(running.slice(2));
  const results = await Promise.allSettled(running);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
