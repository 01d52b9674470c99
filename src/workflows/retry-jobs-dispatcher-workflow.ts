/**
 * `retryJobsDispatcherWorkflow`: one per namespace and retry queue. Recovery workflows signal it their due
 * failures; it gathers them for a moment, sends RetryJobs calls of up to 100 jobs (the retry queue's rate limit
 * paces the calls), and signals each requester its outcomes. A wave of 500 failures in 500 workflows becomes 5
 * calls instead of 500: at 2 calls/s, seconds instead of minutes. Idempotency is unchanged: the same
 * `retryFailedJobs` activity keys every call to the observed failure; besides, a request delivered twice is taken
 * once, and no job is in two calls at once.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RetryOutcome } from '../shared/batch-types';
import { DEFAULT_RETRY_TASK_QUEUE } from '../shared/constants';
import {
  retryAnsweredSignal,
  retryRequestedSignal,
  retryWithdrawnSignal,
  type RetryAnswer,
  type RetryDispatcherInput,
  type RetryRequest,
} from '../shared/dispatcher-types';
import { parseDurationMs } from '../shared/duration';
import { describeActivityError } from './activity-errors';
import { retryJobsOptions } from './activity-options';
import { RetryDispatchQueue } from './retry-dispatch-queue';

/** Long enough for a wave's requests to arrive together, short next to the 10 s a wave may take. */
const DEFAULT_GATHER_WINDOW_MS = 500;

/**
 * A partial batch waits for the call in flight, and until a second has passed since the last call went out (the
 * retry queue's default pace), instead of queueing behind it at the rate limiter: later requests join it
 * meanwhile, so a wave arriving over seconds fills its calls. A full batch never waits; no batch waits longer
 * than {@link MAX_HOLD_MS}, so a call retrying for minutes cannot hold the rest.
 */
const CALL_SPACING_MS = 1_000;

/** The longest a partial batch waits for calls in flight. */
const MAX_HOLD_MS = 2_000;

/**
 * Continue as new at this history length even under steady load (the server's suggestion comes at 4,096 events or
 * 4 MiB): a run stops taking batches, lets its calls end, and hands the rest of the queue to the next run.
 */
const MAX_HISTORY_EVENTS = 4_000;

export async function retryJobsDispatcherWorkflow(input: RetryDispatcherInput = {}): Promise<void> {
  const dispatcher = new RetryDispatcher(input);
  setHandler(retryRequestedSignal, (request) => dispatcher.request(request));
  setHandler(retryWithdrawnSignal, ({ requestIds }) => dispatcher.withdraw(requestIds));
  while (!dispatcher.timeToContinue()) {
    await dispatcher.awaitWork();
    if (dispatcher.timeToContinue()) break;
    await dispatcher.gather();
    dispatcher.sendBatch();
  }
  await dispatcher.drain();
  await condition(allHandlersFinished);
  await continueAsNew<typeof retryJobsDispatcherWorkflow>(dispatcher.continueAsNewInput());
}

/** One run of the dispatcher: its queue, the calls in flight, and the steps of its loop. */
class RetryDispatcher {
  private readonly queue: RetryDispatchQueue;
  private readonly retryFailedJobs: Activities['retryFailedJobs'];
  private readonly gatherWindowMs: number;
  private inFlight = 0;
  private lastDispatchMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly input: RetryDispatcherInput) {
    this.queue = new RetryDispatchQueue(input.pending, input.recentRequestIds);
    this.retryFailedJobs = proxyActivities<Activities>(
      retryJobsOptions(input.retryTaskQueue ?? DEFAULT_RETRY_TASK_QUEUE),
    ).retryFailedJobs;
    this.gatherWindowMs =
      input.gatherWindow === undefined
        ? DEFAULT_GATHER_WINDOW_MS
        : (parseDurationMs(input.gatherWindow) ?? DEFAULT_GATHER_WINDOW_MS);
  }

  /** The requesters' signal. */
  request(request: RetryRequest): void {
    const refused = this.queue.add(request);
    if (refused === 'wrong-size') {
      log.error('Ignoring a retry request of the wrong size', {
        requestId: request.requestId,
        size: request.failures.length,
      });
    } else if (refused === 'duplicate') {
      log.info('Ignoring a retry request delivered twice', { requestId: request.requestId });
    }
  }

  /** A cancelled requester's signal: its requests must not go out any more. */
  withdraw(requestIds: string[]): void {
    const dropped = this.queue.withdraw(Array.isArray(requestIds) ? requestIds : []);
    log.info('Retry requests withdrawn', { requestIds, dropped });
  }

  timeToContinue(): boolean {
    const info = workflowInfo();
    const limit = this.input.continueAsNewAfterEvents ?? MAX_HISTORY_EVENTS;
    return info.continueAsNewSuggested || info.historyLength >= limit;
  }

  /** Waits until a request can go out, or it is time to continue as new. */
  async awaitWork(): Promise<void> {
    await condition(() => this.queue.hasDispatchable() || this.timeToContinue());
  }

  /**
   * Lets a batch fill: for the gather window, then, if it is still partial while a call is in flight or the last
   * went out less than a second ago, for that call (at most {@link MAX_HOLD_MS}).
   */
  async gather(): Promise<void> {
    const full = (): boolean => this.queue.batchIsFull();
    await condition(full, this.gatherWindowMs);
    if (full() || (this.inFlight === 0 && Date.now() >= this.lastDispatchMs + CALL_SPACING_MS)) return;
    const holdUntil = Date.now() + MAX_HOLD_MS;
    await condition(() => full() || this.inFlight === 0, MAX_HOLD_MS);
    const spacing = Math.min(this.lastDispatchMs + CALL_SPACING_MS, holdUntil) - Date.now();
    if (!full() && spacing > 0) await condition(full, spacing);
  }

  /** Sends the oldest requests that fit one call; answers their requesters when it ends. */
  sendBatch(): void {
    const batch = this.queue.take();
    if (batch.length === 0) return;
    this.lastDispatchMs = Date.now();
    this.inFlight += 1;
    void this.dispatch(batch).finally(() => {
      this.inFlight -= 1;
      this.queue.done(batch);
    });
  }

  /** Lets the calls in flight end before the run continues as new. */
  async drain(): Promise<void> {
    await condition(() => this.inFlight === 0);
  }

  continueAsNewInput(): RetryDispatcherInput {
    return { ...this.input, ...this.queue.toCarried() };
  }

  private async dispatch(batch: RetryRequest[]): Promise<void> {
    let outcomes: RetryOutcome[] | undefined;
    let error: RetryAnswer['error'];
    try {
      outcomes = (await this.retryFailedJobs({ failures: batch.flatMap((r) => r.failures) })).outcomes;
    } catch (err) {
      error = describeActivityError(err);
    }
    const byJob = new Map((outcomes ?? []).map((o) => [o.jobId, o]));
    await Promise.all(
      batch.map((request) =>
        this.answer(request.requesterWorkflowId, {
          requestId: request.requestId,
          outcomes: outcomes ? request.failures.flatMap((f) => byJob.get(f.jobId) ?? []) : [],
          ...(error ? { error } : {}),
        }),
      ),
    );
  }

  private async answer(requesterWorkflowId: string, reply: RetryAnswer): Promise<void> {
    try {
      await getExternalWorkflowHandle(requesterWorkflowId).signal(retryAnsweredSignal, reply);
    } catch (err) {
      // The requester has ended (cancelled, terminated): nobody is waiting for this answer.
      log.warn('Could not answer a retry request', {
        requesterWorkflowId,
        requestId: reply.requestId,
        error: String(err),
      });
    }
  }
}
