/**
 * The pipeline's worker: runs `batchPipelineWorkflow` and its `submitJobs` activity on the pipeline's own task
 * queue. The recovery children run on the package's worker (`src/worker.ts`), deployed next to it.
 *
 * `npx tsx examples/batch-pipeline/worker.ts` reads the same environment as the package worker: TEMPORAL_* through
 * `@temporalio/envconfig`, TENCENTCLOUD_* / TENCENT_BATCH_* through `parseBatchConfig`.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BatchApi } from '../../src/batch/batch-api';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { createPipelineActivities } from './activities';
import { PIPELINE_TASK_QUEUE } from './shared';

/** Options of {@link createPipelineWorker}. */
export interface PipelineWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default PIPELINE_TASK_QUEUE */
  taskQueue?: string;
  batchApi: BatchApi;
  /** A pre-built bundle (tests); else this folder's workflows.ts is bundled. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker of the pipeline's workflow and activity. */
export function createPipelineWorker(options: PipelineWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? PIPELINE_TASK_QUEUE,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createPipelineActivities({ batchApi: options.batchApi }),
  });
}

async function main(): Promise<void> {
  const batchApi = createBatchApi(parseBatchConfig(process.env));
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  try {
    const worker = await createPipelineWorker({ connection, batchApi, ...(namespace ? { namespace } : {}) });
    // Worker.run() shuts down on SIGINT/SIGTERM by itself (the SDK's default shutdown signals).
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`pipeline worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
