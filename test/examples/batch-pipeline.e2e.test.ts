/**
 * The example pipeline end to end: its own worker submits jobs to the emulator through the package's Batch
 * client, and the package's workers run the recovery child that retries the failure. The emulator's ledger is
 * the ground truth: one SubmitJob per job, one RetryJobs per failure.
 */
import { CancelledFailure } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createPipelineWorker } from '../../examples/batch-pipeline/worker';
import { batchPipelineWorkflow } from '../../examples/batch-pipeline/workflows';
import type { BatchPipelineInput, PipelineJobSpec } from '../../examples/batch-pipeline/shared';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { SCRIPT_TAG_KEY, type JobScript, type RunningEmulator } from '../../src/emulator';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { getRecoveryStatus } from '../../src/client';
import { devServerEnv, uniqueTaskQueue, waitFor, workflowBundle } from '../helpers/temporal';
import { startBackgroundWorkers, type BackgroundWorkers } from '../support/cli-kit';
import { emulatorEnv, startTestEmulator, uniqueQueues } from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const emulators: RunningEmulator[] = [];

beforeAll(async () => {
  env = await devServerEnv();
});
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await env?.teardown();
});

/** A one-task job whose outcome the emulator reads from its `emulator:script` tag. */
function scriptedJob(name: string, script: JobScript): PipelineJobSpec {
  return {
    name,
    job: {
      Tasks: [
        { TaskName: 'main', TaskInstanceNum: 1, Application: { DeliveryForm: 'LOCAL', Command: 'run.sh' } },
      ],
      Tags: [{ Key: SCRIPT_TAG_KEY, Value: JSON.stringify(script) }],
    },
  };
}

function pipelineInput(jobs: PipelineJobSpec[], queues: RecoveryTaskQueues): BatchPipelineInput {
  return {
    zone: 'ap-guangzhou-3',
    jobs,
    recovery: {
      taskQueues: queues,
      policy: { pollInterval: '1s', backoff: { initialInterval: '500ms', maxInterval: '1s', jitter: 0 } },
    },
  };
}

/** The emulator, the package's recovery workers and the pipeline's worker, for one test. */
async function pipelineStack(emulatorOptions: Parameters<typeof startTestEmulator>[0] = {}): Promise<{
  emulator: RunningEmulator;
  queues: RecoveryTaskQueues;
  pipelineQueue: string;
  run<T>(body: () => Promise<T>): Promise<T>;
}> {
  const emulator = await startTestEmulator(emulatorOptions);
  emulators.push(emulator);
  const queues = uniqueQueues();
  const pipelineQueue = uniqueTaskQueue('pipeline');
  const recovery: BackgroundWorkers = await startBackgroundWorkers(env, emulator, queues);
  let pipelineWorker: Worker;
  try {
    pipelineWorker = await createPipelineWorker({
      connection: env.nativeConnection,
      taskQueue: pipelineQueue,
      batchApi: createBatchApi(parseBatchConfig(emulatorEnv(emulator))),
      workflowBundle: await workflowBundle(require.resolve('../../examples/batch-pipeline/workflows')),
    });
  } catch (err) {
    await recovery.stop();
    throw err;
  }
  return {
    emulator,
    queues,
    pipelineQueue,
    async run(body) {
      try {
        return await pipelineWorker.runUntil(body);
      } finally {
        await recovery.stop();
      }
    },
  };
}

const succeeds: JobScript = { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 30 };
const failsOnce: JobScript = {
  attempts: [
    { outcome: 'FAILED', exitCode: 137, reason: 'instance reclaimed (spot)' },
    { outcome: 'SUCCEED' },
  ],
  runSeconds: 30,
};

