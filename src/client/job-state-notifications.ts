import { isJobId } from '../shared/job-id';
import { jobStateChangedSignal } from '../shared/messages';
import type { JobStateChangedSignal } from '../shared/recovery-types';
import { InvalidRecoveryInputError } from './errors';
import type { RecoveryClient } from './recovery-client';

/**
 * Tells the recovery that a job changed state (the `jobStateChanged` signal), e.g. from a Batch event
 * notification, so it re-reads job states now instead of at its next poll. A hint only: the workflow reads the
 * job from the API itself, so a stale or duplicate notification is harmless. Throws
 * {@link InvalidRecoveryInputError} for a malformed job ID and the SDK's `WorkflowNotFoundError` for an unknown
 * or closed workflow.
 */
export async function notifyJobStateChanged(
  client: RecoveryClient,
  workflowId: string,
  change: JobStateChangedSignal,
): Promise<void> {
  if (!isJobId(change?.jobId)) {
    throw new InvalidRecoveryInputError(
      [`jobId=${JSON.stringify(change?.jobId)}: not a job ID`],
      'jobStateChanged signal',
    );
  }
  await client.workflow.getHandle(workflowId).signal(jobStateChangedSignal, change);
}
