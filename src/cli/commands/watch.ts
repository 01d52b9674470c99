/**
 * `watch <workflowId> [--interval 2s]`: the status, refreshed until the workflow ends, then the final result.
 * On a terminal the table is redrawn in place under a spinner line; in a log (not a terminal) the table is
 * printed once, then one line per change; with `--json`, one JSON object per change, then the result.
 * The exit code tells how the recovery ended (0 SUCCEEDED, 5 NEEDS_ATTENTION, 6 CANCELLED, 7 failed).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledFailure, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { RecoveryClient } from '../../client';
import type { RecoverBatchJobsResult } from '../../shared/recovery-types';
import type { recoverBatchJobsWorkflow } from '../../workflows';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';
import {
  renderStatusView,
  summarizeJobs,
  viewFingerprint,
  viewOfResult,
  viewOfStatus,
  type StatusView,
} from '../format/status-view';
import { formatInstant, formatSpan } from '../format/times';
import { LiveScreen } from '../live-screen';
import { queryStatus } from '../status-query';

/** Options of {@link watchCommand}. */
export interface WatchCommandOptions {
  /** The recovery's workflow ID. */
  workflowId: string;
  /** `--interval`: time between two status queries. */
  intervalMs: number;
  /** `--json`: one JSON object per change (`type: status`), then `type: result` or `type: failed`. */
  json: boolean;
  /** Stops watching (Ctrl-C); the workflow is not affected. */
  signal?: AbortSignal;
  /** Terminal width, for the redrawn table. @default 120 */
  columns?: number;
}

type Ending =
  { kind: 'result'; result: RecoverBatchJobsResult } | { kind: 'failed'; error: WorkflowFailedError };

/** Watches the recovery until it ends; returns the exit code of its outcome. */
export async function watchCommand(
  client: RecoveryClient,
  options: WatchCommandOptions,
  io: CliIo,
  nowMs: () => number = Date.now,
): Promise<ExitCode> {
  const { workflowId } = options;
  const handle = client.workflow.getHandle<typeof recoverBatchJobsWorkflow>(workflowId);
  await handle.describe(); // An unknown ID fails here, with WorkflowNotFoundError, before anything is drawn.

  // Aborted when watching stops: ends the timers and cancels in-flight calls (the result's long poll, a query
  // waiting for a worker), so the process exits at once instead of when the server answers.
  const stopWatching = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, stopWatching.signal])
    : stopWatching.signal;
  const untilStopped = <T>(call: () => Promise<T>): Promise<T> =>
    client.workflow.connection.withAbortSignal(stopWatching.signal, call);
  const stopped = new Promise<undefined>((resolve) =>
    signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );

  let ending: Ending | undefined;
  const ended = untilStopped(() => handle.result()).then(
    (result): Ending => (ending = { kind: 'result', result }),
    (error: unknown): Ending => {
      if (error instanceof WorkflowFailedError) return (ending = { kind: 'failed', error });
      throw error;
    },
  );
  // Handled here too: once watching stops nobody awaits it, and its cancellation rejects it.
  ended.catch(() => undefined);
  const display = createDisplay(workflowId, options, io, nowMs);
  try {
    while (ending === undefined && !signal.aborted) {
      // Raced with the end: a query waits for a worker, and a closed workflow's result needs none.
      const read = await Promise.race([
        untilStopped(() => queryStatus(client, workflowId)).then(
          (status) => ({ status }),
          (error: unknown) => ({ error }),
        ),
        ended.then(() => undefined),
        stopped,
      ]);
      if (read === undefined) break;
      if ('status' in read) {
        display.status(viewOfStatus(workflowId, read.status));
      } else {
        if (read.error instanceof WorkflowNotFoundError) throw read.error;
        // A query can fail while no worker runs or the workflow is closing: keep watching, say why.
        display.statusError(read.error instanceof Error ? read.error.message : String(read.error));
      }
      await Promise.race([ended, delay(options.intervalMs, undefined, { signal }).catch(() => undefined)]);
    }
  } finally {
    stopWatching.abort();
    display.stop();
  }
  if (ending === undefined) {
    writeLines(io.stderr, [`Stopped watching ${workflowId}; the workflow keeps running.`]);
    return ExitCode.INTERRUPTED;
  }
  if (ending.kind === 'failed' && ending.error.cause instanceof CancelledFailure) {
    if (options.json) writeJsonLine(io.stdout, { type: 'cancelled', workflowId });
    else
      writeLines(io.stdout, [
        `Workflow ${workflowId} was cancelled; its jobs are left as last seen (status shows them).`,
      ]);
    return ExitCode.CANCELLED;
  }
  if (ending.kind === 'failed') {
    const cause = ending.error.cause?.message ?? ending.error.message;
    if (options.json) writeJsonLine(io.stdout, { type: 'failed', workflowId, message: cause });
    else writeLines(io.stdout, [`Workflow ${workflowId} did not complete: ${cause}`]);
    return ExitCode.WORKFLOW_FAILED;
  }
  display.result(ending.result);
  return exitCodeOf(ending.result);
}

