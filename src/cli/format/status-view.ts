/**
 * A recovery's status (live, from `getRecoveryStatus`) or its result (once it ended), as the table `status`,
 * `watch` and `start` print: one header block, then one row per job.
 */
import type {
  FailureRecord,
  JobPhase,
  JobStatus,
  RecoverBatchJobsResult,
  RecoveryStatus,
} from '../../shared/recovery-types';
import { renderTable, type Column } from './text-table';
import { formatInstant, formatInstantRelative, formatRelative } from './times';

/** What the table shows: a live status or a final result, with the workflow's ID. */
export interface StatusView {
  workflowId: string;
  overall: RecoveryStatus['overall'];
  label?: string;
  startedAt: string;
  deadline?: string;
  nextCheckAt?: string;
  /** Set once the workflow ended. */
  finishedAt?: string;
  jobs: JobStatus[];
}

/** The view of a live status. */
export function viewOfStatus(workflowId: string, status: RecoveryStatus): StatusView {
  return { workflowId, ...status };
}

/** The view of a final result. */
export function viewOfResult(workflowId: string, result: RecoverBatchJobsResult): StatusView {
  return { workflowId, ...result };
}

/** The header block and the job table, as lines. */
export function renderStatusView(view: StatusView, nowMs: number): string[] {
  const header = [
    `Workflow  ${view.workflowId}`,
    `State     ${view.overall}${view.label ? `   label: ${view.label}` : ''}`,
    `Started   ${formatInstant(view.startedAt)}` +
      (view.finishedAt !== undefined
        ? `   finished ${formatInstant(view.finishedAt)}`
        : `   deadline ${formatInstantRelative(view.deadline, nowMs)}`),
  ];
  const columns: Column<JobStatus>[] = [
    { header: 'JOB', cell: (job) => job.jobId },
    { header: 'PHASE', cell: phaseText },
    { header: 'STATE', cell: (job) => job.lastKnownState ?? '-' },
    { header: 'LAST READ', cell: (job) => formatRelative(job.lastReadAt, nowMs) },
    { header: 'RETRIES', cell: (job) => `${job.retries} (${job.retriesLeft} left)` },
    { header: 'LAST FAILURE', cell: (job) => describeFailure(job.lastFailure), maxWidth: 40 },
    { header: 'NEXT / ESCALATION', cell: (job) => describeNext(job, view, nowMs), maxWidth: 110 },
  ];
  return [...header, '', ...renderTable(columns, view.jobs)];
}

/** `2 watching, 1 awaiting decision, 3 done`: the jobs counted by phase, for progress lines. */
export function summarizeJobs(jobs: readonly JobStatus[]): string {
  const order: readonly [JobPhase, string][] = [
    ['WATCHING', 'watching'],
    ['WAITING_TO_RETRY', 'waiting to retry'],
    ['AWAITING_DECISION', 'awaiting decision'],
    ['DONE', 'done'],
  ];
  const parts = order
    .map(([phase, text]) => [jobs.filter((job) => job.phase === phase).length, text] as const)
    .filter(([count]) => count > 0)
    .map(([count, text]) => `${count} ${text}`);
  return parts.length > 0 ? parts.join(', ') : 'no jobs';
}

/** What changed between two views, for non-interactive `watch`: overall state and each job's phase, state, retries. */
export function viewFingerprint(view: StatusView): string {
  return JSON.stringify([
    view.overall,
    view.jobs.map((job) => [job.jobId, job.phase, job.outcome, job.lastKnownState, job.retries]),
  ]);
}

function phaseText(job: JobStatus): string {
  return job.phase === 'DONE' && job.outcome !== undefined ? `DONE (${job.outcome})` : job.phase;
}

/** `exit 137: instance reclaimed (spot)` or the state and reason the API gave. */
export function describeFailure(failure: FailureRecord | undefined): string {
  if (failure === undefined) return '-';
  const exitCodes = [
    ...new Set(
      (failure.failedTasks ?? []).flatMap((task) =>
        task.failedInstances.flatMap((instance) =>
          instance.exitCode !== undefined ? [instance.exitCode] : [],
        ),
      ),
    ),
  ];
  const reason =
    failure.stateReason ??
    failure.failedTasks?.flatMap((task) => task.failedInstances).find((i) => i.stateReason)?.stateReason;
  const code = exitCodes.length > 0 ? `exit ${exitCodes.join(',')}` : failure.state;
  return reason ? `${code}: ${reason}` : code;
}

function describeNext(job: JobStatus, view: StatusView, nowMs: number): string {
  if (job.phase === 'AWAITING_DECISION' && job.escalation) {
    const e = job.escalation;
    return `${e.reason}: ${e.message}; decide by ${formatInstantRelative(e.decisionDeadline, nowMs)}`;
  }
  if (job.phase === 'WAITING_TO_RETRY') return `retry ${formatRelative(job.nextRetryAt, nowMs)}`;
  if (job.phase === 'WATCHING' && view.finishedAt === undefined && view.nextCheckAt !== undefined) {
    // While the poll activity runs, nextCheckAt is when it started: the job is being checked now.
    return Date.parse(view.nextCheckAt) <= nowMs
      ? 'polling'
      : `check ${formatRelative(view.nextCheckAt, nowMs)}`;
  }
  return '-';
}
