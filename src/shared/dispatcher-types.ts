/**
 * Messages between recovery workflows and the RetryJobs dispatcher. Plain JSON; both sides are workflows.
 */
import { defineSignal } from '@temporalio/workflow';
import type { ObservedFailure, RetryOutcome } from './batch-types';

/** A recovery workflow's due failures (≤ 100), to be retried in a shared RetryJobs call. */
export interface RetryRequest {
  /**
   * Workflow ID of the requester: where the outcomes are signalled back. The job watcher sends requests on its
   * owners' behalf (their standing orders), so this is always the recovery workflow whose jobs they are.
   */
  requesterWorkflowId: string;
  /** Unique per request (the requester's deterministic uuid4): matches the answer to the question. */
  requestId: string;
  failures: ObservedFailure[];
  /**
   * Not to be sent before this moment (epoch ms): the end of the failures' backoff. Owners hand a retry over as
   * soon as they decide it, so the dispatcher, not a timer in each owner, waits out the backoff. Absent: at once.
   */
  notBeforeMs?: number;
}

/** The dispatcher's answer to one {@link RetryRequest}. */
export interface RetryAnswer {
  requestId: string;
  /** One per failure of the request, when the RetryJobs activity completed. */
  outcomes: RetryOutcome[];
  /** Set instead when the activity failed for good (credentials refused, retried for an hour...). */
  error?: { code: string; message: string };
}

/**
 * Recovery workflow or job watcher → dispatcher: requests sent together (one signal, so a watcher's read of 100
 * failures of 100 owners costs the dispatcher one signal).
 */
export interface RetryRequests {
  requests: RetryRequest[];
}

/** Recovery workflow or job watcher → dispatcher. */
export const retryRequestedSignal = defineSignal<[RetryRequests]>('retryRequested');

/**
 * Recovery workflow → dispatcher, when the recovery is cancelled or a job's retry changed (escalated, retried now
 * by an operator): drop these requests if they still wait, and
 * refuse them if they arrive later (a hand-over still in flight). A call already sent cannot be taken back.
 */
export const retryWithdrawnSignal = defineSignal<[{ requestIds: string[] }]>('retryWithdrawn');

/** Dispatcher → recovery workflow. */
export const retryAnsweredSignal = defineSignal<[RetryAnswer]>('retryAnswered');

/**
 * Input of the dispatcher workflow; `pending` and `recentRequestIds` carry unanswered requests and the IDs already
 * taken through continue-as-new.
 */
export interface RetryDispatcherInput {
  /** Task queue of the RetryJobs activity. @default DEFAULT_RETRY_TASK_QUEUE */
  retryTaskQueue?: string;
  /** How long the first request of a batch waits for others to join it. @default '500ms' */
  gatherWindow?: string | number;
  /** Continue as new at this history length, even under steady load. @default 4000 */
  continueAsNewAfterEvents?: number;
  pending?: RetryRequest[];
  recentRequestIds?: string[];
  /** Failures (`jobId@endTime`) taken on a first hand-over, carried so a second first hand-over is read first. */
  recentFirstHandOvers?: string[];
}
