/**
 * The three workers one process runs, one per task queue:
 * - workflows (the recovery workflows and the RetryJobs dispatcher) + two cheap activities: the escalation
 *   notice and the dispatcher's signal-with-start;
 * - describes (polls and failure details), rate-limited task-queue-wide;
 * - RetryJobs, rate-limited task-queue-wide to the API's limit (2/s by default, per the seed document).
 *
 * Rate limits live on their own queues because the server enforces `maxTaskQueueActivitiesPerSecond` per task
 * queue across every worker, and because an activity on another queue than its workflow is never dispatched
 * eagerly (eager dispatch would bypass the limit).
 */
import { temporal } from '@temporalio/proto';
import { type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Activities } from '../activities';
import { createDispatchActivities } from '../activities/request-retries';
import {
  DEFAULT_DESCRIBE_JOBS_RPS,
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
   * The API's RetryJobs limit (requests/s) that every one-second window must respect, across all workers of the
   * retry queue; the queue's server-side rate is set from it by {@link taskQueueRateFor}. Every worker must carry
   * the same value: the last poller's setting wins on the server. @default 2
   */
  retryJobsPerSecond?: number;
  /** Describe activities per second across all workers of the describe queue. @default 2 */
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
 * The task-queue rate that keeps an API's per-second limit in every one-second window. The server's limiter is
 * a token bucket whose burst is max(ceil(rate), 1), so with rate r a window can hold up to r + burst requests:
 * at the API's own 2/s the emulator's ledger showed 3 RetryJobs in one second and RequestLimitExceeded answers.
 * Half the limit (2/s → 1/s, burst 1) never exceeds it; with up to 100 jobs per call that is still 100 jobs/s.
 */
export function taskQueueRateFor(apiRequestsPerSecond: number): number {
  return apiRequestsPerSecond / 2;
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

/** Builds the workflow, describe and RetryJobs workers of one process. */
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
  // The dispatcher and watcher activities signal-with-start through this process's own connection.
  const { requestRetries, watchJobs } = createDispatchActivities({
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
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };
  return Promise.all([
    Worker.create({
      ...common,
      taskQueue: queues.workflow,
      ...workflowSource,
      activities: { notifyEscalation, requestRetries, watchJobs },
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
 * Runs workers until `until` settles, then shuts them all down: the activity workers first, the workflow worker
 * once they have stopped, because an activity finishing its calls still needs API slots from the budget workflow,
 * whose tasks this process may be the last to run. If one worker fails, the others are shut down too and the
 * failure is rethrown: a process with a missing queue must not look healthy.
 */
// `workers` as createRecoveryWorkers returns them: the workflow worker first.
export async function runRecoveryWorkers(workers: Worker[], until?: Promise<unknown>): Promise<void> {
  const [workflowWorker, ...activityWorkers] = workers;
  const stop = (w: Worker | undefined): void => {
    if (w?.getState() === 'RUNNING') w.shutdown();
  };
  let activitiesStopped: Promise<unknown> = Promise.resolve();
  const stopAll = (): void => {
    activityWorkers.forEach(stop);
    void activitiesStopped.then(() => stop(workflowWorker));
  };
  until?.then(stopAll, stopAll);
  const running = workers.map((w) =>
    w.run().catch((err: unknown) => {
      workers.forEach(stop);
      throw err;
    }),
  );
  activitiesStopped = Promise.allSettled(running.slice(1));
  const results = await Promise.allSettled(running);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