describe('the batch-pipeline example on the dev server against the emulator', () => {
  it('submits each job once, retries the one that fails once through its recovery child, and reports success', async () => {
    const stack = await pipelineStack();
    const result = await stack.run(() =>
      env.client.workflow.execute(batchPipelineWorkflow, {
        taskQueue: stack.pipelineQueue,
        workflowId: `pipeline-${stack.pipelineQueue}`,
        args: [
          pipelineInput(
            [
              scriptedJob('prepare', succeeds),
              scriptedJob('train', failsOnce),
              scriptedJob('report', succeeds),
            ],
            stack.queues,
          ),
        ],
      }),
    );
    expect(result.overall).toBe('SUCCEEDED');
    expect(result.recoveryWorkflowId).toBe(`pipeline-${stack.pipelineQueue}-recovery`);
    expect(result.jobs.map((j) => [j.name, j.outcome, j.retries])).toEqual([
      ['prepare', 'SUCCEEDED', 0],
      ['train', 'SUCCEEDED', 1],
      ['report', 'SUCCEEDED', 0],
    ]);
    const { ledger } = stack.emulator;
    const submits = ledger.entries({ action: 'SubmitJob' });
    expect(submits).toHaveLength(3);
    expect(submits.map((e) => e.appliedEffects?.submittedJobId)).toEqual(result.jobs.map((j) => j.jobId));
    const [prepare, train, report] = result.jobs.map((j) => j.jobId);
    expect(ledger.retriesOf(train!)).toHaveLength(1);
    expect(ledger.retriesOf(prepare!)).toHaveLength(0);
    expect(ledger.retriesOf(report!)).toHaveLength(0);
  });

  it('creates no duplicate job when a SubmitJob is applied but its answer is lost and the activity retries', async () => {
    const stack = await pipelineStack({
      faults: [{ action: 'SubmitJob', kind: 'apply-then-drop', times: 1 }],
    });
    const result = await stack.run(() =>
      env.client.workflow.execute(batchPipelineWorkflow, {
        taskQueue: stack.pipelineQueue,
        workflowId: `pipeline-${stack.pipelineQueue}`,
        args: [pipelineInput([scriptedJob('only', succeeds)], stack.queues)],
      }),
    );
    expect(result.overall).toBe('SUCCEEDED');
    const submits = stack.emulator.ledger.entries({ action: 'SubmitJob' });
    // Two requests, one job: the retry's ClientToken returned the job the lost request created.
    expect(submits.map((e) => e.outcome)).toEqual(['fault:apply-then-drop', 'ok']);
    expect(submits.flatMap((e) => e.appliedEffects?.submittedJobId ?? [])).toEqual([result.jobs[0]?.jobId]);
  });

  it('asks its recovery child to cancel when the pipeline is terminated (parent close policy REQUEST_CANCEL)', async () => {
    const stack = await pipelineStack();
    const endsLate: JobScript = { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 3600 };
    await stack.run(async () => {
      const pipeline = await env.client.workflow.start(batchPipelineWorkflow, {
        taskQueue: stack.pipelineQueue,
        workflowId: `pipeline-${stack.pipelineQueue}`,
        args: [pipelineInput([scriptedJob('long', endsLate)], stack.queues)],
      });
      const recoveryId = `${pipeline.workflowId}-recovery`;
      await waitFor(
        async () => (await getRecoveryStatus(env.client, recoveryId)).jobs[0]?.lastKnownState === 'RUNNING',
        { timeoutMs: 20_000, description: 'the recovery child to see the job running' },
      );
      await pipeline.terminate('test: pipeline stopped by hand');
      const recovery = env.client.workflow.getHandle(recoveryId);
      await expect(recovery.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
      expect((await recovery.describe()).status.name).toBe('CANCELLED');
      expect((await getRecoveryStatus(env.client, recoveryId)).jobs).toMatchObject([
        { outcome: 'CANCELLED', lastKnownState: 'RUNNING' },
      ]);
    });
  });

  it('ends Cancelled with its child, each job as last seen, when the pipeline is cancelled while its child recovers', async () => {
    const stack = await pipelineStack();
    const endsLate: JobScript = { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 3600 };
    await stack.run(async () => {
      const pipeline = await env.client.workflow.start(batchPipelineWorkflow, {
        taskQueue: stack.pipelineQueue,
        workflowId: `pipeline-${stack.pipelineQueue}`,
        args: [pipelineInput([scriptedJob('long', endsLate)], stack.queues)],
      });
      await waitFor(
        async () =>
          (await getRecoveryStatus(env.client, `${pipeline.workflowId}-recovery`)).jobs[0]?.lastKnownState ===
          'RUNNING',
        { timeoutMs: 20_000, description: 'the recovery child to see the job running' },
      );
      await pipeline.cancel();
      await expect(pipeline.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
      const recoveryId = `${pipeline.workflowId}-recovery`;
      expect((await env.client.workflow.getHandle(recoveryId).describe()).status.name).toBe('CANCELLED');
      expect((await getRecoveryStatus(env.client, recoveryId)).jobs).toMatchObject([
        { outcome: 'CANCELLED', lastKnownState: 'RUNNING', retries: 0 },
      ]);
    });
  });
});
