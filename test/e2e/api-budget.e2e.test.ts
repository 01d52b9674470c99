/**
 * One API budget per Tencent action, on the run's Temporal server as it comes (default task-queue partitions, no
 * dynamic config for the package's queues): worker processes configured only through the environment, the
 * emulator at every action's documented default limit, and the emulator's ledger as the ground truth.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import type { RunningEmulator } from '../../src/emulator';
import { BUDGETED_ACTIONS, INTERNATIONAL_API_RATE_LIMITS } from '../../src/shared/api-budget-types';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv } from '../helpers/temporal';
import { budgetWorkflowId, emulatorEnv, fastInput, perTestResources, uniqueQueues } from '../support/e2e-kit';
import { recordHistory } from '../support/record-history';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import {
  scrapeMetrics,
  startWorkerProcess,
  type MetricSample,
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

const FAIL_ONCE = {
  attempts: [{ outcome: 'FAILED' as const, exitCode: 137 }, { outcome: 'SUCCEED' as const }],
};

/** Worker processes (src/worker.ts) with the package's default budgets, against `emu`. */
async function startWorkers(
  emu: RunningEmulator,
  count: number,
): Promise<{ queues: RecoveryTaskQueues; metrics: () => Promise<MetricSample[]> }> {
  const queues = uniqueQueues();
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const worker = await startWorkerProcess(emu, queues, { TENCENT_BATCH_API_RATE_LIMITS: 'international' });
    track(worker.child);
    workers.push(worker);
  }
  return {
    queues,
    metrics: async () => (await Promise.all(workers.map((w) => scrapeMetrics(w.metricsUrl)))).flat(),
  };
}

