/**
 * The whole path on real parts: the Temporal dev server, the package's workers, the real Tencent SDK over HTTP,
 * and the Tencent Batch emulator, whose request ledger is the ground truth for "one RetryJobs per failure".
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { resolveEscalationUpdate, statusQuery } from '../../src/shared/messages';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { startTsProcess } from '../helpers/temporal-worker-process';
import { recordHistory } from '../support/record-history';
import { expectOneRetryPerFailure } from '../support/retry-expectations';
import {
  fastInput,
  inProcessWorkers,
  perTestResources,
  uniqueQueues,
  whileRunning,
  workerProcessEnv,
} from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const { emulator, track } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('recoverBatchJobsWorkflow on the dev server against the emulator', () => {
  it('retries failures to success, leaves successes alone, and escalates what keeps failing until an operator decides', async () => {
    const emu = await emulator();
    const flaky = emu.createJob({
      script: {
        attempts: [
          { outcome: 'FAILED', exitCode: 137, reason: 'instance reclaimed (spot)' },
          { outcome: 'FAILED', exitCode: 137 },
          { outcome: 'SUCCEED' },
        ],
        runSeconds: 60,
      },
    });
    const healthy = emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 60 } });
    const broken = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 2, reason: 'bad input file' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-path-${queues.workflow}`,
        args: [fastInput([flaky, healthy, broken], queues, { maxRetriesPerJob: 2 })],
      });
      await waitFor(async () => (await handle.query(statusQuery)).overall === 'AWAITING_DECISION', {
        timeoutMs: 45_000,
      });
      // Operators find the workflow by a job ID and by its state in the web UI (search attributes).
      const found = await waitFor(
        async () => {
          const ids: string[] = [];
          for await (const wf of env.client.workflow.list({
            query: `TencentBatchJobIds = '${broken}' AND TencentBatchRecoveryState = 'AWAITING_DECISION'`,
          })) {
            ids.push(wf.workflowId);
          }
          return ids.length > 0 ? ids : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(found).toEqual([handle.workflowId]);
      // Escalations read failure details for people (DescribeJob/DescribeTask) right after the job is marked
      // AWAITING_DECISION, before the notice goes out: wait for them rather than racing the activity.
      const escalated = await waitFor(
        async () =>
          (await handle.query(statusQuery)).jobs.find(
            (j) => j.phase === 'AWAITING_DECISION' && j.lastFailure?.failedTasks !== undefined,
          ),
        { timeoutMs: 15_000 },
      );
      expect(escalated).toMatchObject({ jobId: broken, escalation: { reason: 'RETRY_BUDGET_EXHAUSTED' } });
      expect(escalated.lastFailure?.failedTasks?.[0]?.failedInstances[0]?.exitCode).toBe(2);
      await handle.executeUpdate(resolveEscalationUpdate, {
        args: [{ decision: 'ABANDON', jobIds: [broken], operator: 'e2e' }],
      });
      const result = await handle.result();
      expect(result.jobs.map((j) => [j.jobId, j.outcome, j.retries])).toEqual([
        [flaky, 'SUCCEEDED', 2],
        [healthy, 'SUCCEEDED', 0],
        [broken, 'ABANDONED', 2],
      ]);
      expect(result.overall).toBe('NEEDS_ATTENTION');
      await recordHistory(handle, 'e2e-retry-escalate-abandon');
      return result;
    });
    expectOneRetryPerFailure(emu, result, flaky, 2);
    expectOneRetryPerFailure(emu, result, healthy, 0);
    expectOneRetryPerFailure(emu, result, broken, 2);
    // Every request the API received, admitted or refused for its rate.
    expect(emu.ledger.maxPerWindow('RetryJobs', 1_000, 'all')).toBeLessThanOrEqual(2);
  });

  it('sends exactly one RetryJobs when the API applies the retry but the answer is lost', async () => {
    const emu = await emulator({ faults: [{ action: 'RetryJobs', kind: 'apply-then-drop', times: 1 }] });
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-drop-${queues.workflow}`,
        args: [fastInput([job], queues)],
      });
      const result = await handle.result();
      await recordHistory(handle, 'e2e-apply-then-drop');
      return result;
    });
    expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expect(result.jobs[0]?.timeline.map((t) => t.event)).toContain('ALREADY_RETRIED');
    const retryRequests = emu.ledger.entries({ action: 'RetryJobs' });
    expect(retryRequests.map((e) => e.outcome)).toEqual(['fault:apply-then-drop']);
    expectOneRetryPerFailure(emu, result, job, 1);
  });

  it("leaves a job's next failure to its owner when a lost answer's retried attempt finds the job failed again", async () => {
    // The dangerous moment, on purpose: the API applies the retry and drops the answer; the job runs a quarter
    // of a second and fails again, before the activity's next attempt (1 s later) re-reads it. That attempt sees a
    // newer failure than the one it was asked to answer: it must leave it to the owner, whose policy decides.
    // Polls every 5 s, so that the owner has not seen the new failure by then.
    const emu = await emulator({ faults: [{ action: 'RetryJobs', kind: 'apply-then-drop', times: 1 }] });
    const job = emu.createJob({
      script: {
        attempts: [
          { outcome: 'FAILED', exitCode: 137 },
          { outcome: 'FAILED', exitCode: 137 },
          { outcome: 'SUCCEED' },
        ],
        runSeconds: 15,
      },
    });
    const queues = uniqueQueues();
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), () =>
      env.client.workflow.execute(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-drop-refail-${queues.workflow}`,
        args: [fastInput([job], queues, { pollInterval: '5s' })],
      }),
    );
    expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 2 });
    expect(result.jobs[0]?.timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining(['ALREADY_RETRIED', 'RETRY_SENT']),
    );
    expect(emu.ledger.entries({ action: 'RetryJobs' }).map((e) => e.outcome)).toEqual([
      'fault:apply-then-drop',
      'ok',
    ]);
    expectOneRetryPerFailure(emu, result, job, 2);
  }, 90_000);

  it('sends exactly one RetryJobs when the worker is killed in the middle of the call', async () => {
    // The API holds RetryJobs for 3 s; the worker dies meanwhile; the API applies it anyway.
    const emu = await emulator({
      faults: [{ action: 'RetryJobs', kind: 'latency', latencyMs: 3_000, times: 1 }],
    });
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const workerEnv = workerProcessEnv(emu, queues);
    const script = require.resolve('../support/recovery-worker-process.ts');
    const first = track(startTsProcess(script, workerEnv));
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-kill-${queues.workflow}`,
      args: [fastInput([job], queues)],
    });
    // The call runs in the RetryJobs dispatcher, which merges the failures of every workflow on this retry queue.
    const dispatcher = env.client.workflow.getHandle(
      `${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${queues.retry}`,
    );
    await waitFor(
      async () => {
        const { raw } = await dispatcher.describe();
        return raw.pendingActivities?.some(
          (a) => a.activityType?.name === 'retryFailedJobs' && a.lastStartedTime,
        );
      },
      { timeoutMs: 60_000, description: 'the RetryJobs activity to start', intervalMs: 50 },
    );
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    track(startTsProcess(script, workerEnv));
    const result = await handle.result();
    expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expectOneRetryPerFailure(emu, result, job, 1);
    await recordHistory(handle, 'e2e-worker-killed-mid-retry');
    await recordHistory(dispatcher, 'e2e-retry-dispatcher');
  }, 150_000);
});
