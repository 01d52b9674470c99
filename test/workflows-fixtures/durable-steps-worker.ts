/**
 * Test-only worker process for durable-steps-workflow.ts, started (and SIGKILLed) by the smoke test.
 * Environment: TEMPORAL_TEST_ADDRESS, WORKER_TASK_QUEUE, WORKFLOW_BUNDLE_PATH (a prebuilt bundle: each
 * worker would otherwise spend seconds bundling). Prints `worker-ready` once it polls.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { exitWhenParentDies } from '../helpers/temporal-worker-process';
import { createDurableStepsActivities } from './durable-steps-activities';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  exitWhenParentDies();
  const connection = await NativeConnection.connect({ address: requireEnv('TEMPORAL_TEST_ADDRESS') });
  const worker = await Worker.create({
    connection,
    taskQueue: requireEnv('WORKER_TASK_QUEUE'),
    workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') },
    activities: createDurableStepsActivities({ workerPid: process.pid }),
    // A killed worker never answers on its sticky queue; after this the server hands the workflow task
    // to the shared queue, where the next worker polls. The default (10 s) only makes the test slower.
    stickyQueueScheduleToStartTimeout: '1s',
  });
  console.log('worker-ready');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
