import { statusQuery } from '../shared/messages';
import type { RecoveryStatus } from '../shared/recovery-types';
import type { RecoveryClient } from './recovery-client';

/**
 * The recovery's live status (the `status` query): overall state, per-job phase, last known Batch state,
 * retries, last failure, next check, pending escalations. Works on closed workflows too, while the namespace
 * keeps them, as long as a recovery worker runs. Throws the SDK's `WorkflowNotFoundError` for an unknown ID.
 */
export async function getRecoveryStatus(client: RecoveryClient, workflowId: string): Promise<RecoveryStatus> {
  return client.workflow.getHandle(workflowId).query(statusQuery);
}
