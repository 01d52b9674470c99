/**
 * Recoveries waiting for a person, found through the visibility store by the `TencentBatchRecoveryState`
 * search attribute the workflow upserts, then read live through the status query for the jobs, reasons and
 * decision deadlines. Visibility is eventually consistent: a workflow that has just escalated may take a moment
 * to appear, and one just decided is dropped when its live status shows nothing awaiting.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { RECOVER_BATCH_JOBS_WORKFLOW_TYPE, SEARCH_ATTRIBUTES } from '../shared/constants';
import { isJobId } from '../shared/job-id';
import { statusQuery } from '../shared/messages';
import type { EscalationReason, JobStatus, RecoveryOverallState } from '../shared/recovery-types';
import { JOB_IDS_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
import { InvalidRecoveryInputError } from './errors';
import type { RecoveryClient } from './recovery-client';

/** The overall state that means "a person must decide". */
export const AWAITING_DECISION: RecoveryOverallState = 'AWAITING_DECISION';

/** Options of {@link listEscalations}. */
export interface ListEscalationsOptions {
  /** Only recoveries watching this job. @default every recovery */
  jobId?: string;
  /** Most workflows returned. @default 100 */
  limit?: number;
  /** Read each workflow's live status for its escalated jobs (one query per workflow). @default true */
  includeStatus?: boolean;
  /** Status queries in flight at once. @default 5 */
  concurrency?: number;
}

/** One escalated job, as an operator needs it to decide. */
export interface AwaitingJob {
  jobId: string;
  reason: EscalationReason;
  message: string;
  /** API error code, when an API refusal caused the escalation. */
  code?: string;
  since: string;
  /** When the job ends as ESCALATED if nobody decides. */
  decisionDeadline: string;
  retries: number;
  lastKnownState?: JobStatus['lastKnownState'];
}

/** A recovery awaiting a decision. */
export interface RecoveryEscalation {
  workflowId: string;
  runId: string;
  startTime: Date;
  taskQueue: string;
  /** Every job the workflow watches (from the `TencentBatchJobIds` search attribute). */
  jobIds: string[];
  /** The caller's label, from the live status. */
  label?: string;
  /** The jobs awaiting a decision, from the live status (empty when it was not read). */
  awaiting: AwaitingJob[];
  /** Why the live status could not be read (e.g. no worker is running), when it could not. */
  statusError?: string;
}

/** The visibility query {@link listEscalations} runs. */
export function escalationsQuery(jobId?: string): string {
  const clauses = [
    `WorkflowType = '${RECOVER_BATCH_JOBS_WORKFLOW_TYPE}'`,
    `ExecutionStatus = 'Running'`,
    `${SEARCH_ATTRIBUTES.recoveryState} = '${AWAITING_DECISION}'`,
  ];
  if (jobId !== undefined) clauses.push(`${SEARCH_ATTRIBUTES.jobIds} = '${jobId}'`);
  return clauses.join(' AND ');
}

/**
 * Lists running recoveries whose state is AWAITING_DECISION, newest first, each with the jobs awaiting a
 * decision. Throws {@link InvalidRecoveryInputError} for a malformed `jobId` or limit.
 */
export async function listEscalations(
  client: RecoveryClient,
  options: ListEscalationsOptions = {},
): Promise<RecoveryEscalation[]> {
  const limit = options.limit ?? 100;
  const problems = [
    ...(options.jobId !== undefined && !isJobId(options.jobId)
      ? [`jobId=${JSON.stringify(options.jobId)}: not a job ID`]
      : []),
    ...(Number.isInteger(limit) && limit >= 1 ? [] : [`limit must be a positive integer, got ${limit}`]),
  ];
  if (problems.length > 0) throw new InvalidRecoveryInputError(problems, 'escalations listing');

  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({
    query: escalationsQuery(options.jobId),
    pageSize: limit,
  })) {
    found.push(info);
    if (found.length >= limit) break;
  }
  const entries = found.map(fromVisibility);
  if (options.includeStatus === false) return entries;

  const concurrency = Math.max(1, options.concurrency ?? 5);
  for (let i = 0; i < entries.length; i += concurrency) {
    await Promise.all(entries.slice(i, i + concurrency).map((entry) => addLiveStatus(client, entry)));
  }
  // Decided since the visibility store was written: nothing awaits any more.
  return entries.filter((entry) => entry.statusError !== undefined || entry.awaiting.length > 0);
}

function fromVisibility(info: WorkflowExecutionInfo): RecoveryEscalation {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    startTime: info.startTime,
    taskQueue: info.taskQueue,
    jobIds: info.typedSearchAttributes.get(JOB_IDS_SEARCH_ATTRIBUTE) ?? [],
    awaiting: [],
  };
}

async function addLiveStatus(client: RecoveryClient, entry: RecoveryEscalation): Promise<void> {
  try {
    // The workflow's own status: the escalations are all there, and the watchers' reads are not needed.
    const status = await client.workflow.getHandle(entry.workflowId).query(statusQuery);
    entry.label = status.label;
    entry.awaiting = status.jobs.flatMap((job) =>
      job.phase === 'AWAITING_DECISION' && job.escalation
        ? [
            {
              jobId: job.jobId,
              reason: job.escalation.reason,
              message: job.escalation.message,
              ...(job.escalation.code !== undefined ? { code: job.escalation.code } : {}),
              since: job.escalation.since,
              decisionDeadline: job.escalation.decisionDeadline,
              retries: job.retries,
              lastKnownState: job.lastKnownState,
            },
          ]
        : [],
    );
  } catch (err) {
    entry.statusError = err instanceof Error ? err.message : String(err);
  }
}
