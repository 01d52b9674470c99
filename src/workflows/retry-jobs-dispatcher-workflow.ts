/**
 * `retryJobsDispatcherWorkflow`: one per namespace and retry queue. Recovery workflows signal it their failures as
 * soon as they decide to retry them, each request with the end of its backoff; it holds each until then, gathers
 * those due together, sends RetryJobs calls of up to 100 jobs (the API budget paces the calls), and tells each
 * requester its outcomes (one local activity per call). A wave of 500 failures in 500 workflows becomes 5
 * calls instead of 500: at 2 calls/s, seconds instead of minutes. Idempotency is unchanged: the same
 * `retryFailedJobs` activity keys every call to the observed failure; besides, a request delivered twice is taken
 * once, and no job is in two calls at once.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
import { fanOutSignal } from './signal-workflows';

/**
 * Long enough for the requests of one watcher read (one per owner) to arrive together, short next to the second a
 * signalled failure's retry may take. A request that arrives during its backoff has waited already, and goes when
 * due; requests that fill a call go at once. The window is a workflow timer, so on a server with default dynamic
 * config it lasts about a second whatever its length (the dispatch queue says why).
 */
const DEFAULT_GATHER_WINDOW_MS = 250;

/**
 * A partial batch waits until this long after the last call went out (RetryJobs' rate, 2 calls/s): it would wait
 * as long for the API budget anyway, and requests arriving meanwhile join it. It never waits for a call in flight:
 * a retry goes out as soon as the budget allows.
 */
const CALL_SPACING_MS = 500;

/**
 * Continue as new at this history length even under steady load (the server's suggestion comes at 4,096 events or
 * 4 MiB): a run stops taking batches, lets its calls end, and hands the rest of the queue to the next run.
 */
const MAX_HISTORY_EVENTS = 4_000;

export async function retryJobsDispatcherWorkflow(input: RetryDispatcherInput = {}): Promise<void> {
  const dispatcher = new RetryDispatcher(input);
  setHandler(retryRequestedSignal, ({ requests }) => {
    for (const request of Array.isArray(requests) ? requests : []) dispatcher.request(request);
  });
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
  /** Calls not finished: in flight, or their requesters being answered (a local activity). */
  private unfinishedCalls = 0;
  private lastDispatchMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly input: RetryDispatcherInput) {
    this.retryFailedJobs = proxyActivities<Activities>(
      retryJobsOptions(input.retryTaskQueue ?? DEFAULT_RETRY_TASK_QUEUE),
    ).retryFailedJobs;
    this.gatherWindowMs =
      input.gatherWindow === undefined
        ? DEFAULT_GATHER_WINDOW_MS
        : (parseDurationMs(input.gatherWindow) ?? DEFAULT_GATHER_WINDOW_MS);
    this.queue = new RetryDispatchQueue(this.gatherWindowMs, Date.now(), input);
  }

  /** The requesters' signal. */
  request(request: RetryRequest): void {
    const refused = this.queue.add(request, Date.now());
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
    for (;;) {
      if (this.queue.hasDispatchable(Date.now()) || this.timeToContinue()) return;
      const readyAt = this.queue.nextReadyAtMs(Date.now());
      // A request arriving meanwhile may be ready sooner than the one waited for: look again when one arrives.
      const waiting = this.queue.size();
      const woken = (): boolean =>
        this.queue.hasDispatchable(Date.now()) || this.queue.size() !== waiting || this.timeToContinue();
      if (readyAt === undefined) await condition(woken);
      else await condition(woken, readyAt - Date.now());
    }
  }

  /**
   * Lets a batch fill: with the requests that become ready within the gather window, then, if it is still partial,
   * until {@link CALL_SPACING_MS} after the last call.
   */
  async gather(): Promise<void> {
    await this.waitUnlessFull(this.queue.gatherUntilMs(Date.now(), this.gatherWindowMs) - Date.now());
    await this.waitUnlessFull(this.lastDispatchMs + CALL_SPACING_MS - Date.now());
  }

  /** Sends the oldest requests that fit one call; answers their requesters when it ends. */
  sendBatch(): void {
    const batch = this.queue.take(Date.now());
    if (batch.length === 0) return;
    this.lastDispatchMs = Date.now();
    this.unfinishedCalls += 1;
    void this.dispatch(batch).finally(() => {
      this.unfinishedCalls -= 1;
    });
  }

  /** Lets the calls in flight end, and their requesters be answered, before the run continues as new. */
  async drain(): Promise<void> {
    await condition(() => this.unfinishedCalls === 0);
  }

  continueAsNewInput(): RetryDispatcherInput {
    return { ...this.input, ...this.queue.toCarried() };
  }

  private async waitUnlessFull(ms: number): Promise<void> {
    if (ms > 0 && !this.queue.batchIsFull(Date.now())) {
      await condition(() => this.queue.batchIsFull(Date.now()), ms);
    }
  }

  private async dispatch(batch: RetryRequest[]): Promise<void> {
    let outcomes: RetryOutcome[] | undefined;
    let error: RetryAnswer['error'];
    try {
      outcomes = (await this.retryFailedJobs({ failures: batch.flatMap((r) => r.failures) })).outcomes;
    } catch (err) {
      error = describeActivityError(err);
    }
    // The call has ended: its jobs may go out again. Done here, on the activity's result (an event in history),
    // and not after the answer's local activity: on replay a local activity's result can be applied at another
    // point among the other events than it was, and the loop's next command (a call or a timer) depends on this.
    this.queue.done(batch);
    const byJob = new Map((outcomes ?? []).map((o) => [o.jobId, o]));
    await this.answer(
      batch.map((request) => ({
        workflowId: request.requesterWorkflowId,
        message: {
          requestId: request.requestId,
          outcomes: outcomes ? request.failures.flatMap((f) => byJob.get(f.jobId) ?? []) : [],
          ...(error ? { error } : {}),
        },
      })),
    );
  }

  /**
   * Tells each requester its outcomes. A requester that has ended (cancelled, terminated) waits for nothing; one
   * not told because the server was unreachable for minutes asks again after its answer timeout.
   */
  private async answer(answers: { workflowId: string; message: RetryAnswer }[]): Promise<void> {
    try {
      const gone = await fanOutSignal(retryAnsweredSignal, answers);
      if (gone.length > 0) log.warn('Requesters gone before their answer', { requesters: gone });
    } catch (err) {
      log.warn('Could not answer retry requests', {
        requestIds: answers.map((a) => a.message.requestId),
        error: describeActivityError(err),
      });
    }
  }
}
