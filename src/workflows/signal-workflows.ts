/**
 * Signals from one of the package's workflows to many others, in one activity for the whole set instead of one
 * workflow task per signal confirmed.
 *
 * A recovery workflow sends its few signals from a local activity, which costs it no workflow task. The job
 * watcher and the RetryJobs dispatcher fan out to hundreds of workflows at a time from a regular activity: a local
 * activity holds its workflow's task open until it ends, and in a wave of failures that kept the watcher from
 * handing over the next read's retries, and the dispatcher from sending the next call, for as long as the
 * previous hundred signals took.
 */
import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { SignalDefinition } from '@temporalio/common';
import type { DispatchActivities } from '../activities/request-retries';
import { SIGNAL_ACTIVITY_OPTIONS, fanOutOptions } from './activity-options';

const local = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/** Sends `signal` with each message to its workflow; returns the workflows that are not running any more. */
export async function signalEach<Message>(
  signal: SignalDefinition<[Message]>,
  messages: { workflowId: string; message: Message }[],
): Promise<string[]> {
  if (messages.length === 0) return [];
  return (await local.signalWorkflows({ signalName: signal.name, messages })).gone;
}

/**
 * {@link signalEach} from a regular activity on this workflow's own task queue (the worker that runs the package's
 * workflows runs it), for the watcher and the dispatcher: their task stays free while the signals go out.
 */
export async function fanOutSignal<Message>(
  signal: SignalDefinition<[Message]>,
  messages: { workflowId: string; message: Message }[],
): Promise<string[]> {
  if (messages.length === 0) return [];
  const { signalWorkflows } = proxyActivities<DispatchActivities>(fanOutOptions(workflowInfo().taskQueue));
  return (await signalWorkflows({ signalName: signal.name, messages })).gone;
}
