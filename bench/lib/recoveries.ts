/**
 * Starting and ending the recovery workflows a benchmark watches, through the package's public client helper
 * (`startRecovery`: the deterministic workflow ID, search attributes, input validation), and reading what
 * Temporal stored for them.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startRecovery, type StartedRecovery } from '../../src/client';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import type { RecoverBatchJobsInput, RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { beforeDeadline, mapConcurrently } from './concurrency';

/** Starting many workflows at once: enough in flight to be quick, few enough not to swamp the dev server. */
const START_CONCURRENCY = 16;

/** What every workflow of a benchmark gets besides its job IDs. */
export type SharedInput = Omit<RecoverBatchJobsInput, 'jobIds'>;

/**
 * Starts one recovery per job group on `queues`, with `input` (policy, label, any extra field) for each. The
 * `idScope` keeps this run's workflow IDs apart from earlier runs on the same server.
 */
export function startRecoveries(
  client: Client,
  groups: readonly string[][],
  queues: RecoveryTaskQueues,
  input: SharedInput,
  idScope: string,
): Promise<StartedRecovery[]> {
  return mapConcurrently(groups, START_CONCURRENCY, (jobIds) =>
    startRecovery(
      client,
      {
        ...input,
        jobIds,
        taskQueues: { ...input.taskQueues, retry: queues.retry, describe: queues.describe },
      },
      { taskQueue: queues.workflow, idScope },
    ),
  );
}

/** The results of `recoveries`, or why each one has none by `timeoutMs` from now. */
export async function recoveryResults(
  recoveries: readonly StartedRecovery[],
  timeoutMs: number,
): Promise<(RecoverBatchJobsResult | { error: string })[]> {
  const deadline = Date.now() + timeoutMs;
  return mapConcurrently(recoveries, START_CONCURRENCY, async (recovery) => {
    try {
      return await beforeDeadline(recovery.handle.result(), deadline);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** Terminates every recovery still running (benchmarks end their workflows; nothing is left polling). */
export async function terminateRecoveries(
  recoveries: readonly StartedRecovery[],
  reason: string,
): Promise<void> {
  await mapConcurrently(recoveries, START_CONCURRENCY, async (recovery) => {
    try {
      await recovery.handle.terminate(reason);
    } catch {
      // Already closed.
    }
  });
}

/**
 * Cancels every recovery (a cancelled recovery ends cleanly and leaves the shared job watcher, which a terminated
 * one cannot do), waits up to `timeoutMs` for them to close, and terminates any still running after that.
 */
export async function cancelRecoveries(
  recoveries: readonly StartedRecovery[],
  timeoutMs: number,
): Promise<void> {
  await mapConcurrently(recoveries, START_CONCURRENCY, async (recovery) => {
    await recovery.handle.cancel().catch(() => undefined);
  });
  await recoveryResults(recoveries, timeoutMs);
  await terminateRecoveries(recoveries, 'benchmark over: not closed after cancellation');
}

/** One workflow run and its history's events. */
export interface RunHistory {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  events: readonly temporal.api.history.v1.IHistoryEvent[];
}

/**
 * Every workflow run on the benchmark's task queues (and `extraQueues`, e.g. the API budget's), with its history
 * from `fetchHistory()`: the recovery workflows and any helper workflow the package runs next to them (the RetryJobs
 * dispatcher, a shared job watcher...), each run of a continue-as-new chain on its own.
 */
export async function historiesOnQueues(
  client: Client,
  queues: RecoveryTaskQueues,
  extraQueues: readonly string[] = [],
): Promise<RunHistory[]> {
  const query = [onQueues(queues), ...extraQueues.map((queue) => `TaskQueue='${queue}'`)].join(' OR ');
  const runs: { workflowId: string; runId: string; type: string; status: string }[] = [];
  for await (const info of client.workflow.list({ query })) {
    runs.push({ workflowId: info.workflowId, runId: info.runId, type: info.type, status: info.status.name });
  }
  return mapConcurrently(runs, START_CONCURRENCY, async (run) => {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    return { ...run, events: history.events ?? [] };
  });
}

/** When `event` was written, in epoch ms. */
export function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

/** Workflow tasks completed between `fromMs` and `toMs` (epoch ms) in `runs`, by workflow type. */
export function workflowTasksByType(
  runs: readonly RunHistory[],
  fromMs: number,
  toMs: number,
): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const run of runs) {
    const tasks = run.events.filter(
      (event) =>
        event.workflowTaskCompletedEventAttributes != null &&
        eventTimeMs(event) >= fromMs &&
        eventTimeMs(event) < toMs,
    ).length;
    byType[run.type] = (byType[run.type] ?? 0) + tasks;
  }
  return byType;
}

/**
 * Terminates every workflow still running on the benchmark's task queues, the package's helper workflows (job
 * watcher, RetryJobs dispatcher) included, so nothing of a finished scenario keeps timers or tasks on the server.
 */
export async function terminateEverythingOnQueues(client: Client, queues: RecoveryTaskQueues): Promise<void> {
  const query = `(${onQueues(queues)}) AND ExecutionStatus='Running'`;
  const running: { workflowId: string; runId: string }[] = [];
  for await (const info of client.workflow.list({ query })) running.push(info);
  await mapConcurrently(running, START_CONCURRENCY, async ({ workflowId, runId }) => {
    await client.workflow
      .getHandle(workflowId, runId)
      .terminate('benchmark scenario over')
      .catch(() => undefined);
  });
}

/** A visibility query for every workflow on any of `queues`. */
function onQueues(queues: RecoveryTaskQueues): string {
  return Object.values(queues)
    .map((queue) => `TaskQueue='${queue}'`)
    .join(' OR ');
}
