/**
 * A recovery workflow's side of the RetryJobs dispatcher: hands due failures over and waits for the answers the
 * dispatcher signals back. The dispatcher is the only sender of RetryJobs.
 */
import { condition, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/request-retries';
import type { ObservedFailure, RetryOutcome } from '../shared/batch-types';
import type { RetryAnswer } from '../shared/dispatcher-types';
import { DISPATCHER_ANSWER_TIMEOUT, REQUEST_RETRIES_OPTIONS } from './activity-options';

const { requestRetries } = proxyActivities<DispatchActivities>(REQUEST_RETRIES_OPTIONS);

/** Times a request is sent before the dispatcher counts as lost. */
const MAX_ASKS = 3;

/** What became of one hand-over: the activity's outcomes, or why there are none. */
export type DispatchResult = { outcomes: RetryOutcome[] } | { code: string; message: string };

export class DispatcherLink {
  private readonly answers = new Map<string, RetryAnswer>();

  constructor(
    private readonly dispatcherWorkflowId: string,
    private readonly retryTaskQueue: string,
  ) {}

  /** The dispatcher's signal. */
  receive(answer: RetryAnswer): void {
    this.answers.set(answer.requestId, answer);
  }

  /**
   * Hands `failures` (≤ 100) to the dispatcher and waits for its answer. A request is sent again only when the
   * dispatcher stayed silent past the activity's own timeout; a resent request is harmless, since the activity
   * never retries one failure twice.
   */
  async retry(failures: ObservedFailure[]): Promise<DispatchResult> {
    for (let ask = 1; ask <= MAX_ASKS; ask++) {
      const answer = await this.ask(failures);
      if (answer) return answer.error ?? { outcomes: answer.outcomes };
    }
    return {
      code: 'DISPATCHER_SILENT',
      message: `the RetryJobs dispatcher ${this.dispatcherWorkflowId} did not answer`,
    };
  }

  private async ask(failures: ObservedFailure[]): Promise<RetryAnswer | undefined> {
    const requestId = uuid4();
    await requestRetries({
      dispatcherWorkflowId: this.dispatcherWorkflowId,
      dispatcherTaskQueue: workflowInfo().taskQueue,
      dispatcher: { retryTaskQueue: this.retryTaskQueue },
      request: { requesterWorkflowId: workflowInfo().workflowId, requestId, failures },
    });
    await condition(() => this.answers.has(requestId), DISPATCHER_ANSWER_TIMEOUT);
    const answer = this.answers.get(requestId);
    this.answers.delete(requestId);
    return answer;
  }
}
