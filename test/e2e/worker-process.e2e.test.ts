/**
 * The worker process as operators run it (src/worker.ts, configured through the environment) against the run's
 * dev server and the Tencent Batch emulator: Prometheus metrics, the health endpoint and graceful shutdown.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { budgetTaskQueue, fastInput, perTestResources, uniqueQueues } from '../support/e2e-kit';
import {
  metricValue,
  readHealth,
  scrapeMetrics,
  startWorkerProcess,
  type WorkerProcess,
} from '../support/worker-process-kit';

let env: TestWorkflowEnvironment;
const { emulator, track } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function worker(...args: Parameters<typeof startWorkerProcess>): Promise<WorkerProcess> {
  const w = await startWorkerProcess(...args);
  track(w.child);
  return w;
}

/** Waits until `/healthz` answers 200: the bundle is built and all four workers poll. */
async function untilHealthy(w: WorkerProcess): Promise<void> {
  await waitFor(
    async () => {
      const health = await readHealth(w.healthUrl);
      return health !== 'closed' && health.status === 200;
    },
    // Bundling the workflows takes seconds alone and much longer on a CI machine busy with other test files.
    { timeoutMs: 60_000, description: 'every worker to be RUNNING', intervalMs: 200 },
  );
}

describe('the worker process', () => {
  it('exports the package counters and the SDK metrics on /metrics after a recovery', async () => {
    const emu = await emulator({
      faults: [{ action: 'DescribeJobs', kind: 'request-limit-exceeded', times: 1 }],
    });
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const w = await worker(emu, queues);
    await untilHealthy(w);
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-metrics-${queues.workflow}`,
      args: [fastInput([job], queues)],
    });
    const result = await handle.result();
    expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });

    const samples = await scrapeMetrics(w.metricsUrl);
    expect(metricValue(samples, 'tencent_batch_retries_sent')).toBe(1);
    expect(metricValue(samples, 'tencent_batch_jobs_recovered')).toBe(1);
    // The refused DescribeJobs was absorbed inside its activity (sent again at a later slot), not an error.
    expect(metricValue(samples, 'tencent_batch_api_rate_limited', { action: 'DescribeJobs' })).toBe(1);
    expect(metricValue(samples, 'tencent_batch_api_errors', { code: 'RequestLimitExceeded' }) ?? 0).toBe(0);
    expect(metricValue(samples, 'tencent_batch_api_calls', { action: 'RetryJobs' })).toBe(1);
    expect(metricValue(samples, 'tencent_batch_api_rate_in_force', { action: 'RetryJobs' })).toBe(2);
    expect(metricValue(samples, 'tencent_batch_retries_already_applied') ?? 0).toBe(0);
    expect(metricValue(samples, 'tencent_batch_escalations') ?? 0).toBe(0);
    // The SDK's own metrics come out of the same endpoint, with their `temporal_` prefix.
    expect(
      metricValue(samples, 'temporal_activity_execution_latency_count', { activity_type: 'retryFailedJobs' }),
    ).toBe(1);
    expect(
      metricValue(samples, 'temporal_workflow_completed', { workflow_type: 'recoverBatchJobsWorkflow' }),
    ).toBe(1);
  }, 150_000);

  it('counts failures found already retried and jobs escalated', async () => {
    // The first RetryJobs is applied but its answer lost: the next attempt finds the failure answered.
    const emu = await emulator({ faults: [{ action: 'RetryJobs', kind: 'apply-then-drop', times: 1 }] });
    const broken = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 2, reason: 'bad input file' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const w = await worker(emu, queues);
    await untilHealthy(w);
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-metrics-escalate-${queues.workflow}`,
      args: [fastInput([broken], queues, { maxRetriesPerJob: 1 })],
    });
    try {
      const samples = await waitFor(
        async () => {
          const s = await scrapeMetrics(w.metricsUrl);
          return metricValue(s, 'tencent_batch_escalations') ? s : undefined;
        },
        { timeoutMs: 45_000, description: 'an escalation to be counted' },
      );
      expect(metricValue(samples, 'tencent_batch_escalations', { reason: 'RETRY_BUDGET_EXHAUSTED' })).toBe(1);
      expect(metricValue(samples, 'tencent_batch_retries_already_applied')).toBe(1);
      expect(metricValue(samples, 'tencent_batch_retries_sent') ?? 0).toBe(0);
      expect(metricValue(samples, 'tencent_batch_api_errors', { action: 'RetryJobs', code: 'NETWORK' })).toBe(
        1,
      );
    } finally {
      await handle.terminate('test done');
    }
  }, 150_000);

  it('answers /healthz with every worker RUNNING, and on SIGTERM stops serving, logs the shutdown and exits 0', async () => {
    const emu = await emulator();
    const queues = uniqueQueues();
    const w = await worker(emu, queues);
    await untilHealthy(w);
    expect(await readHealth(w.healthUrl)).toEqual({
      status: 200,
      body: {
        status: 'ok',
        workers: {
          [queues.workflow]: 'RUNNING',
          [budgetTaskQueue(queues)]: 'RUNNING',
          [queues.retry]: 'RUNNING',
          [queues.describe]: 'RUNNING',
        },
        credentials: { status: 'unverified', source: 'env', since: expect.any(String) },
      },
    });
    const signalled = Date.now();
    expect(await w.child.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(await readHealth(w.healthUrl)).toBe('closed');
    expect(w.child.output()).toMatch(/Shutdown requested: draining the workers[\s\S]*SIGTERM/);
    expect(w.child.output()).toMatch(/worker stopped: workers drained, closing the connection/);
  });

  it('drains an in-flight RetryJobs after SIGTERM (503 meanwhile) and exits 130 on a second signal', async () => {
    // The API holds RetryJobs for 5 s: the activity is in flight when the signal comes.
    const emu = await emulator({
      faults: [{ action: 'RetryJobs', kind: 'latency', latencyMs: 5_000, times: 1 }],
    });
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const w = await worker(emu, queues);
    await untilHealthy(w);
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-drain-${queues.workflow}`,
      args: [fastInput([job], queues)],
    });
    try {
      await waitFor(
        // Whichever workflow schedules it, an activity slot of the retry queue's worker is taken while it runs.
        async () =>
          metricValue(await scrapeMetrics(w.metricsUrl), 'temporal_worker_task_slots_used', {
            worker_type: 'ActivityWorker',
            task_queue: queues.retry,
          }) === 1,
        { timeoutMs: 30_000, description: 'the RetryJobs activity to start', intervalMs: 50 },
      );
      process.kill(w.child.pid, 'SIGTERM');
      const draining = await waitFor(
        async () => {
          const h = await readHealth(w.healthUrl);
          return h !== 'closed' && h.status === 503 ? h : undefined;
        },
        { timeoutMs: 5_000, description: '/healthz to answer 503 while draining' },
      );
      expect(draining.body.status).toBe('unavailable');
      expect(draining.body.workers[queues.retry]).not.toBe('RUNNING');
      expect(await w.child.kill('SIGTERM')).toEqual({ code: 130, signal: null });
      expect(w.child.output()).toMatch(/Second shutdown signal/);
    } finally {
      await handle.terminate('test done');
    }
  }, 150_000);

  it('lets an in-flight RetryJobs finish after SIGTERM, then exits 0; the next worker sees it done', async () => {
    const emu = await emulator({
      faults: [{ action: 'RetryJobs', kind: 'latency', latencyMs: 3_000, times: 1 }],
    });
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const queues = uniqueQueues();
    const first = await worker(emu, queues);
    await untilHealthy(first);
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-graceful-${queues.workflow}`,
      args: [fastInput([job], queues)],
    });
    await waitFor(
      async () =>
        metricValue(await scrapeMetrics(first.metricsUrl), 'temporal_worker_task_slots_used', {
          worker_type: 'ActivityWorker',
          task_queue: queues.retry,
        }) === 1,
      { timeoutMs: 30_000, description: 'the RetryJobs activity to start', intervalMs: 50 },
    );
    expect(await first.child.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    // The call was answered before the process left: applied once, and its result reached the server.
    expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    const second = await worker(emu, queues);
    await untilHealthy(second);
    const result = await handle.result();
    expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expect(emu.ledger.retriesOf(job)).toHaveLength(1);
  }, 150_000);
});
