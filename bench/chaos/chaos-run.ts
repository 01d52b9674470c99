/**
 * One chaos run on real parts: a Temporal server of its own (a file-backed dev server, or a cluster on PostgreSQL), the Tencent Batch emulator over HTTP (with
 * faults when asked), the package's worker in child processes, and recovery workflows started through the
 * package's client. Worker processes are SIGKILLed at random moments and the server is restarted on the same
 * port while the workflows run; then the emulator's ledger and the results say whether any job was lost, any
 * failure retried twice, or any outcome wrong. Used by `npm run bench:chaos[-faults]` and by test/chaos.
 */
import { actionFigures } from '../lib/ledger-figures';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { INTERNATIONAL_API_RATE_LIMITS, type BudgetedAction } from '../../src/shared/api-budget-types';
import { SeededRandom } from '../../src/emulator/random';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { emulatorEnv, uniqueQueues } from '../../test/support/e2e-kit';
import { budgetTaskQueueOf } from '../lib/worker-env';
import { auditChaosRun } from './chaos-audit';
import { countHelperWorkflowRuns, saveViolationEvidence } from './chaos-evidence';
import { findChaosRunSecrets } from './chaos-secrets';
import { runChaosEvents, type RetryJobsFaults } from './chaos-events';
import {
  CHAOS_FAULT_KINDS,
  faultRules,
  resolveChaosOptions,
  type ChaosOptions,
  type ResolvedChaosOptions,
} from './chaos-options';
import { planChaos } from './chaos-plan';
import { summarizeChaosRun, type ChaosResult } from './chaos-result';
import { startChaosTemporal } from './chaos-temporal';
import { retryJobsEvidence } from './retry-jobs-evidence';
import { WorkflowDriver } from './workflow-driver';
import { WorkerFleet } from './worker-fleet';

export type { ChaosOptions } from './chaos-options';
export { chaosRunPassed, type ChaosResult } from './chaos-result';

/** The limits of each `apiLimits` choice (see ChaosOptions), the same in the emulator and in the workers' budget. */
const API_LIMITS: Record<ResolvedChaosOptions['apiLimits'], Readonly<Record<BudgetedAction, number>>> = {
  api: INTERNATIONAL_API_RATE_LIMITS,
  'unthrottled-describes': {
    ...INTERNATIONAL_API_RATE_LIMITS,
    DescribeJobs: 400,
    DescribeJob: 400,
    DescribeTask: 400,
  },
};

/** `TENCENT_BATCH_API_RATE_LIMITS` for `limits`. */
function rateLimitsVariable(limits: Readonly<Record<string, number>>): string {
  return Object.entries(limits)
    .map(([action, rps]) => `${action}=${rps}`)
    .join(',');
}

/** Starting two workers (bundling the workflows) on two busy cores can take a while. */
const FLEET_START_TIMEOUT_MS = 180_000;

