/**
 * The activities that talk to Temporal itself, run as local activities by the workflows: they hand a recovery
 * workflow's retries to the RetryJobs dispatcher, and its open jobs to the job watcher, with signal-with-start, so
 * the singleton exists whenever a request needs it (workflow code can signal another workflow but cannot start it
 * with a signal); and they carry the watcher's news and the dispatcher's answers to many workflows at once. A
 * local activity costs its workflow no task of its own, where a signal sent from workflow code costs the sender a
 * workflow task when the server confirms it: in a wave of failures those tasks were most of the CPU.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
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
  /** Task queue the dispatchers run on (the recovery workflows' queue). */
  dispatcherTaskQueue: string;
  /** Passed to a dispatcher when this call starts it. */
  dispatcher: RetryDispatcherInput;
  /** Per dispatcher (one per shard of the retry queue), its requests, sent together in one signal. */
  deliveries: RetryDelivery[];
}

/** The requests for one dispatcher. */
export interface RetryDelivery {
  dispatcherWorkflowId: string;
  requests: RetryRequest[];
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

/** Input of `signalWorkflows`: one signal to each of several workflows. */
export interface SignalWorkflowsInput {
  signalName: string;
  messages: { workflowId: string; message: unknown }[];
}

/** Output of `signalWorkflows`. */
export interface SignalWorkflowsOutput {
  /** Workflows the signal could not reach because they are not running any more. */
  gone: string[];
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
    /**
     * Signal-with-start of each dispatcher with its retry requests, in one signal each, all at once. A failure
     * retries them all: a dispatcher takes a request it already has as a duplicate.
     */
    requestRetries: async (input: RequestRetriesInput): Promise<void> => {
      await Promise.all(
        input.deliveries.map(({ dispatcherWorkflowId, requests }) =>
          signalSingleton(
            {
              workflowType: RETRY_DISPATCHER_WORKFLOW_TYPE,
              workflowId: dispatcherWorkflowId,
              taskQueue: input.dispatcherTaskQueue,
              workflowInput: input.dispatcher,
            },
            retryRequestedSignal,
            { requests },
          ),
        ),
      );
    },
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
    /**
     * Signals each workflow its message, all at once. A workflow that is not running any more is reported, not
     * an error; any other failure fails the activity, which is retried (receivers take a message twice safely).
     */
    signalWorkflows: async (input: SignalWorkflowsInput): Promise<SignalWorkflowsOutput> => {
      const gone: string[] = [];
      await Promise.all(
        input.messages.map(async ({ workflowId, message }) => {
          try {
            await deps.client.workflow.getHandle(workflowId).signal(input.signalName, message);
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            gone.push(workflowId);
          }
        }),
      );
      return { gone };
    },
  };
}

/** The dispatcher activities' type, for `proxyActivities`. */
export type DispatchActivities = ReturnType<typeof createDispatchActivities>;
