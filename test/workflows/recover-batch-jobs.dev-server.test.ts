/**
 * Recovery workflow behaviour at a size the Java time-skipping server does not carry: its workflow tasks run long
 * (local activities in real time) while it skips time, and a task that then cancels a timer that fired meanwhile
 * is refused and never sent again (sdk-java#3088). On the dev server, with short polls, in real time.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createDispatchActivities } from '../../src/activities/request-retries';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { noApiBudget } from '../support/no-api-budget';
import { ScriptedBatchApi } from '../support/scripted-batch-api';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

it('carries 1,000 jobs that failed three times with 20 failed instances each through continue-as-new and completion', async () => {
  // About 7 KB of timeline and failure details per job: 7 MB in all, over Temporal's 2 MB payload limit.
  const reason = `container exited: ${'OOMKilled while loading the shard; '.repeat(6)}`;
  const api = new ScriptedBatchApi(1).withFailedInstances(20, reason);
  const jobIds = Array.from({ length: 1_000 }, (_, i) => `job-${String(i).padStart(8, '0')}`);
  for (const jobId of jobIds) api.script(jobId, ['FAILED', 'FAILED', 'FAILED', 'SUCCEED']);
  const taskQueue = uniqueTaskQueue('recovery-large');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    activities: {
      ...createActivities({ batchApi: api, apiBudget: noApiBudget }),
      ...createDispatchActivities({ client: env.client }),
      notifyEscalation: () => Promise.resolve({ delivered: ['log' as const] }),
    },
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue,
      workflowId: `recovery-large-${taskQueue}`,
      args: [
        {
          jobIds,
          taskQueues: { retry: taskQueue, describe: taskQueue },
          policy: {
            pollInterval: '1s',
            continueAsNewAfterEvents: 400,
            maxRetriesPerJob: 3,
            backoff: { initialInterval: '1s', maxInterval: '1s' },
            // A rule on exit codes: every failure's details (the 20 instances) are read and kept.
            retryRules: [{ onExitCode: '2', action: 'ESCALATE' }],
          },
        },
      ],
    });
    const result = await handle.result();
    expect(result.jobs).toHaveLength(1_000);
    expect(result.jobs.every((j) => j.outcome === 'SUCCEEDED' && j.retries === 3)).toBe(true);
    expect(JSON.stringify(result).length).toBeLessThan(1_100_000);
    const firstRun = await env.client.workflow
      .getHandle(handle.workflowId, handle.firstExecutionRunId)
      .describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    await env.client.workflow
      .getHandle(`tencent-batch-recovery-job-watcher:${taskQueue}`)
      .terminate('test over')
      .catch(() => undefined);
  });
}, 240_000);
