/**
 * The real path for end-to-end tests: the run's Temporal dev server, the Tencent Batch emulator over HTTP, the
 * real tencentcloud-sdk-nodejs through the package's client layer, and the package's own workers.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createActivities, createTemporalApiBudget, type ApiBudget } from '../../src/activities';
import type { ApiRateLimits } from '../../src/shared/api-budget-types';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import {
  DEFAULT_EMULATOR_CREDENTIALS,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator';
import {
  createRecoveryWorkers,
  runRecoveryWorkers,
  type RecoveryTaskQueues,
} from '../../src/runtime/recovery-workers';
import type { RecoverBatchJobsInput } from '../../src/shared/recovery-types';
import { devServerAddress, workflowBundle } from '../helpers/temporal';
import { killAll, type ChildProcessHandle } from '../helpers/temporal-worker-process';
import { noteCredentials, noteTaskQueuePrefix } from '../helpers/test-file-footprint';

/** Jobs run for one emulated minute = one real second at this scale. */
export const TIME_SCALE = 60;

/** Environment a worker process needs to reach the emulator (what an operator would export). */
export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    TENCENTCLOUD_SECRET_ID: DEFAULT_EMULATOR_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEFAULT_EMULATOR_CREDENTIALS.secretKey,
    TENCENT_BATCH_ENDPOINT: emulator.endpoint,
    TENCENT_BATCH_PROTOCOL: 'http://',
    TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '5',
  };
}

/** The queues of one test; every queue derived from them (the budget's) starts with `workflow` too. */
export function uniqueQueues(): RecoveryTaskQueues {
  const id = randomUUID().slice(0, 8);
  noteTaskQueuePrefix(`e2e-${id}`);
  return { workflow: `e2e-${id}`, retry: `e2e-${id}-retry`, describe: `e2e-${id}-describe` };
}

/** Describes are not what these tests measure: the Chinese docs' 10/s keeps one-second polls quick. */
export const TEST_DESCRIBE_LIMITS = { DescribeJobs: 10, DescribeJob: 10, DescribeTask: 10 } as const;

/** `TENCENT_BATCH_API_RATE_LIMITS` for {@link TEST_DESCRIBE_LIMITS}. */
export const TEST_DESCRIBE_LIMITS_ENV = Object.entries(TEST_DESCRIBE_LIMITS)
  .map(([action, rps]) => `${action}=${rps}`)
  .join(',');

/** An emulator whose keys, those it issues later included, the secrets scan after the test file looks for. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({
    timeScale: TIME_SCALE,
    rateLimits: TEST_DESCRIBE_LIMITS,
    ...options,
  });
  noteCredentials(...(options.credentials ?? [DEFAULT_EMULATOR_CREDENTIALS]));
  noteIssuedKeys(emulator);
  return emulator;
}

/**
 * Records every key `emulator` issues, through the test's calls or its admin API (both reach the same credential
 * store): a key revoked later must not show up anywhere either.
 */
function noteIssuedKeys(emulator: RunningEmulator): void {
  const store = emulator.credentials;
  const issueKey = store.issueKey.bind(store);
  const issueTemporary = store.issueTemporary.bind(store);
  store.issueKey = () => {
    const key = issueKey();
    noteCredentials(key);
    return key;
  };
  store.issueTemporary = (ttlSeconds) => {
    const key = issueTemporary(ttlSeconds);
    noteCredentials(key);
    return key;
  };
}

/** Each test's emulator is an account of its own, so each test's workers share a budget of their own. */
export function budgetWorkflowId(queues: RecoveryTaskQueues): string {
  return `api-budget-${queues.workflow}`;
}

/** The queue of a test's budget workflow: next to the test's own queues. */
export function budgetTaskQueue(queues: RecoveryTaskQueues): string {
  return `${queues.workflow}-budget`;
}

