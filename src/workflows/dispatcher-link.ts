/**
 * A recovery workflow's side of the RetryJobs dispatcher: hands due failures over and waits for the answers the
 * dispatcher signals back. The dispatcher is the only sender of RetryJobs.
 */
import {
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/request-retries';
import type { ObservedFailure, RetryOutcome } from '../shared/batch-types';
import { retryWithdrawnSignal, type RetryAnswer } from '../shared/dispatcher-types';
import { describeActivityError } from './activity-errors';
import { DISPATCHER_ANSWER_TIMEOUT, REQUEST_RETRIES_OPTIONS } from './activity-options';

const { requestRetries } = proxyActivities<DispatchActivities>(REQUEST_RETRIES_OPTIONS);

/** What became of one hand-over: the activity's outcomes, or why there are none (the call failed as a whole). */
export type DispatchResult = { outcomes: RetryOutcome[] } | { code: string; message: string };

export class DispatcherLink {
  private readonly answers = new Map<string, RetryAnswer>();
  /** Requests still waiting for an answer: a late answer to a request asked again is dropped. */
  private readonly outstanding = new Set<string>();
  /** Requests whose wait the recovery's cancellation cut short: {@link withdraw} takes them back. */
  private readonly interrupted: string[] = [];

  constructor(
    private readonly dispatcherWorkflowId: string,
    private readonly retryTaskQueue: string,
  ) {}

  /** The dispatcher's signal. */
  receive(answer: RetryAnswer): void {
    if (this.outstanding.has(answer.requestId)) this.answers.set(answer.requestId, answer);
  }

  /**
   * Hands `failures` (≤ 100) to the dispatcher and waits for its answer. A hand-over the Temporal server refuses,
   * or a dispatcher silent past {@link DISPATCHER_ANSWER_TIMEOUT}, is asked again, until `giveUpAtMs` (the
   * recovery's deadline): control-plane trouble never fails the recovery. Asking again is harmless: the
   * dispatcher never has one job in two calls, and the activity never retries one failure twice.
   */
  async retry(failures: ObservedFailure[], giveUpAtMs: number): Promise<DispatchResult> {
    for (;;) {
      const answer = await this.ask(failures);
      if (answer) return answer.error ?? { outcomes: answer.outcomes };
      if (Date.now() >= giveUpAtMs) {
        return {
          code: 'DISPATCHER_UNREACHABLE',
          message: `the RetryJobs dispatcher ${this.dispatcherWorkflowId} could not be reached or did not answer`,
        };
      }
    }
  }

  /**
   * The recovery was cancelled: the requests still unanswered must not be sent. Best effort: a dispatcher that
   * does not exist has nothing to withdraw.
   */
  async withdraw(): Promise<void> {
    const requestIds = [...this.outstanding, ...this.interrupted];
    if (requestIds.length === 0) return;
    try {
      await getExternalWorkflowHandle(this.dispatcherWorkflowId).signal(retryWithdrawnSignal, { requestIds });
    } catch (err) {
      log.warn('Could not withdraw retry requests', { requestIds, error: String(err) });
    }
  }

  private async ask(failures: ObservedFailure[]): Promise<RetryAnswer | undefined> {
    const requestId = uuid4();
    this.outstanding.add(requestId);
    try {
      await requestRetries({
        dispatcherWorkflowId: this.dispatcherWorkflowId,
        dispatcherTaskQueue: workflowInfo().taskQueue,
        dispatcher: { retryTaskQueue: this.retryTaskQueue },
        request: { requesterWorkflowId: workflowInfo().workflowId, requestId, failures },
      });
      await condition(() => this.answers.has(requestId), DISPATCHER_ANSWER_TIMEOUT);
      return this.answers.get(requestId);
    } catch (err) {
      if (isCancellation(err)) {
        this.interrupted.push(requestId);
        throw err;
      }
      // The server refused the signal for the activity's whole schedule-to-close (outage, namespace throttling).
      log.warn('Could not hand retries to the dispatcher; asking again', {
        error: describeActivityError(err),
      });
      return undefined;
    } finally {
      this.outstanding.delete(requestId);
      this.answers.delete(requestId);
    }
  }
}
