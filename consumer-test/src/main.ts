/**
 * The consumer's worker process: the package's recovery workers, with this project's workflow bundle (its
 * pipeline next to the package's workflows), run the pipeline once and print one JSON line. Environment: the
 * package's own worker variables (TEMPORAL_ADDRESS, TENCENTCLOUD_*, TENCENT_BATCH_*, the three
 * TENCENT_BATCH_RECOVERY_*TASK_QUEUE) and JOB_IDS (comma-separated).
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { RECOVER_BATCH_JOBS_WORKFLOW_TYPE } from 'tencent-batch-recovery';
import { createBatchApi, parseBatchConfig } from 'tencent-batch-recovery/batch';
import {
  createActivities,
  createRecoveryWorkers,
  createTemporalApiBudget,
  runRecoveryWorkers,
} from 'tencent-batch-recovery/worker';
import type { NightlyPipelineResult, nightlyPipelineWorkflow } from './workflows';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const address = required('TEMPORAL_ADDRESS');
  const taskQueues = {
    workflow: required('TENCENT_BATCH_RECOVERY_TASK_QUEUE'),
    retry: required('TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE'),
    describe: required('TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE'),
  };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') });
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  try {
    const client = new Client({ connection: clientConnection });
    // One budget of Tencent API calls per account, held by a workflow on a queue of its own.
    const apiBudgetTaskQueue = `${taskQueues.workflow}-budget`;
    const apiBudget = createTemporalApiBudget({
      client,
      taskQueue: apiBudgetTaskQueue,
      workflowId: `api-budget-${taskQueues.workflow}`,
    });
    const workers = await createRecoveryWorkers({
      connection,
      taskQueues,
      apiBudgetTaskQueue,
      workflowBundle,
      activities: createActivities({ batchApi: createBatchApi(parseBatchConfig(process.env)), apiBudget }),
    });
    const pipeline = client.workflow.execute<typeof nightlyPipelineWorkflow>('nightlyPipelineWorkflow', {
      taskQueue: taskQueues.workflow,
      workflowId: `nightly-${taskQueues.workflow}`,
      args: [
        {
          jobIds: required('JOB_IDS').split(','),
          policy: { pollInterval: '1s', backoff: { initialInterval: '500ms', maxInterval: '1s', jitter: 0 } },
          taskQueues: { retry: taskQueues.retry, describe: taskQueues.describe },
        },
      ],
    });
    await runRecoveryWorkers(workers, pipeline);
    const result: NightlyPipelineResult = await pipeline;
    process.stdout.write(
      `${JSON.stringify({
        sdk: (require('@temporalio/worker/package.json') as { version: string }).version,
        childType: RECOVER_BATCH_JOBS_WORKFLOW_TYPE,
        loadedFromPackage: Object.keys(require.cache).filter((f) => f.includes('/tencent-batch-recovery/')),
        result,
      })}\n`,
    );
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `consumer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
