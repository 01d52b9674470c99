/**
 * What the workflow does when Tencent Cloud misbehaves, on the real path (dev server, real SDK over HTTP,
 * emulator): refused credentials, deleted jobs, and an API that throttles, errors, resets and answers garbage.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../src/activities';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { DEFAULT_EMULATOR_CREDENTIALS } from '../../src/emulator';
import { createRecoveryWorkers } from '../../src/runtime/recovery-workers';
import { statusQuery } from '../../src/shared/messages';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor, workflowBundle } from '../helpers/temporal';
import {
  emulatorEnv,
  fastInput,
  inProcessWorkers,
  perTestResources,
  testApiBudget,
  uniqueQueues,
  whileRunning,
} from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const { emulator } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('recoverBatchJobsWorkflow when the API misbehaves', () => {
  it('escalates at once when Tencent Cloud refuses the credentials, and never records the secret', async () => {
    const emu = await emulator();
    const job = emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 60 } });
    const wrongKey = 'wrong-secret-key-that-must-never-leak-0123456789';
    const batchApi = createBatchApi(
      parseBatchConfig({ ...emulatorEnv(emu), TENCENTCLOUD_SECRET_KEY: wrongKey }),
    );
    const queues = uniqueQueues();
    const workers = await createRecoveryWorkers({
      connection: env.nativeConnection,
      taskQueues: queues,
      activities: createActivities({ batchApi, apiBudget: testApiBudget(env, queues) }),
      workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    });
    await whileRunning(workers, async () => {
      const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-auth-${queues.workflow}`,
        args: [fastInput([job], queues)],
      });
      const status = await waitFor(
        async () => {
          const s = await handle.query(statusQuery);
          return s.overall === 'AWAITING_DECISION' ? s : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(status.jobs[0]?.escalation).toMatchObject({
        reason: 'API_REFUSED',
        code: 'AuthFailure.SignatureFailure',
      });
      // One attempt: an auth failure is not retried, and the workflow stops polling until someone decides.
      await env.sleep(3_000);
      expect(emu.ledger.entries({ action: 'DescribeJobs' })).toHaveLength(1);
      const history = Buffer.from(
        temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish(),
      );
      expect(history.includes(wrongKey)).toBe(false);
      expect(history.includes(DEFAULT_EMULATOR_CREDENTIALS.secretKey)).toBe(false);
      expect(history.toString('latin1')).toContain('AuthFailure.SignatureFailure');
      await handle.cancel();
    });
  });

  it('escalates a job that no longer exists instead of watching it forever', async () => {
    const emu = await emulator();
    const queues = uniqueQueues();
    await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-missing-${queues.workflow}`,
        args: [fastInput(['job-00000000'], queues, { escalation: { decisionTimeout: '2s' } })],
      });
      const result = await handle.result();
      expect(result.jobs[0]).toMatchObject({
        outcome: 'ESCALATED',
        lastKnownState: 'NOT_FOUND',
        escalation: { reason: 'JOB_NOT_FOUND' },
      });
      expect(emu.ledger.entries({ action: 'RetryJobs' })).toHaveLength(0);
    });
  });

  it('recovers every job with one retry per failure while a third of all calls throttle, error, reset or answer garbage', async () => {
    const kinds = [
      'request-limit-exceeded',
      'internal-error',
      'connection-reset',
      'non-json',
      'http-502',
    ] as const;
    const emu = await emulator({
      seed: 7,
      faults: kinds.map((kind) => ({ kind, probability: 0.08 })),
    });
    const jobs = Array.from({ length: 6 }, (_, i) =>
      emu.createJob({
        script: {
          attempts:
            i % 2 ? [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }] : [{ outcome: 'SUCCEED' }],
          runSeconds: 60,
        },
      }),
    );
    const queues = uniqueQueues();
    await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const result = await env.client.workflow.execute(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-faults-${queues.workflow}`,
        args: [fastInput(jobs, queues)],
      });
      expect(result.overall).toBe('SUCCEEDED');
      expect(result.jobs.map((j) => j.retries)).toEqual([0, 1, 0, 1, 0, 1]);
    });
    const faults = emu.ledger.entries().filter((e) => e.outcome.startsWith('fault:'));
    expect(faults.length).toBeGreaterThan(0);
    for (const [i, job] of jobs.entries()) expect(emu.ledger.retriesOf(job)).toHaveLength(i % 2);
  });
});
