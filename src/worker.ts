/**
 * The worker process: `node lib/worker.js` (or `npx tsx src/worker.ts`). Reads its configuration from the
 * environment once (see src/runtime/worker-config.ts), then runs the workflow, describe and RetryJobs workers
 * until SIGINT/SIGTERM, draining in-flight tasks before it exits.
 */
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from './activities';
import { createBatchApi } from './batch/tencent-batch-api';
import { createRecoveryWorkers, runRecoveryWorkers } from './runtime/recovery-workers';
import { WorkerConfigError, readWorkerConfig, type WorkerConfig } from './runtime/worker-config';

// The `./worker` package entry: what a service needs to run the recovery workers in its own process.
export { createActivities, type Activities, type ActivityDependencies } from './activities';
export {
  createRecoveryWorkers,
  runRecoveryWorkers,
  DEFAULT_TASK_QUEUES,
  type RecoveryTaskQueues,
  type RecoveryWorkersOptions,
} from './runtime/recovery-workers';
export { readWorkerConfig, WorkerConfigError, type WorkerConfig } from './runtime/worker-config';

/** Runs the workers with `config` until `until` settles. */
export async function runWorker(config: WorkerConfig, until: Promise<unknown>): Promise<void> {
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  try {
    const workers = await createRecoveryWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueues: config.taskQueues,
      retryJobsPerSecond: config.retryJobsPerSecond,
      describePerSecond: config.describePerSecond,
      activities: createActivities({
        batchApi: createBatchApi(config.batch),
        escalation: { webhookUrl: config.escalationWebhookUrl },
      }),
    });
    Runtime.instance().logger.info('Tencent Batch recovery worker started', {
      taskQueues: config.taskQueues,
      retryJobsPerSecond: config.retryJobsPerSecond,
      describePerSecond: config.describePerSecond,
      batchEndpoint: config.batch.endpoint,
      escalationWebhook: config.escalationWebhookUrl ? 'configured' : 'none',
    });
    await runRecoveryWorkers(workers, until);
  } finally {
    await connection.close();
  }
}

/** Resolves on the first SIGINT/SIGTERM: the workers then drain and stop. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = readWorkerConfig(process.env);
  } catch (err) {
    if (!(err instanceof WorkerConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  Runtime.install({
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  await runWorker(config, shutdownSignal());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
