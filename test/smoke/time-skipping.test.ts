import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { longSleepWorkflow } from '../workflows-fixtures/long-sleep-workflow';

const SIX_HOURS_MS = 6 * 60 * 60 * 1000;
const workflowsPath = path.join(__dirname, '../workflows-fixtures/long-sleep-workflow.ts');

let env: TestWorkflowEnvironment | undefined;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

test('a workflow that sleeps for six hours completes within seconds on the time-skipping server', async () => {
  if (!env) throw new Error('no time-skipping environment');
  const taskQueue = uniqueTaskQueue('long-sleep');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(workflowsPath),
  });
  const client = env.client;
  const realStart = Date.now();

  const { result, status } = await worker.runUntil(async () => {
    const handle = await client.workflow.start(longSleepWorkflow, {
      taskQueue,
      workflowId: taskQueue,
      args: [{ sleepFor: '6 hours' }],
    });
    const result = await handle.result();
    return { result, status: (await handle.describe()).status.name };
  });

  expect(status).toBe('COMPLETED');
  expect(result.wokeAtMs - result.startedAtMs).toBeGreaterThanOrEqual(SIX_HOURS_MS);
  expect(Date.now() - realStart).toBeLessThan(30_000);
});
