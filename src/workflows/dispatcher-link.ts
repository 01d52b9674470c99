/**
 * A recovery workflow's side of the RetryJobs dispatchers: hands retries over as soon as they are decided, each
 * with the end of its backoff, to the dispatcher of each job's shard, and collects the answers the dispatchers
 * signal back. The dispatchers are the only senders of RetryJobs; they, not a timer in each owner, wait out the
 * backoff, so a failure costs its owner one workflow task to learn of it and one to learn it was retried.
 */
import { isCancellation, log, proxyLocalActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { DispatchActivities, RetryDelivery } from '../activities/request-retries';
import type { ObservedFailure, RetryOutcome } from '../shared/batch-types';
import { retryDispatcherWorkflowId } from '../shared/constants';
import { retryWithdrawnSignal, type RetryAnswer, type RetryRequest } from '../shared/dispatcher-types';
import { shardOf } from '../shared/job-id';
import { describeActivityError } from './activity-errors';
import { DISPATCHER_ANSWER_TIMEOUT_MS, SIGNAL_ACTIVITY_OPTIONS } from './activity-options';
import { signalEach } from './signal-workflows';

const { requestRetries } = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/** What became of one hand-over: the activity's outcomes, or why there are none (the call failed as a whole). */
export type DispatchResult = { outcomes: RetryOutcome[] } | { code: string; message: string };

/** Failures (≤ 100) to retry together, not before `notBeforeMs`. */
export interface HandOverGroup {
  failures: ObservedFailure[];
  notBeforeMs: number;
}

/** A hand-over and what became of it. */
export interface HandOverResult {
  failures: ObservedFailure[];
  result: DispatchResult;
}

/** A request a dispatcher has, waiting for its answer. */
interface Outstanding {
  dispatcherWorkflowId: string;
  failures: ObservedFailure[];
  /** Past this moment, the answer counts as lost: the jobs are handed over again. */
  answerByMs: number;
}

/**
 * Answers kept for requests not known yet: the job watcher hands a retry over on a standing order before it tells
 * the owner, so the dispatcher's answer may come first.
 */
const UNCLAIMED_ANSWERS_KEPT = 200;

export class DispatcherLink {
  private readonly outstanding = new Map<string, Outstanding>();
  private readonly answers = new Map<string, RetryAnswer>();
  private readonly unclaimed = new Map<string, RetryAnswer>();
  /** The jobs of the outstanding requests, kept with them (the loop asks on every turn). */
  private readonly handedOverJobs = new Set<string>();

  constructor(private readonly target: { retryTaskQueue: string; shards: number }) {}

  /**
   * The dispatcher's signal. An answer to a request not outstanding is kept a while, for a hand-over the watcher
   * has not told of yet (see {@link adopt}); one to a request asked again or withdrawn is never claimed.
   */
  receive(answer: RetryAnswer): void {
    if (this.outstanding.has(answer.requestId)) {
      this.answers.set(answer.requestId, answer);
      return;
    }
    this.unclaimed.set(answer.requestId, answer);
    if (this.unclaimed.size > UNCLAIMED_ANSWERS_KEPT) {
      const oldest = this.unclaimed.keys().next().value;
      if (oldest !== undefined) this.unclaimed.delete(oldest);
    }
  }

  /** A request the job watcher handed over for this workflow (its standing order): outstanding from now on. */
  adopt(request: RetryRequest): void {
    const answerByMs = Math.max(Date.now(), request.notBeforeMs ?? 0) + DISPATCHER_ANSWER_TIMEOUT_MS;
    this.track(request.requestId, request.failures, answerByMs);
    const early = this.unclaimed.get(request.requestId);
    if (early) {
      this.unclaimed.delete(request.requestId);
      this.answers.set(request.requestId, early);
    }
  }

  /** Takes back requests the watcher handed over that this workflow does not adopt (best effort). */
  async decline(requests: RetryRequest[]): Promise<void> {
    await this.signalWithdrawals(requests.map((r) => [r.requestId, this.dispatcherOf(r.failures)]));
  }

  /** Jobs handed over and not answered yet. */
  jobsHandedOver(): ReadonlySet<string> {
    return this.handedOverJobs;
  }

  isIdle(): boolean {
    return this.outstanding.size === 0;
  }

  /** True when {@link takeResults} has something: an answer, or a hand-over past its answer timeout. */
  hasResults(nowMs: number): boolean {
    return this.answers.size > 0 || [...this.outstanding.values()].some((o) => o.answerByMs <= nowMs);
  }

  /** When the oldest unanswered hand-over times out. */
  nextAnswerDueMs(): number | undefined {
    const times = [...this.outstanding.values()].map((o) => o.answerByMs);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /**
   * Hands the groups, split by shard, to their dispatchers in one local activity (signal-with-start), without
   * waiting for the calls. Returns false when the Temporal server refused the signals for the activity's whole
   * schedule-to-close (outage, namespace throttling): nothing is outstanding then, and the caller hands the
   * failures over again.
   */
  async handOver(groups: readonly HandOverGroup[]): Promise<boolean> {
    if (groups.length === 0) return true;
    const { workflowId, taskQueue } = workflowInfo();
    const deliveries = new Map<string, RetryDelivery>();
    const requests: RetryRequest[] = [];
    for (const { failures, notBeforeMs } of groups) {
      for (const [dispatcherWorkflowId, shardFailures] of this.byDispatcher(failures)) {
        const request = {
          requesterWorkflowId: workflowId,
          requestId: uuid4(),
          failures: shardFailures,
          notBeforeMs,
        };
        requests.push(request);
        const delivery = deliveries.get(dispatcherWorkflowId) ?? { dispatcherWorkflowId, requests: [] };
        delivery.requests.push(request);
        deliveries.set(dispatcherWorkflowId, delivery);
      }
    }
    // Outstanding from now on, so that a cancellation during the hand-over withdraws them.
    for (const r of requests) this.track(r.requestId, r.failures, Number.POSITIVE_INFINITY);
    try {
      await requestRetries({
        dispatcherTaskQueue: taskQueue,
        dispatcher: { retryTaskQueue: this.target.retryTaskQueue },
        deliveries: [...deliveries.values()],
      });
      // The answer is due a while after the dispatcher has the request (the hand-over may have taken minutes).
      for (const r of requests) {
        const answerByMs = Math.max(Date.now(), r.notBeforeMs ?? 0) + DISPATCHER_ANSWER_TIMEOUT_MS;
        this.track(r.requestId, r.failures, answerByMs);
      }
      return true;
    } catch (err) {
      // Cancelled: the requests stay outstanding, for withdraw() to take back.
      if (isCancellation(err)) throw err;
      for (const r of requests) this.untrack(r.requestId);
      log.warn('Could not hand retries to the dispatcher; handing them over again', {
        error: describeActivityError(err),
      });
      return false;
    }
  }

  /**
   * The answers received, and the hand-overs the dispatcher left unanswered past
   * {@link DISPATCHER_ANSWER_TIMEOUT_MS} (lost or wedged: their jobs are handed over again; the dispatcher never
   * has one job in two calls, and the activity never retries one failure twice).
   */
  takeResults(nowMs: number): HandOverResult[] {
    const results: HandOverResult[] = [];
    for (const [requestId, { dispatcherWorkflowId, failures, answerByMs }] of this.outstanding) {
      const answer = this.answers.get(requestId);
      if (answer) {
        results.push({ failures, result: answer.error ?? { outcomes: answer.outcomes } });
      } else if (answerByMs <= nowMs) {
        results.push({
          failures,
          result: {
            code: 'DISPATCHER_UNREACHABLE',
            message: `the RetryJobs dispatcher ${dispatcherWorkflowId} did not answer in time`,
          },
        });
      } else {
        continue;
      }
      this.untrack(requestId);
    }
    return results;
  }

  /**
   * Takes back the requests that hold any of `jobIds` (their backoff changed, or they were escalated). Returns
   * every job of those requests: the others are handed over again. Best effort: a call already sent cannot be
   * taken back, and its late answer is dropped.
   */
  async withdrawJobs(jobIds: readonly string[]): Promise<string[]> {
    const ids = new Set(jobIds);
    const requestIds = [...this.outstanding]
      .filter(([, o]) => o.failures.some((f) => ids.has(f.jobId)))
      .map(([requestId]) => requestId);
    const released = requestIds.flatMap((id) => this.outstanding.get(id)?.failures.map((f) => f.jobId) ?? []);
    await this.takeBack(requestIds);
    return released;
  }

  /** The recovery was cancelled: every request still unanswered must not be sent. */
  async withdraw(): Promise<void> {
    await this.takeBack([...this.outstanding.keys()]);
  }

  /** The dispatcher of the jobs of `failures` (one request never spans two shards). */
  private dispatcherOf(failures: readonly ObservedFailure[]): string {
    return retryDispatcherWorkflowId(
      this.target.retryTaskQueue,
      shardOf(failures[0]?.jobId ?? '', this.target.shards),
      this.target.shards,
    );
  }

  /** `failures` split by their jobs' dispatchers, in their order. */
  private byDispatcher(failures: readonly ObservedFailure[]): Map<string, ObservedFailure[]> {
    const split = new Map<string, ObservedFailure[]>();
    for (const failure of failures) {
      const dispatcher = this.dispatcherOf([failure]);
      const shardFailures = split.get(dispatcher);
      if (shardFailures) shardFailures.push(failure);
      else split.set(dispatcher, [failure]);
    }
    return split;
  }

  private track(requestId: string, failures: ObservedFailure[], answerByMs: number): void {
    this.outstanding.set(requestId, {
      dispatcherWorkflowId: this.dispatcherOf(failures),
      failures,
      answerByMs,
    });
    for (const f of failures) this.handedOverJobs.add(f.jobId);
  }

  private untrack(requestId: string): void {
    for (const f of this.outstanding.get(requestId)?.failures ?? []) this.handedOverJobs.delete(f.jobId);
    this.outstanding.delete(requestId);
    this.answers.delete(requestId);
  }

  private async takeBack(requestIds: string[]): Promise<void> {
    const withdrawals = requestIds.flatMap((id): [string, string][] => {
      const dispatcher = this.outstanding.get(id)?.dispatcherWorkflowId;
      return dispatcher === undefined ? [] : [[id, dispatcher]];
    });
    for (const id of requestIds) this.untrack(id);
    await this.signalWithdrawals(withdrawals);
  }

  /** Tells each dispatcher which of its requests are withdrawn (pairs of request and dispatcher). */
  private async signalWithdrawals(withdrawals: [string, string][]): Promise<void> {
    if (withdrawals.length === 0) return;
    const perDispatcher = new Map<string, string[]>();
    for (const [requestId, dispatcher] of withdrawals) {
      const ids = perDispatcher.get(dispatcher);
      if (ids) ids.push(requestId);
      else perDispatcher.set(dispatcher, [requestId]);
    }
    const requestIds = withdrawals.map(([requestId]) => requestId);
    try {
      await signalEach(
        retryWithdrawnSignal,
        [...perDispatcher].map(([workflowId, ids]) => ({ workflowId, message: { requestIds: ids } })),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('Could not withdraw retry requests', { requestIds, error: describeActivityError(err) });
    }
  }
}
