/**
 * The status query as the CLI sends it: with a deadline, because a query waits for a worker to answer and the
 * server would otherwise hold it for half a minute before a bare "Failed to query Workflow".
 */
import { ServiceError, isGrpcDeadlineError } from '@temporalio/client';
import { getRecoveryStatus, type RecoveryClient } from '../client';
import type { RecoveryStatus } from '../shared/recovery-types';
import { formatSpan } from './format/times';

/** How long a status query may wait for a worker. */
export const STATUS_QUERY_TIMEOUT_MS = 10_000;

/**
 * The recovery's status, or an error that says what to check when no worker answered in time (the workflow's
 * task queue). Other errors (`WorkflowNotFoundError`, ...) pass through.
 */
export async function queryStatus(client: RecoveryClient, workflowId: string): Promise<RecoveryStatus> {
  try {
    return await client.workflow.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      getRecoveryStatus(client, workflowId),
    );
  } catch (err) {
    if (!(err instanceof ServiceError) || !isGrpcDeadlineError(err.cause)) throw err;
    const { taskQueue } = await client.workflow.getHandle(workflowId).describe();
    throw new Error(
      `no worker answered the status query within ${formatSpan(STATUS_QUERY_TIMEOUT_MS)}: is a recovery worker polling task queue ${taskQueue}?`,
      { cause: err },
    );
  }
}