/** The exit code of a recovery's outcome. */
export function exitCodeOf(result: RecoverBatchJobsResult): ExitCode {
  return result.overall === 'SUCCEEDED' ? ExitCode.OK : ExitCode.NEEDS_ATTENTION;
}

interface Display {
  status(view: StatusView): void;
  statusError(message: string): void;
  result(result: RecoverBatchJobsResult): void;
  stop(): void;
}

function createDisplay(
  workflowId: string,
  options: WatchCommandOptions,
  io: CliIo,
  nowMs: () => number,
): Display {
  const every = `every ${formatSpan(options.intervalMs)}`;
  const finalLines = (result: RecoverBatchJobsResult): string[] => [
    ...renderStatusView(viewOfResult(workflowId, result), nowMs()),
    '',
    `Finished: ${result.overall} after ${formatSpan(Date.parse(result.finishedAt) - Date.parse(result.startedAt))}`,
  ];

  if (options.json) {
    let last: string | undefined;
    return {
      status(view) {
        const fingerprint = viewFingerprint(view);
        if (fingerprint === last) return;
        last = fingerprint;
        const { workflowId: _id, ...status } = view;
        writeJsonLine(io.stdout, { type: 'status', workflowId, status });
      },
      statusError: (message) => writeJsonLine(io.stdout, { type: 'status-error', workflowId, message }),
      result: (result) => writeJsonLine(io.stdout, { type: 'result', workflowId, result }),
      stop: () => undefined,
    };
  }

  if (io.interactive) {
    const screen = new LiveScreen(io.stdout, options.columns);
    let lastView: StatusView | undefined;
    return {
      status(view) {
        lastView = view;
        screen.draw(
          renderStatusView(view, nowMs()),
          `${view.overall}: ${summarizeJobs(view.jobs)} (refreshing ${every}; Ctrl-C stops watching)`,
        );
      },
      statusError(message) {
        screen.draw(lastView ? renderStatusView(lastView, nowMs()) : [], `status unavailable: ${message}`);
      },
      result: (result) => writeLines(io.stdout, finalLines(result)),
      stop: () => screen.stop(),
    };
  }

  let last: string | undefined;
  let lastError: string | undefined;
  const stamp = (): string => `[${formatInstant(new Date(nowMs()).toISOString())}]`;
  return {
    status(view) {
      const fingerprint = viewFingerprint(view);
      if (fingerprint === last) return;
      if (last === undefined) writeLines(io.stdout, [...renderStatusView(view, nowMs()), '']);
      else writeLines(io.stdout, [`${stamp()} ${view.overall}: ${summarizeJobs(view.jobs)}`]);
      last = fingerprint;
      lastError = undefined;
    },
    statusError(message) {
      if (message !== lastError) writeLines(io.stderr, [`${stamp()} status unavailable: ${message}`]);
      lastError = message;
    },
    result: (result) => writeLines(io.stdout, ['', ...finalLines(result)]),
    stop: () => undefined,
  };
}