/** In-process workers of the package against `emulator`, on their own queues. */
export async function inProcessWorkers(
  env: TestWorkflowEnvironment,
  emulator: RunningEmulator,
  queues: RecoveryTaskQueues,
  limits: Partial<ApiRateLimits> = TEST_DESCRIBE_LIMITS,
): Promise<Worker[]> {
  const batchApi = createBatchApi(parseBatchConfig(emulatorEnv(emulator)));
  const apiBudget = testApiBudget(env, queues, limits);
  return createRecoveryWorkers({
    connection: env.nativeConnection,
    taskQueues: queues,
    apiBudgetTaskQueue: budgetTaskQueue(queues),
    activities: createActivities({ batchApi, apiBudget }),
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    describePerSecond: limits.DescribeJobs ?? TEST_DESCRIBE_LIMITS.DescribeJobs,
  });
}

/** The budget of a test's in-process workers, with the limits of {@link startTestEmulator}'s emulator. */
export function testApiBudget(
  env: TestWorkflowEnvironment,
  queues: RecoveryTaskQueues,
  limits: Partial<ApiRateLimits> = TEST_DESCRIBE_LIMITS,
): ApiBudget {
  return createTemporalApiBudget({
    client: new Client({ connection: env.nativeConnection }),
    taskQueue: budgetTaskQueue(queues),
    workflowId: budgetWorkflowId(queues),
    limits,
  });
}

/** Runs `body` while the workers run, then shuts them down. */
export async function whileRunning<T>(workers: Worker[], body: () => Promise<T>): Promise<T> {
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const running = runRecoveryWorkers(workers, finished);
  try {
    return await body();
  } finally {
    done();
    await running;
  }
}

/** A fast policy for real-time tests: second-scale polls and backoff. */
export function fastInput(
  jobIds: string[],
  queues: RecoveryTaskQueues,
  policy: RecoverBatchJobsInput['policy'] = {},
): RecoverBatchJobsInput {
  return {
    jobIds,
    taskQueues: { retry: queues.retry, describe: queues.describe },
    policy: {
      pollInterval: '1s',
      backoff: { initialInterval: '500ms', maxInterval: '1s', jitter: 0 },
      ...policy,
    },
  };
}

/** Environment of a worker process (src/worker.ts) against the run's dev server and `emulator`, on `queues`. */
export function workerProcessEnv(
  emulator: RunningEmulator,
  queues: RecoveryTaskQueues,
  extraEnv: Record<string, string> = {},
): Record<string, string> {
  return {
    ...emulatorEnv(emulator),
    TEMPORAL_ADDRESS: devServerAddress(),
    TENCENT_BATCH_RECOVERY_TASK_QUEUE: queues.workflow,
    TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: queues.retry,
    TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE: queues.describe,
    TENCENT_BATCH_API_RATE_LIMITS: TEST_DESCRIBE_LIMITS_ENV,
    TENCENT_BATCH_API_BUDGET_ID: budgetWorkflowId(queues),
    TENCENT_BATCH_API_BUDGET_TASK_QUEUE: budgetTaskQueue(queues),
    // The periodic credential check is a DescribeJobs of its own: off, so ledgers and faults see only the tests'.
    TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL: 'off',
    ...extraEnv,
  };
}

/**
 * Emulators and child processes a test file starts, closed and killed after each test (even a failed one), so
 * no process outlives its test.
 */
export function perTestResources(): {
  emulator: (options?: EmulatorOptions) => Promise<RunningEmulator>;
  track: <T extends ChildProcessHandle>(child: T) => T;
} {
  const emulators: RunningEmulator[] = [];
  const children: ChildProcessHandle[] = [];
  afterEach(async () => {
    await killAll(children.splice(0));
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });
  return {
    emulator: async (options) => {
      const e = await startTestEmulator(options);
      emulators.push(e);
      return e;
    },
    track: (child) => {
      children.push(child);
      return child;
    },
  };
}
