/**
 * Starts the planned recovery workflows at their planned moments, each on jobs created in the emulator just
 * before, through the package's client helpers (`startRecovery`, `waitForRecoveryResult`), and follows each one to
 * its result. Calls that fail while the server restarts are simply repeated: starts are idempotent (the workflow
 * ID derives from the job set) and waiting for a result is a read.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidRecoveryInputError, startRecovery, waitForRecoveryResult } from '../../src/client';
import type { RunningEmulator } from '../../src/emulator';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { fastInput } from '../../test/support/e2e-kit';
import type { ResolvedChaosOptions } from './chaos-options';
import type { PlannedWorkflow } from './chaos-plan';

/** One workflow of the run, as it went. */
export interface WorkflowRecord {
  planned: PlannedWorkflow;
  /** The emulator's jobs, in the order of `planned.jobs`. */
  jobIds: string[];
  workflowId?: string;
  /** When the start call returned and when the result arrived, in ms from the start of the run. */
  startedAtMs?: number;
  finishedAtMs?: number;
  result?: RecoverBatchJobsResult;
  /** Why there is no result: the workflow failed, could not be started, or did not finish in time. */
  failure?: string;
}

/** What the driver needs from the run. */
export interface WorkflowDriverDeps {
  client: Client;
  emulator: RunningEmulator;
  queues: RecoveryTaskQueues;
  options: ResolvedChaosOptions;
  /** Makes this run's workflow IDs unique on a server that outlives it. */
  idScope: string;
  elapsedMs: () => number;
  /** Aborted when the run ends: pending starts and result waits stop. */
  signal: AbortSignal;
}

/** How long a start may keep failing (server down) before the workflow counts as never started. */
const START_GIVE_UP_MS = 60_000;
/** The client retries a failed call for up to about 30 s; a wait still open after this is abandoned. */
const SETTLE_TIMEOUT_MS = 40_000;
/** Pause before repeating a call that failed because the server was away. */
const RETRY_PAUSE_MS = 500;

/** Starts and follows the run's workflows. */
export class WorkflowDriver {
  readonly records: WorkflowRecord[] = [];
  private readonly following: Promise<void>[] = [];

  constructor(private readonly deps: WorkflowDriverDeps) {}

  /** Workflows started and not yet finished (with a result or a failure). */
  openCount(): number {
    return this.records.filter((r) => r.startedAtMs !== undefined && !isSettled(r)).length;
  }

  /**
   * Starts every workflow at its planned moment; resolves once every start call returned. A start slowed by a
   * server restart does not hold up the next ones.
   */
  async startAll(workflows: readonly PlannedWorkflow[]): Promise<void> {
    const starts: Promise<void>[] = [];
    for (const planned of workflows) {
      const wait = planned.startAtMs - this.deps.elapsedMs();
      if (wait > 0) await delay(wait, undefined, { signal: this.deps.signal });
      starts.push(this.startOne(planned));
    }
    await Promise.all(starts);
  }

  /**
   * Waits until every workflow has finished or `deadline` (epoch ms) has passed; those still open then are marked
   * as not finished in time.
   */
  async awaitResults(deadline: number): Promise<void> {
    const allDone = Promise.all(this.following);
    const timeout = delay(Math.max(0, deadline - Date.now()), undefined, { signal: this.deps.signal });
    await Promise.race([allDone, timeout]);
    for (const record of this.records) {
      if (!isSettled(record)) record.failure = 'did not finish before the drain deadline';
    }
  }

  /**
   * Resolves once every result wait has ended (call it after the run's signal is aborted), so that no call is
   * still in flight, or waiting for a retry, when the connection closes.
   */
  async settle(): Promise<void> {
    // Unref'd: a timer left behind once the waits ended must not keep the process (or a jest worker) alive.
    await Promise.race([
      Promise.allSettled(this.following),
      delay(SETTLE_TIMEOUT_MS, undefined, { ref: false }),
    ]);
  }

  private async startOne(planned: PlannedWorkflow): Promise<void> {
    const { emulator, options, queues, client } = this.deps;
    const jobIds = planned.jobs.map((job, i) =>
      emulator.createJob({ jobName: `chaos-${planned.index}-${i}`, script: job.script }),
    );
    const record: WorkflowRecord = { planned, jobIds };
    this.records.push(record);
    const input = {
      ...fastInput(jobIds, queues, {
        pollInterval: options.pollInterval,
        maxRetriesPerJob: options.maxRetriesPerJob,
        escalation: { decisionTimeout: options.decisionTimeout },
      }),
      label: `chaos workflow ${planned.index}`,
    };
    try {
      const started = await this.untilAccepted(
        () => startRecovery(client, input, { taskQueue: queues.workflow, idScope: this.deps.idScope }),
        START_GIVE_UP_MS,
      );
      record.workflowId = started.workflowId;
      record.startedAtMs = this.deps.elapsedMs();
      this.following.push(this.follow(record, started.workflowId));
    } catch (error) {
      record.failure = `could not be started: ${messageOf(error)}`;
    }
  }

  /** Waits for the workflow's result, through server restarts, until it arrives, it fails, or the run ends. */
  private async follow(record: WorkflowRecord, workflowId: string): Promise<void> {
    while (!this.deps.signal.aborted && !isSettled(record)) {
      try {
        // Bound to the run's signal: when the run ends, the pending long poll is cancelled instead of being
        // retried by the client after its connection closed.
        record.result = await this.deps.client.withAbortSignal(this.deps.signal, () =>
          waitForRecoveryResult(this.deps.client, workflowId),
        );
        record.finishedAtMs = this.deps.elapsedMs();
      } catch (error) {
        if (error instanceof WorkflowFailedError) {
          record.failure = `workflow failed: ${messageOf(error.cause ?? error)}`;
          record.finishedAtMs = this.deps.elapsedMs();
        } else {
          await pause(this.deps.signal);
        }
      }
    }
  }

  /** Repeats `call` while it fails for a reason other than bad input, for at most `giveUpMs`. */
  private async untilAccepted<T>(call: () => Promise<T>, giveUpMs: number): Promise<T> {
    const giveUpAt = Date.now() + giveUpMs;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (error instanceof InvalidRecoveryInputError || Date.now() > giveUpAt) throw error;
        await pause(this.deps.signal);
        if (this.deps.signal.aborted) throw error;
      }
    }
  }
}

function isSettled(record: WorkflowRecord): boolean {
  return record.result !== undefined || record.failure !== undefined;
}

async function pause(signal: AbortSignal): Promise<void> {
  await delay(RETRY_PAUSE_MS, undefined, { signal }).catch(() => undefined);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
