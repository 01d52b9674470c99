/**
 * The RetryJobs rate limit holds across worker processes on the server's default task-queue partitions: every
 * call waits for a slot from the one API budget workflow (the retry queue's task-queue limit only keeps attempts
 * from piling up behind it). The emulator's ledger is the ground truth: no one-second window holds more RetryJobs
 * than the limit, and the API never had to refuse one. test/e2e/api-budget.e2e.test.ts covers every action.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunningEmulator } from '../../src/emulator';
import { taskQueueRateFor, type RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { retryRequestedSignal } from '../../src/shared/dispatcher-types';
import { statusQuery } from '../../src/shared/messages';
import { waitFor } from '../helpers/temporal-wait-for';
import { devServerEnv } from '../helpers/temporal';
import { recordHistory } from '../support/record-history';
import { killAll, startTsProcess, type ChildProcessHandle } from '../helpers/temporal-worker-process';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../src/activities';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import {
  emulatorEnv,
  fastInput,
  startTestEmulator,
  testApiBudget,
  uniqueQueues,
  workerProcessEnv,
} from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
let emu: RunningEmulator | undefined;
const workers: ChildProcessHandle[] = [];

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await killAll(workers);
  await emu?.close();
  await env?.teardown();
});

it('keeps RetryJobs at or under 2 per second with two worker processes, a stray worker without any limit, and a wave of 20 failing jobs', async () => {
  emu = await startTestEmulator();
  const queues = uniqueQueues();
  const workerEnv = workerProcessEnv(emu, queues);
  const script = require.resolve('../support/recovery-worker-process.ts');
  workers.push(startTsProcess(script, workerEnv), startTsProcess(script, workerEnv));

  // Failures in pairs two thirds of a second apart over 7 s, so the dispatcher sends many calls close together
  // (a tighter wave merges into one or two calls, too few to show which worker ran them).
  const jobs = Array.from({ length: 20 }, (_, i) =>
    emu!.createJob({
      script: {
        attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }],
        runSeconds: 60 + (i % 10) * 40,
      },
    }),
  );
  // A worker on the retry queue that sets no task-queue limit, in the test's own process: the budget still paces
  // its calls, as it paces every process's. Many pollers, so that it gets most of the retry tasks.
  const { retryFailedJobs } = createActivities({
    batchApi: createBatchApi(parseBatchConfig(emulatorEnv(emu))),
    apiBudget: testApiBudget(env, queues),
  });
  let strayRuns = 0;
  const stray = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queues.retry,
    maxConcurrentActivityTaskPolls: 10,
    activities: {
      retryFailedJobs: (...args: Parameters<typeof retryFailedJobs>) => {
        strayRuns += 1;
        return retryFailedJobs(...args);
      },
    },
  });
  const results = await stray.runUntil(
    Promise.all(
      jobs.map((job) =>
        env.client.workflow.execute(recoverBatchJobsWorkflow, {
          taskQueue: queues.workflow,
          workflowId: `e2e-wave-${queues.workflow}-${job}`,
          args: [fastInput([job], queues)],
        }),
      ),
    ),
  );
  expect(results.every((r) => r.overall === 'SUCCEEDED')).toBe(true);
  const retries = emu.ledger.entries({ action: 'RetryJobs' });
  const retried = retries.flatMap((e) => (e.params as { JobIds: string[] }).JobIds);
  expect(retried.sort()).toEqual([...jobs].sort());
  expect(retries.every((e) => e.outcome === 'ok')).toBe(true);
  expect(emu.ledger.maxPerWindow('RetryJobs', 1_000, 'all')).toBeLessThanOrEqual(2);
  // The stray took part (its calls are among those counted), and the limit the worker processes pinned on the
  // queue is the one the server keeps, whatever the stray's own options say: RetryJobs' 2/s on each of the 4
  // default partitions.
  expect(strayRuns).toBeGreaterThan(0);
  expect(await pinnedRateLimit(queues.retry)).toBe(taskQueueRateFor(2));
  expect(taskQueueRateFor(2)).toBe(8);
}, 120_000);

/** The activity rate limit kept in the queue's own configuration on the server (undefined when none is set). */
async function pinnedRateLimit(taskQueue: string): Promise<number | undefined> {
  const { config } = await env.client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportConfig: true,
  });
  return config?.queueRateLimit?.rateLimit?.requestsPerSecond ?? undefined;
}

