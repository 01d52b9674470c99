/**
 * The one activity that talks to Temporal itself: it hands a recovery workflow's due failures to the RetryJobs
 * dispatcher with signal-with-start, so the dispatcher exists whenever a request needs it (workflow code can
 * signal another workflow but cannot start it with a signal).
 */
import type { Client } from '@temporalio/client';
import { RETRY_DISPATCHER_WORKFLOW_TYPE } from '../shared/constants';
import {
  retryRequestedSignal,
  type RetryDispatcherInput,
  type RetryRequest,
} from '../shared/dispatcher-types';

/** Input of `requestRetries`. */
export interface RequestRetriesInput {
  dispatcherWorkflowId: string;
  /** Task queue the dispatcher workflow runs on (the recovery workflows' queue). */
  dispatcherTaskQueue: string;
  /** Passed to the dispatcher when this call starts it. */
  dispatcher: RetryDispatcherInput;
  request: RetryRequest;
}

/** Builds the dispatcher activities around a Temporal client (the worker's own connection). */
export function createDispatchActivities(deps: { client: Pick<Client, 'workflow'> }) {
  return {
    /** Signal-with-start of the dispatcher with one retry request. */
    requestRetries: async (input: RequestRetriesInput): Promise<void> => {
      await deps.client.workflow.signalWithStart(RETRY_DISPATCHER_WORKFLOW_TYPE, {
        workflowId: input.dispatcherWorkflowId,
        taskQueue: input.dispatcherTaskQueue,
        args: [input.dispatcher],
        signal: retryRequestedSignal,
        signalArgs: [input.request],
      });
    },
  };
}

/** The dispatcher activities' type, for `proxyActivities`. */
export type DispatchActivities = ReturnType<typeof createDispatchActivities>;
