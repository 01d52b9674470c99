import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  devServerAddress,
  devServerEnv,
  uniqueTaskQueue,
  waitFor,
  workflowBundle,
} from '../helpers/temporal';
import { killAll, startTsProcess, type ChildProcessHandle } from '../helpers/temporal-worker-process';
import { completedStepsQuery, durableStepsWorkflow } from '../workflows-fixtures/durable-steps-workflow';

const workflowsPath = path.join(__dirname, '../workflows-fixtures/durable-steps-workflow.ts');
const workerScript = path.join(__dirname, '../workflows-fixtures/durable-steps-worker.ts');

let env: TestWorkflowEnvironment | undefined;
let workDir: string | undefined;
const workers: ChildProcessHandle[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  workDir = await mkdtemp(path.join(tmpdir(), 'worker-crash-test-'));
});

afterAll(async () => {
  await killAll(workers);
  await env?.teardown();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Starts a worker process on `taskQueue` and resolves once it polls; fails at once if it dies first. */
async function startWorker(taskQueue: string, bundlePath: string): Promise<ChildProcessHandle> {
  const worker = startTsProcess(workerScript, {
    TEMPORAL_TEST_ADDRESS: devServerAddress(),
    WORKER_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: bundlePath,
  });
  workers.push(worker);
  const diedEarly = worker.exited.then((exit) => {
    throw new Error(`worker exited (${exit.code ?? exit.signal}) before it was ready:\n${worker.output()}`);
  });
  await Promise.race([
    waitFor(() => worker.output().includes('worker-ready'), {
      timeoutMs: 30_000,
      description: 'the worker to poll',
    }),
    diedEarly,
  ]);
  diedEarly.catch(() => undefined);
  return worker;
}

test('a workflow on the dev server completes after its worker is killed mid-run and a new worker takes over', async () => {
  if (!env || !workDir) throw new Error('no dev server environment');
  const taskQueue = uniqueTaskQueue('durable-steps');
  const bundlePath = path.join(workDir, 'durable-steps-bundle.js');
  await writeFile(bundlePath, (await workflowBundle(workflowsPath)).code);

  const first = await startWorker(taskQueue, bundlePath);
  const handle = await env.client.workflow.start(durableStepsWorkflow, {
    taskQueue,
    workflowId: taskQueue,
    args: [{ steps: 6, pause: '1s' }],
  });
  await waitFor(async () => (await handle.query(completedStepsQuery)) >= 2, {
    timeoutMs: 20_000,
    description: 'two steps to complete on the first worker',
  });
  await first.kill('SIGKILL');
  const second = await startWorker(taskQueue, bundlePath);

  const { steps } = await handle.result();

  expect(steps.map((step) => step.index)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(steps[0]?.workerPid).toBe(first.pid);
  expect(steps.at(-1)?.workerPid).toBe(second.pid);
});
