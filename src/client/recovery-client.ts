import type { Client } from '@temporalio/client';

/**
 * What the helpers need from a Temporal client: its workflow client. A full `Client` fits, and so does
 * `{ workflow: someWorkflowClient }` for services that only hold a `WorkflowClient`.
 */
export type RecoveryClient = Pick<Client, 'workflow'>;
