/**
 * The environment of a benchmark's worker processes: what an operator would export to point `src/worker.ts` at
 * a Temporal server and at the Tencent Batch emulator. Only the variables a benchmark varies on purpose are set;
 * everything else keeps the worker's documented default, so the figures describe the product as shipped.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_EMULATOR_CREDENTIALS, type RunningEmulator } from '../../src/emulator';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { WORKER_VARIABLES } from '../../src/runtime/worker-config';

/** What a benchmark may change in the worker's configuration. */
export interface WorkerEnvOptions {
  temporalAddress: string;
  emulator: RunningEmulator;
  queues: RecoveryTaskQueues;
  /** `TENCENT_BATCH_API_RATE_LIMITS`, e.g. `DescribeJobs=10`; unset keeps the worker's defaults. */
  apiRateLimits?: string;
  /** `TENCENT_BATCH_API_BUDGET_ID`: one per emulator (one emulated account). @default per run's queues */
  apiBudgetId?: string;
  /** `TENCENT_BATCH_RECOVERY_LOG_LEVEL`; unset keeps INFO. */
  logLevel?: string;
}

/** Task queues of their own, so one benchmark's backlog never reaches another's workers. */
export function benchQueues(name: string): RecoveryTaskQueues {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  return { workflow: `bench-${id}`, retry: `bench-${id}-retry`, describe: `bench-${id}-describe` };
}

/** The API budget workflow's task queue of a benchmark's queues: its own, so runs never share a budget. */
export function budgetTaskQueueOf(queues: RecoveryTaskQueues): string {
  return `${queues.workflow}-budget`;
}

/** The variables of {@link WorkerEnvOptions}, by their documented names. */
export function workerEnv(options: WorkerEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TENCENTCLOUD_SECRET_ID: DEFAULT_EMULATOR_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEFAULT_EMULATOR_CREDENTIALS.secretKey,
    TENCENT_BATCH_ENDPOINT: options.emulator.endpoint,
    TENCENT_BATCH_PROTOCOL: 'http://',
    [WORKER_VARIABLES.workflowQueue]: options.queues.workflow,
    [WORKER_VARIABLES.retryQueue]: options.queues.retry,
    [WORKER_VARIABLES.describeQueue]: options.queues.describe,
  };
  env[WORKER_VARIABLES.apiBudgetId] = options.apiBudgetId ?? `api-budget-${options.queues.workflow}`;
  env[WORKER_VARIABLES.apiBudgetQueue] = budgetTaskQueueOf(options.queues);
  if (options.apiRateLimits !== undefined) env[WORKER_VARIABLES.apiRateLimits] = options.apiRateLimits;
  if (options.logLevel !== undefined) env[WORKER_VARIABLES.logLevel] = options.logLevel;
  return env;
}
