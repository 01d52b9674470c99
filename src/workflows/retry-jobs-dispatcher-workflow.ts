/**
 * `retryJobsDispatcherWorkflow`: one per namespace and retry queue. Recovery workflows signal it their due
 * failures; it gathers them for a moment, sends RetryJobs calls of up to 100 jobs (the retry queue's rate limit
 * paces the calls), and signals each requester its outcomes. A wave of 500 failures in 500 workflows becomes 5
 * calls instead of 500: at 2 calls/s, seconds instead of minutes. Idempotency is unchanged: the same
 * `retryFailedJobs` activity keys every call to the observed failure.
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
import type { ObservedFailure, RetryOutcome } from '../shared/batch-types';
import { DEFAULT_RETRY_TASK_QUEUE, MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import {
  retryAnsweredSignal,
  retryRequestedSignal,
  type RetryAnswer,
  type RetryDispatcherInput,
  type RetryRequest,
} from '../shared/dispatcher-types';
import { parseDurationMs } from '../shared/duration';
import { describeActivityError } from './activity-errors';
import { retryJobsOptions } from './activity-options';

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

export async function retryJobsDispatcherWorkflow(input: RetryDispatcherInput = {}): Promise<void> {
  const { retryFailedJobs } = proxyActivities<Activities>(
    retryJobsOptions(input.retryTaskQueue ?? DEFAULT_RETRY_TASK_QUEUE),
  );
  const gatherWindowMs =
    input.gatherWindow === undefined
      ? DEFAULT_GATHER_WINDOW_MS
      : (parseDurationMs(input.gatherWindow) ?? DEFAULT_GATHER_WINDOW_MS);
  const queue: RetryRequest[] = [...(input.pending ?? [])];
  let inFlight = 0;
  let lastDispatchMs = Number.NEGATIVE_INFINITY;
  const batchIsFull = (): boolean => failureCount(queue) >= MAX_JOB_IDS_PER_REQUEST;
  setHandler(retryRequestedSignal, (request) => {
    // Requesters send 1..100 failures; anything else could never fit a RetryJobs call.
    if (request.failures.length === 0 || request.failures.length > MAX_JOB_IDS_PER_REQUEST) {
      log.error('Ignoring a retry request of the wrong size', {
        requestId: request.requestId,
        size: request.failures.length,
      });
      return;
    }
    queue.push(request);
  });

  const answer = async (requesterWorkflowId: string, reply: RetryAnswer): Promise<void> => {
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
  };

  const dispatch = async (batch: RetryRequest[]): Promise<void> => {
    const failures: ObservedFailure[] = batch.flatMap((r) => r.failures);
    let outcomes: RetryOutcome[] | undefined;
    let error: RetryAnswer['error'];
    try {
      outcomes = (await retryFailedJobs({ failures })).outcomes;
    } catch (err) {
      error = describeActivityError(err);
    }
    const byJob = new Map((outcomes ?? []).map((o) => [o.jobId, o]));
    await Promise.all(
      batch.map((request) =>
        answer(request.requesterWorkflowId, {
          requestId: request.requestId,
          outcomes: outcomes ? request.failures.flatMap((f) => byJob.get(f.jobId) ?? []) : [],
          ...(error ? { error } : {}),
        }),
      ),
    );
  };

  /** Lets a partial batch fill while the last call is in flight or too recent (see CALL_SPACING_MS). */
  const holdPartialBatch = async (): Promise<void> => {
    const holdUntil = Date.now() + MAX_HOLD_MS;
    await condition(() => batchIsFull() || inFlight === 0, MAX_HOLD_MS);
    const spacing = Math.min(lastDispatchMs + CALL_SPACING_MS, holdUntil) - Date.now();
    if (!batchIsFull() && spacing > 0) await condition(batchIsFull, spacing);
  };

  for (;;) {
    await condition(() => queue.length > 0 || (workflowInfo().continueAsNewSuggested && inFlight === 0));
    if (queue.length === 0) break;
    await condition(batchIsFull, gatherWindowMs);
    if (!batchIsFull() && (inFlight > 0 || Date.now() < lastDispatchMs + CALL_SPACING_MS)) {
      await holdPartialBatch();
    }
    const batch = takeBatch(queue);
    lastDispatchMs = Date.now();
    inFlight += 1;
    void dispatch(batch).finally(() => (inFlight -= 1));
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => inFlight === 0);
      if (queue.length === 0) break;
    }
  }
  await condition(() => inFlight === 0 && allHandlersFinished());
  await continueAsNew<typeof retryJobsDispatcherWorkflow>({ ...input, pending: queue });
}

function failureCount(queue: RetryRequest[]): number {
  return queue.reduce((n, r) => n + r.failures.length, 0);
}

/**
 * Takes whole requests, oldest first, while the batch stays within 100 jobs and names each job once (the
 * activity refuses a job listed twice; two workflows watching one job wait for the next batch).
 */
function takeBatch(queue: RetryRequest[]): RetryRequest[] {
  const batch: RetryRequest[] = [];
  const jobs = new Set<string>();
  for (let i = 0; i < queue.length;) {
    const request = queue[i] as RetryRequest;
    const fits = jobs.size + request.failures.length <= MAX_JOB_IDS_PER_REQUEST;
    const clash = request.failures.some((f) => jobs.has(f.jobId));
    if (fits && !clash) {
      batch.push(request);
      request.failures.forEach((f) => jobs.add(f.jobId));
      queue.splice(i, 1);
    } else {
      i += 1;
    }
    if (jobs.size >= MAX_JOB_IDS_PER_REQUEST) break;
  }
  return batch;
}