it('merges a wave of failures from 40 workflows into a few shared RetryJobs calls, one retry per failure', async () => {
  emu = emu ?? (await startTestEmulator());
  const since = Date.now();
  const { queues, results } = await waveOfOneJobWorkflows(emu, 40, {});
  // The watcher handed every retry over on its owner's standing order, a few signals for the whole wave (one per
  // read of failures), where each owner used to hand over its own.
  const standing = results.filter((r) =>
    r.jobs[0]?.timeline.some((e) => e.detail.includes('standing order')),
  );
  expect(standing).toHaveLength(40);
  const { events } = await env.client.workflow
    .getHandle(`${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${queues.retry}`)
    .fetchHistory();
  const requested = (events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === retryRequestedSignal.name,
  );
  expect(requested.length).toBeLessThanOrEqual(8);
  const calls = emu.ledger.entries({ action: 'RetryJobs', since });
  const retried = calls.flatMap((e) => (e.params as { JobIds: string[] }).JobIds);
  expect(new Set(retried).size).toBe(40);
  expect(retried).toHaveLength(40);
  // 40 jobs, ≤ 100 per call: a handful of calls instead of 40.
  expect(calls.length).toBeLessThanOrEqual(8);
  expect(calls.every((e) => e.outcome === 'ok')).toBe(true);
}, 120_000);

it('reads the jobs of 60 workflows in shared DescribeJobs calls through the job watcher, at the API limit of 2/s', async () => {
  // The emulator's own DescribeJobs limit (2/s, as documented), not the relaxed one other tests use.
  const describeEmu = await startTestEmulator({ rateLimits: { DescribeJobs: 2 } });
  try {
    const { queues, jobs } = await waveOfOneJobWorkflows(describeEmu, 60, {
      TENCENT_BATCH_API_RATE_LIMITS: 'DescribeJobs=2',
    });
    const describes = describeEmu.ledger.entries({ action: 'DescribeJobs' });
    const sizes = describes.map((e) => ((e.params as { JobIds?: string[] }).JobIds ?? []).length);
    // Each workflow polling its own job would cost 60 calls per poll round; the watcher reads them together.
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(30);
    expect(describes.length).toBeLessThan(60);
    await recordHistory(
      env.client.workflow.getHandle(`e2e-wave-of-one-${queues.workflow}-${jobs[0]}`),
      'e2e-watched-owner',
    );
  } finally {
    await killAll(workers.splice(0));
    await describeEmu.close();
  }
}, 180_000);

/**
 * Two worker processes on fresh queues, and `count` one-job workflows whose job fails once (exit code 137) and
 * then succeeds; resolves with the jobs and the workflows' results.
 */
async function waveOfOneJobWorkflows(
  emulator: RunningEmulator,
  count: number,
  workerSettings: Record<string, string>,
): Promise<{ queues: RecoveryTaskQueues; jobs: string[]; results: RecoverBatchJobsResult[] }> {
  const queues = uniqueQueues();
  const script = require.resolve('../support/recovery-worker-process.ts');
  const workerEnv = workerProcessEnv(emulator, queues, workerSettings);
  workers.push(startTsProcess(script, workerEnv), startTsProcess(script, workerEnv));
  // A first attempt that would run for a day, failed by hand once every owner has seen it running (as a spot
  // reclaim would), then an attempt that succeeds: the wave is news to the owners, not their first read.
  const jobs = Array.from({ length: count }, () =>
    emulator.createJob({
      script: {
        attempts: [{ outcome: 'SUCCEED', runSeconds: 86_400 }, { outcome: 'SUCCEED' }],
        runSeconds: 120,
      },
    }),
  );
  const handles = await Promise.all(
    jobs.map((job) =>
      env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-wave-of-one-${queues.workflow}-${job}`,
        args: [fastInput([job], queues)],
      }),
    ),
  );
  await waitFor(
    async () => {
      const states = await Promise.all(handles.map((h) => h.query(statusQuery)));
      return states.every((s) => s.jobs[0]?.lastKnownState === 'RUNNING');
    },
    { timeoutMs: 90_000, description: 'every owner to see its job running' },
  );
  for (const job of jobs)
    emulator.setJobState(job, 'FAILED', { exitCode: 137, reason: 'spot instance reclaimed' });
  const results = await Promise.all(handles.map((h) => h.result()));
  expect(results.every((r) => r.overall === 'SUCCEEDED' && r.jobs[0]?.retries === 1)).toBe(true);
  for (const job of jobs) expect(emulator.ledger.retriesOf(job)).toHaveLength(1);
  return { queues, jobs, results };
}