/** Sum of the samples named `name` (across processes and labels) whose labels include `labels`. */
function total(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** For every action: no request refused for its rate, and no one-second window above the action's limit. */
function expectEveryActionWithinItsLimit(emu: RunningEmulator): void {
  for (const action of BUDGETED_ACTIONS) {
    const refused = emu.ledger
      .entries({ action })
      .filter((e) => e.outcome.startsWith('RequestLimitExceeded'));
    expect({ action, refused: refused.length }).toEqual({ action, refused: 0 });
    const most = emu.ledger.maxPerWindow(action, 1_000, 'all');
    expect({ action, most: most <= INTERNATIONAL_API_RATE_LIMITS[action] }).toEqual({ action, most: true });
  }
}

/** Activities that failed or timed out for good, as the workflows' histories recorded them. */
async function failedActivities(handles: WorkflowHandle[]): Promise<string[]> {
  const { EventType } = temporal.api.enums.v1;
  const failed: string[] = [];
  for (const handle of handles) {
    const { events } = await handle.fetchHistory();
    for (const e of events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) {
        failed.push(`${handle.workflowId}: ${e.activityTaskFailedEventAttributes?.failure?.message ?? ''}`);
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
        failed.push(`${handle.workflowId}: timed out`);
    }
  }
  return failed;
}

it('holds every action at its limit with three worker processes: 50 failures to describe at once and a workflow of 1,000 jobs', async () => {
  const emu = await emulator({ rateLimits: {} });
  const { queues, metrics } = await startWorkers(emu, 3);
  const waveJobs = Array.from({ length: 50 }, () =>
    emu.createJob({ script: { ...FAIL_ONCE, runSeconds: 120 } }),
  );
  const bigJobs = Array.from({ length: 1_000 }, (_, i) =>
    emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 60 + (i % 4) * 30 } }),
  );
  const start = (jobIds: string[], name: string) =>
    env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-budget-${name}-${queues.workflow}`,
      // A rule on exit codes: each failure's details (DescribeJob, DescribeTask) are read before it is retried.
      args: [
        fastInput(jobIds, queues, {
          pollInterval: '2s',
          retryRules: [{ onExitCode: '2', action: 'ESCALATE' }],
        }),
      ],
    });
  const handles = [
    await start(bigJobs, 'big'),
    ...(await Promise.all(waveJobs.map((job) => start([job], job)))),
  ];
  const results: RecoverBatchJobsResult[] = await Promise.all(handles.map((h) => h.result()));

  expect(results.every((r) => r.overall === 'SUCCEEDED')).toBe(true);
  expect(results[0]?.jobs).toHaveLength(1_000);
  // Each failure was described (its exit code read) and retried once.
  for (const job of waveJobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
  expect(emu.ledger.entries({ action: 'DescribeJob' }).length).toBeGreaterThanOrEqual(50);
  expect(emu.ledger.entries({ action: 'DescribeTask' }).length).toBeGreaterThanOrEqual(50);
  expectEveryActionWithinItsLimit(emu);
  expect(await failedActivities(handles)).toEqual([]);
  const samples = await metrics();
  expect(total(samples, 'temporal_activity_execution_failed')).toBe(0);
  // Every call the workers made was counted by action.
  expect(total(samples, 'tencent_batch_api_calls', { action: 'DescribeJob' })).toBe(
    emu.ledger.entries({ action: 'DescribeJob' }).length,
  );
}, 420_000);

it('slows down and finishes when another service spends 1 DescribeJobs/s of the same account, failing no activity', async () => {
  const emu = await emulator({ rateLimits: {} });
  const { queues, metrics } = await startWorkers(emu, 2);
  // The other service: its own client and key (same account: the limits are the account's), outside the
  // package's budget, one DescribeJobs a second.
  const outsideKey = emu.credentials.issueKey();
  const outside = createBatchApi(
    parseBatchConfig({
      ...emulatorEnv(emu),
      TENCENTCLOUD_SECRET_ID: outsideKey.secretId,
      TENCENTCLOUD_SECRET_KEY: outsideKey.secretKey,
    }),
  );
  let outsideRunning = true;
  const outsideLoad = (async () => {
    const probe = emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 5 } });
    while (outsideRunning) {
      await outside.describeJobs({ jobIds: [probe] }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  try {
    // The package wants more than the limit meanwhile: 300 jobs running for about 40 s, read every second (3
    // DescribeJobs a round, the budget granting 2/s), so the other service's calls meet the budget's full rate and
    // the API must refuse some of the package's. Among them, 20 jobs that fail once.
    const busyJobs = Array.from({ length: 300 }, () =>
      emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 2_400 } }),
    );
    const jobs = Array.from({ length: 20 }, (_, i) =>
      emu.createJob({ script: { ...FAIL_ONCE, runSeconds: 60 + (i % 5) * 30 } }),
    );
    const busy = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-budget-busy-${queues.workflow}`,
      args: [fastInput(busyJobs, queues)],
    });
    const handles = await Promise.all(
      jobs.map((job) =>
        env.client.workflow.start(recoverBatchJobsWorkflow, {
          taskQueue: queues.workflow,
          workflowId: `e2e-budget-shared-${queues.workflow}-${job}`,
          args: [fastInput([job], queues)],
        }),
      ),
    );
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.every((r) => r.overall === 'SUCCEEDED' && r.jobs[0]?.retries === 1)).toBe(true);
    expect((await busy.result()).overall).toBe('SUCCEEDED');
    for (const job of jobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    // The API did refuse some of the package's calls (the budget cannot see the other service)...
    const refused = emu.ledger
      .entries({ action: 'DescribeJobs' })
      .filter((e) => e.outcome === 'RequestLimitExceeded' && e.secretId !== outsideKey.secretId);
    expect(refused.length).toBeGreaterThan(0);
    // ...and each was absorbed inside its activity: no attempt failed.
    expect(await failedActivities([busy, ...handles])).toEqual([]);
    const samples = await metrics();
    expect(total(samples, 'temporal_activity_execution_failed')).toBe(0);
    expect(total(samples, 'tencent_batch_api_rate_limited', { action: 'DescribeJobs' })).toBe(refused.length);
    await recordHistory(env.client.workflow.getHandle(budgetWorkflowId(queues)), 'e2e-api-budget');
  } finally {
    outsideRunning = false;
    await outsideLoad;
  }
}, 300_000);
