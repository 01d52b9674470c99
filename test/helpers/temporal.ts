/**
 * What test files need to run workflows against real Temporal servers: the run's shared dev server, a
 * time-skipping server of their own, cached workflow bundles and polling with a deadline.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  resolveTestServer,
  TemporalBinaryUnavailableError,
  type ResolvedServerBinary,
} from '../../src/devenv/temporal-binaries';
import {
  TEMPORAL_TEST_ADDRESS_ENV,
  TEMPORAL_TEST_CLUSTER_ADDRESS_ENV,
  TEMPORAL_TEST_TIME_SKIPPING_SERVER_ENV,
} from '../setup/test-env';
import { installTestRuntime } from './temporal-runtime';
import { noteTaskQueuePrefix } from './test-file-footprint';

export { workflowBundle } from './temporal-bundle';
export { waitFor, type WaitForOptions } from './temporal-wait-for';
export { registerSearchAttributes } from './search-attributes';

/**
 * Which shared Temporal server this test file runs on: the dev server (the `dev-server` jest project), or the
 * Temporal cluster on PostgreSQL with four service processes (the `postgresql` project, which sets the global).
 */
export type TemporalTestBackend = 'dev-server' | 'postgresql';

declare global {
  var TEMPORAL_TEST_BACKEND: TemporalTestBackend | undefined;
}

/** The backend of this test file's jest project. */
export function temporalTestBackend(): TemporalTestBackend {
  return globalThis.TEMPORAL_TEST_BACKEND ?? 'dev-server';
}

/**
 * `host:port` of the Temporal server the jest global setup started for this run and this file's project: the dev
 * server, or the frontend of the PostgreSQL cluster. Every test written against it runs on both unchanged.
 */
export function devServerAddress(): string {
  const variable =
    temporalTestBackend() === 'postgresql' ? TEMPORAL_TEST_CLUSTER_ADDRESS_ENV : TEMPORAL_TEST_ADDRESS_ENV;
  const address = process.env[variable];
  if (!address) {
    throw new Error(`${variable} is not set: run tests through jest (jest.config.js global setup)`);
  }
  return address;
}

/**
 * A test environment on the run's shared Temporal server of this file's backend (a real Temporal server: real
 * time, task-queue rate limits, persistence). Tear it down in `afterAll`; that closes connections and leaves the server running.
 * Use a unique task queue and workflow ID per test ({@link uniqueTaskQueue}): other files share the server.
 */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({
    address: devServerAddress(),
    namespace: 'default',
  });
}

/**
 * A test environment on a time-skipping test server of its own (a JVM, started in under a second). Timers
 * are skipped while a workflow result is awaited, so hours of workflow time pass in seconds. Tear it down
 * in `afterAll`; that stops the JVM.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const binary = await provisionedTestServer();
  try {
    return await createTimeSkippingWithRetries(binary);
  } catch (error) {
    if (binary.source !== 'sdk-download') throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TemporalBinaryUnavailableError('Temporal time-skipping test server', [
      ...binary.attempts,
      `SDK download: failed: ${message}`,
    ]);
  }
}

/**
 * The SDK gives the test server's JVM 5 s to start, a deadline that is not ours to set; a CI machine busy with the
 * PostgreSQL cluster and other test files has missed it twice in a row (seen in two CI runs, in a file that starts
 * a server per test). So up to four tries, a second apart; any other error is thrown at once.
 */
async function createTimeSkippingWithRetries(binary: ResolvedServerBinary): Promise<TestWorkflowEnvironment> {
  const tries = 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: binary.executable } });
    } catch (error) {
      if (attempt >= tries || !/did not start within/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** A task queue name no other test (in this or another file) uses. */
export function uniqueTaskQueue(prefix: string): string {
  const taskQueue = `${prefix}-${randomUUID()}`;
  noteTaskQueuePrefix(taskQueue);
  return taskQueue;
}

/** The test server the global setup provisioned, or (outside jest) resolved here. */
async function provisionedTestServer(): Promise<ResolvedServerBinary> {
  const fromSetup = process.env[TEMPORAL_TEST_TIME_SKIPPING_SERVER_ENV];
  if (fromSetup) return JSON.parse(fromSetup) as ResolvedServerBinary;
  return resolveTestServer();
}
