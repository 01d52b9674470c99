import type { RecoverBatchJobsResult } from '../shared/recovery-types';
import type { recoverBatchJobsWorkflow } from '../workflows';
import type { RecoveryClient } from './recovery-client';

/**
 * Waits for the recovery to end and returns its result, following continue-as-new to the last run. Resolves at
 * once for a completed workflow. Throws the SDK's `WorkflowFailedError` when the run failed or was terminated,
 * and `WorkflowNotFoundError` for an unknown ID.
 */
export async function waitForRecoveryResult(
  client: RecoveryClient,
  workflowId: string,
): Promise<RecoverBatchJobsResult> {
  return client.workflow.getHandle<typeof recoverBatchJobsWorkflow>(workflowId).result();
}
