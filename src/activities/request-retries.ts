/**
 * The activities that talk to Temporal itself: they hand a recovery workflow's due failures to the RetryJobs
 * dispatcher, and its open jobs to the job watcher, with signal-with-start, so the singleton exists whenever a
 * request needs it (workflow code can signal another workflow but cannot start it with a signal).
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { JOB_WATCHER_WORKFLOW_TYPE, RETRY_DISPATCHER_WORKFLOW_TYPE } from '../shared/constants';
import {
  retryRequestedSignal,
  type RetryDispatcherInput,
  type RetryRequest,
} from '../shared/dispatcher-types';
import { watchJobsSignal, type JobWatcherInput, type WatchRequest } from '../shared/watcher-types';

/** Input of `requestRetries`. */
export interface RequestRetriesInput {
  dispatcherWorkflowId: string;
  /** Task queue the dispatcher workflow runs on (the recovery workflows' queue). */
  dispatcherTaskQueue: string;
  /** Passed to the dispatcher when this call starts it. */
  dispatcher: RetryDispatcherInput;
  request: RetryRequest;
}

/** Input of `watchJobs`. */
export interface WatchJobsInput {
  watcherWorkflowId: string;
  /** Task queue the watcher workflow runs on (the recovery workflows' queue). */
  watcherTaskQueue: string;
  /** Passed to the watcher when this call starts it. */
  watcher: JobWatcherInput;
  request: WatchRequest;
}

/** Builds the dispatcher activities around a Temporal client (the worker's own connection). */
export function createDispatchActivities(deps: { client: Pick<Client, 'workflow'> }) {
  /** Signals the singleton workflow `workflowId`, starting it with `workflowInput` if it is not running. */
  const signalSingleton = async <Input, Message>(
    target: { workflowType: string; workflowId: string; taskQueue: string; workflowInput: Input },
    signal: SignalDefinition<[Message]>,
    message: Message,
  ): Promise<void> => {
    await deps.client.workflow.signalWithStart(target.workflowType, {
      workflowId: target.workflowId,
      taskQueue: target.taskQueue,
      args: [target.workflowInput],
      signal,
      signalArgs: [message],
    });
  };
  return {
    /** Signal-with-start of the dispatcher with one retry request. */
    requestRetries: (input: RequestRetriesInput): Promise<void> =>
      signalSingleton(
        {
          workflowType: RETRY_DISPATCHER_WORKFLOW_TYPE,
          workflowId: input.dispatcherWorkflowId,
          taskQueue: input.dispatcherTaskQueue,
          workflowInput: input.dispatcher,
        },
        retryRequestedSignal,
        input.request,
      ),
    /** Signal-with-start of the job watcher with one (re)registration. */
    watchJobs: (input: WatchJobsInput): Promise<void> =>
      signalSingleton(
        {
          workflowType: JOB_WATCHER_WORKFLOW_TYPE,
          workflowId: input.watcherWorkflowId,
          taskQueue: input.watcherTaskQueue,
          workflowInput: input.watcher,
        },
        watchJobsSignal,
        input.request,
      ),
  };
}

/** The dispatcher activities' type, for `proxyActivities`. */
export type DispatchActivities = ReturnType<typeof createDispatchActivities>;