/** Runs one chaos run and returns its verdict. Every process it started is stopped before it returns or throws. */
export async function runChaos(chaosOptions: ChaosOptions = {}): Promise<ChaosResult> {
  const options = resolveChaosOptions(chaosOptions);
  const plan = planChaos(options);
  const random = new SeededRandom(options.seed ^ 0x5eed);
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(path.join(tmpdir(), 'tencent-batch-chaos-')));
  const runStartedAt = Date.now();
  const cleanup = new CleanupStack();
  // Stops the background loops (starts, result waits, events) however the run ends.
  const stopped = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopped.signal]) : stopped.signal;
  // Every pending wait (one per open workflow) listens to it: more than Node's default 10 is expected, not a leak.
  setMaxListeners(Infinity, signal);
  let keepWorkDir = !ownWorkDir;
  try {
    const server = await startChaosTemporal(options.backend, workDir);
    cleanup.push(() => server.stop());
    const emulator = await startEmulator({
      timeScale: options.timeScale,
      rateLimits: API_LIMITS[options.apiLimits],
      faults: faultRules(options.faultRate),
      seed: options.seed,
      ledgerPath: path.join(workDir, 'ledger.jsonl'),
    });
    cleanup.push(() => emulator.close());
    // No retry interceptor: the run repeats its own calls (it expects the server to go away), and the SDK's
    // interceptor re-sends a failed call from a timer that cancellation does not reach, which throws out of the
    // process once the connection is closed at the end of the run ("Channel has been shut down").
    const connection = await Connection.connect({ address: server.address, interceptors: [] });
    cleanup.push(() => connection.close());
    const client = new Client({ connection });
    const queues = uniqueQueues();
    options.log(`${server.backend} ${server.address}, emulator ${emulator.endpoint}, work dir ${workDir}`);

    let chaosStartedAt = Date.now();
    const elapsedMs = (): number => Date.now() - chaosStartedAt;
    const fleet = WorkerFleet.start({
      count: options.workerProcesses,
      env: workerEnv(emulator, server.address, queues, API_LIMITS[options.apiLimits]),
      workDir,
      isPolling: (pid) =>
        client.withAbortSignal(signal, () => pollsWorkflowQueue(client, queues.workflow, pid)),
      elapsedMs,
      log: options.log,
      signal,
    });
    cleanup.push(() => fleet.stop());
    await fleet.waitAllReady(FLEET_START_TIMEOUT_MS);

    chaosStartedAt = Date.now();
    const driver = new WorkflowDriver({
      client,
      emulator,
      queues,
      options,
      idScope: `chaos-${randomUUID().slice(0, 8)}`,
      elapsedMs,
      signal,
    });
    cleanup.push(() => driver.settle());
    const [, events] = await Promise.all([
      driver.startAll(plan.workflows),
      runChaosEvents(plan.events, {
        fleet,
        server,
        random,
        elapsedMs,
        openWorkflows: () => driver.openCount(),
        retryJobsRunningOn: (pid) =>
          client.withAbortSignal(signal, () => retryJobsRunningOn(client, queues, pid)),
        api: retryJobsFaults(emulator, signal),
        signal,
        log: options.log,
      }),
    ]);
    options.log(`t=${(elapsedMs() / 1000).toFixed(1)}s: all started, chaos done; waiting for the results`);
    await driver.awaitResults(Date.now() + options.drainTimeoutMs);
    const chaosPhaseMs = elapsedMs();

    const secrets = await findChaosRunSecrets(client, fleet.launched());
    const audit = auditChaosRun(
      driver.records,
      emulator.ledger.entries(),
      (id) => emulator.getJob(id),
      secrets,
    );
    const retryJobs = retryJobsEvidence(
      events.kills,
      emulator.ledger.entries(),
      driver.records.flatMap((record) => record.result?.jobs ?? []),
    );
    if (audit.violations.length > 0) {
      keepWorkDir = true;
      await saveViolationEvidence(client, audit.violations, workDir);
    }
    const result = summarizeChaosRun({
      options,
      faultKinds: CHAOS_FAULT_KINDS,
      plan,
      records: driver.records,
      audit,
      events,
      retryJobs,
      server,
      unexpectedExits: fleet.unexpectedExits,
      apiRequests: emulator.ledger.size,
      maxRetryJobsPerSecond: emulator.ledger.maxPerWindow('RetryJobs', 1_000, 'all'),
      actions: actionFigures(emulator.ledger, API_LIMITS[options.apiLimits]),
      helperWorkflowRuns: await countHelperWorkflowRuns(client).catch(() => ({})),
      durationMs: Date.now() - runStartedAt,
      chaosPhaseMs,
    });
    if (fleet.unexpectedExits.length > 0) keepWorkDir = true;
    return keepWorkDir ? { ...result, evidence_dir: workDir } : result;
  } catch (error) {
    keepWorkDir = true;
    throw new Error(`chaos run failed (logs in ${workDir})`, { cause: error });
  } finally {
    stopped.abort();
    await cleanup.runAll();
    if (!keepWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** What an operator would export for a worker against this emulator and server, on this run's queues. */
function workerEnv(
  emulator: RunningEmulator,
  temporalAddress: string,
  queues: RecoveryTaskQueues,
  limits: Readonly<Record<string, number>>,
): Record<string, string> {
  return {
    ...emulatorEnv(emulator),
    TEMPORAL_ADDRESS: temporalAddress,
    TENCENT_BATCH_RECOVERY_TASK_QUEUE: queues.workflow,
    TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: queues.retry,
    TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE: queues.describe,
    TENCENT_BATCH_API_BUDGET_ID: `api-budget-${queues.workflow}`,
    TENCENT_BATCH_API_BUDGET_TASK_QUEUE: budgetTaskQueueOf(queues),
    TENCENT_BATCH_API_RATE_LIMITS: rateLimitsVariable(limits),
    TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: 'off',
    TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS: 'off',
  };
}

/** Whether the server lists the worker process `pid` (identity `<pid>@<host>`) as a poller of `queue`. */
async function pollsWorkflowQueue(client: Client, queue: string, pid: number): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`));
}

/**
 * Whether the process `pid` runs a RetryJobs activity now. Retries go through the RetryJobs dispatcher (one
 * workflow per retry queue), so its pending activities are where such a call shows.
 */
async function retryJobsRunningOn(client: Client, queues: RecoveryTaskQueues, pid: number): Promise<boolean> {
  const dispatcher = client.workflow.getHandle(`${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${queues.retry}`);
  const { raw } = await dispatcher.describe();
  return (raw.pendingActivities ?? []).some(
    (activity) =>
      activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED &&
      activity.lastWorkerIdentity?.startsWith(`${pid}@`),
  );
}

/** Aimed RetryJobs faults through the emulator's fault rules (each rule spent on the next RetryJobs call). */
function retryJobsFaults(emulator: RunningEmulator, signal: AbortSignal): RetryJobsFaults {
  const holdsPending = (): number =>
    emulator.faults.list().filter((rule) => rule.action === 'RetryJobs' && rule.kind === 'slow-answer')
      .length;
  return {
    async holdNextRetryJobsAnswer(holdMs, withinMs) {
      const before = holdsPending();
      emulator.faults.add({ action: 'RetryJobs', kind: 'slow-answer', latencyMs: holdMs, times: 1 });
      const deadline = Date.now() + withinMs;
      while (Date.now() < deadline) {
        if (holdsPending() <= before) return true;
        await delay(20, undefined, { signal });
      }
      return false;
    },
    dropNextRetryJobsAnswer() {
      emulator.faults.add({ action: 'RetryJobs', kind: 'apply-then-drop', times: 1 });
    },
  };
}

/** Cleanups run in reverse order of registration (workers before the server they poll), each even if one fails. */
class CleanupStack {
  private readonly steps: (() => Promise<void>)[] = [];

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async runAll(): Promise<void> {
    for (const step of this.steps.reverse()) await step().catch(() => undefined);
  }
}
