/**
 * The worker process: `node lib/worker.js` (or `npx tsx src/worker.ts`). Reads its configuration from the
 * environment once (see src/runtime/worker-config.ts), installs the SDK runtime (logger, Prometheus metrics),
 * serves `GET /healthz`, then runs the workflow, API budget, describe and RetryJobs workers until SIGINT/SIGTERM, draining
 * in-flight tasks before it exits 0. A second signal exits 130 at once.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { budgetedCaller, createTemporalApiBudget, type ApiBudget } from './activities/api-budget';
import { createBatchApi, createCredentialCheck } from './batch/tencent-batch-api';
import { CredentialHealth, monitoredBatchApi, startCredentialChecks } from './runtime/credential-health';
import { startHealthServer } from './runtime/health';
import { installWorkerRuntime } from './runtime/metrics';
import { createRecoveryWorkers, runRecoveryWorkers } from './runtime/recovery-workers';
import { checkNamespaceSetup, NamespaceSetupError } from './runtime/namespace-setup';
import { handleShutdownSignals } from './runtime/shutdown';
import {
  WorkerConfigError,
  readWorkerConfig,
  type ListenAddress,
  type WorkerConfig,
} from './runtime/worker-config';

// The `./worker` package entry: what a service needs to run the recovery workers in its own process.
export {
  API_BUDGET_METRICS,
  budgetedBatchApi,
  createActivities,
  createTemporalApiBudget,
  RECOVERY_METRICS,
  type Activities,
  type ActivityDependencies,
  type ApiBudget,
  type TemporalApiBudgetOptions,
} from './activities';
export {
  createRecoveryWorkers,
  runRecoveryWorkers,
  DEFAULT_TASK_QUEUES,
  type RecoveryTaskQueues,
  type RecoveryWorkersOptions,
} from './runtime/recovery-workers';
export { readWorkerConfig, WorkerConfigError, type WorkerConfig } from './runtime/worker-config';
export { startHealthServer, type HealthReport, type HealthServer } from './runtime/health';
export { workerRuntimeOptions } from './runtime/metrics';
export {
  CREDENTIAL_METRICS,
  CredentialHealth,
  monitoredBatchApi,
  type CredentialHealthReport,
} from './runtime/credential-health';
export { checkNamespaceSetup, NamespaceSetupError } from './runtime/namespace-setup';

/** Options of {@link runWorker} that only a process of its own should use. */
export interface RunWorkerOptions {
  /** Serve `GET /healthz` here while the workers run (src/runtime/health.ts). @default no health server */
  health?: ListenAddress;
}

/** Runs the workers with `config` until `until` settles, then drains them (`config.shutdownGraceMs`). */
export async function runWorker(
  config: WorkerConfig,
  until: Promise<unknown>,
  options: RunWorkerOptions = {},
): Promise<void> {
  const logger = Runtime.instance().logger;
  const credentials = new CredentialHealth(config.batch.credentials, {
    logger,
    meter: Runtime.instance().metricMeter,
  });
  const batch = { ...config.batch, credentials: credentials.watchSource(config.batch.credentials) };
  // Started first and empty (503 "starting"): a port already taken fails the start before anything connects.
  const observed: Worker[] = [];
  const health = options.health ? await startHealthServer(options.health, observed, credentials) : undefined;
  try {
    const connection = await NativeConnection.connect(config.temporal.connectionOptions);
    const apiBudget = createTemporalApiBudget({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      taskQueue: config.apiBudgetTaskQueue,
      workflowId: config.apiBudgetWorkflowId,
      limits: config.apiRateLimits,
      meter: () => Runtime.instance().metricMeter,
    });
    const checks =
      config.credentialCheckIntervalMs !== undefined
        ? startCredentialChecks(
            budgetedCheck(createCredentialCheck(batch), apiBudget),
            credentials,
            config.credentialCheckIntervalMs,
          )
        : undefined;
    try {
      if (!(await checkNamespaceSetup(connection, config.temporal.namespace))) {
        logger.warn('Could not list the namespace search attributes (no permission?): not checked', {
          namespace: config.temporal.namespace,
        });
      }
      const workers = await createRecoveryWorkers({
        connection,
        namespace: config.temporal.namespace,
        taskQueues: config.taskQueues,
        apiBudgetTaskQueue: config.apiBudgetTaskQueue,
        retryJobsPerSecond: config.apiRateLimits.RetryJobs,
        describePerSecond: config.apiRateLimits.DescribeJobs,
        shutdownGraceTime: config.shutdownGraceMs,
        activities: createActivities({
          batchApi: monitoredBatchApi(createBatchApi(batch), credentials),
          apiBudget,
          escalation: { webhookUrl: config.escalationWebhookUrl },
        }),
      });
      observed.push(...workers);
      logger.info('Tencent Batch recovery worker started', {
        taskQueues: config.taskQueues,
        apiRateLimits: config.apiRateLimits,
        apiBudget: { workflowId: config.apiBudgetWorkflowId, taskQueue: config.apiBudgetTaskQueue },
        batchEndpoint: config.batch.endpoint,
        credentialSource: config.batch.credentials.description,
        escalationWebhook: config.escalationWebhookUrl ? 'configured' : 'none',
        metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
        health: health ? `http://${health.address}/healthz` : 'off',
        shutdownGraceMs: config.shutdownGraceMs,
      });
      await runRecoveryWorkers(workers, until);
      // Logged before the connection closes: closing the last connection shuts the runtime (and its logger) down.
      logger.info('Tencent Batch recovery worker stopped: workers drained, closing the connection');
    } finally {
      checks?.stop();
      await connection.close();
    }
  } finally {
    await health?.close();
  }
}

/** The worker's credential check spends the DescribeJobs budget like every other call. */
function budgetedCheck<T>(check: () => Promise<T>, budget: ApiBudget): () => Promise<T> {
  const budgeted = budgetedCaller(budget);
  return () => budgeted('DescribeJobs', check);
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
  try {
    await runConfiguredWorker(config);
  } catch (err) {
    // A set-up problem the operator must fix: the message is the instructions, no stack.
    if (!(err instanceof NamespaceSetupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(3);
  }
}

async function runConfiguredWorker(config: WorkerConfig): Promise<void> {
  const runtime = installWorkerRuntime(config);
  // Kept installed until the process exits: a second signal during the drain forces the exit.
  const signals = handleShutdownSignals({ logger: runtime.logger, shutdownGraceMs: config.shutdownGraceMs });
  await runWorker(config, signals.requested, {
    ...(config.healthAddress ? { health: config.healthAddress } : {}),
  });
}

if (require.main === module) {
  main().then(
    // No process.exit here: the runtime flushes its buffered log lines as it shuts down, then Node exits 0.
    () => undefined,
    (err: unknown) => {
      process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
