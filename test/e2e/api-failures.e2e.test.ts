/**
 * What the workflow does when Tencent Cloud misbehaves, on the real path (dev server, real SDK over HTTP,
 * emulator): refused credentials (platform trouble: nothing escalates), deleted jobs, and an API that throttles,
 * errors, resets and answers garbage.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../src/activities';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { sdkCredentialSource } from '../../src/batch/credential-source';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { DEFAULT_EMULATOR_CREDENTIALS } from '../../src/emulator';
import { createRecoveryWorkers } from '../../src/runtime/recovery-workers';
import { statusQuery } from '../../src/shared/messages';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor, workflowBundle } from '../helpers/temporal';
import {
  budgetTaskQueue,
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
  it('escalates nothing while Tencent Cloud refuses the credentials, recovers once the keys are rotated, and never records a secret', async () => {
    const emu = await emulator();
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const revoked = emu.credentials.issueKey();
    emu.credentials.revoke(revoked.secretId);
    // A source read on every call, as the profile file or a role is: the test rotates the key in it.
    let key = revoked;
    const credentials = sdkCredentialSource('profile', 'a key the test rotates', {
      getCredential: () => Promise.resolve(key),
    });
    const batchApi = createBatchApi({ ...parseBatchConfig(emulatorEnv(emu)), credentials });
    const queues = uniqueQueues();
    const workers = await createRecoveryWorkers({
      connection: env.nativeConnection,
      taskQueues: queues,
      apiBudgetTaskQueue: budgetTaskQueue(queues),
      activities: createActivities({ batchApi, apiBudget: testApiBudget(env, queues) }),
      workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
      describePerSecond: 10,
    });
    await whileRunning(workers, async () => {
      const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-auth-${queues.workflow}`,
        args: [fastInput([job], queues)],
      });
      // The reads are refused and retried; meanwhile the job fails, unseen.
      const refused = () =>
        emu.ledger
          .entries({ action: 'DescribeJobs' })
          .filter((e) => e.outcome === 'AuthFailure.SecretIdNotFound');
      await waitFor(() => Promise.resolve(refused().length >= 3 ? true : undefined), {
        timeoutMs: 30_000,
        description: 'three refused DescribeJobs calls',
      });
      const status = await handle.query(statusQuery);
      expect(status.overall).toBe('WATCHING');
      expect(status.jobs[0]?.escalation).toBeUndefined();
      expect(emu.ledger.entries({ action: 'RetryJobs' })).toHaveLength(0);

      key = emu.credentials.issueKey();
      const result = await handle.result();
      expect(result.overall).toBe('SUCCEEDED');
      expect(result.jobs[0]).toMatchObject({ retries: 1, lastKnownState: 'SUCCEED' });
      expect(result.jobs[0]?.timeline.some((t) => t.event === 'ESCALATED')).toBe(false);
      expect(emu.ledger.retriesOf(job)).toHaveLength(1);
      const history = Buffer.from(
        temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish(),
      );
      for (const secret of [revoked.secretKey, key.secretKey, DEFAULT_EMULATOR_CREDENTIALS.secretKey])
        expect(history.includes(secret)).toBe(false);
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
