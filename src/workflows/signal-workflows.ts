/**
 * Signals from one of the package's workflows to many others, through a local activity: one activity for the
 * whole set instead of one workflow task per signal confirmed.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { SignalDefinition } from '@temporalio/common';
import type { DispatchActivities } from '../activities/request-retries';
import { SIGNAL_ACTIVITY_OPTIONS } from './activity-options';

const { signalWorkflows } = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/** Sends `signal` with each message to its workflow; returns the workflows that are not running any more. */
export async function signalEach<Message>(
  signal: SignalDefinition<[Message]>,
  messages: { workflowId: string; message: Message }[],
): Promise<string[]> {
  if (messages.length === 0) return [];
  return (await signalWorkflows({ signalName: signal.name, messages })).gone;
}
