/** `escalations [--job job-xxxxxxxx] [--limit N]`: recoveries awaiting a decision, with their jobs. */
import {
  listEscalations,
  type AwaitingJob,
  type RecoveryClient,
  type RecoveryEscalation,
} from '../../client';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';
import { renderTable } from '../format/text-table';
import { formatInstant, formatInstantRelative } from '../format/times';

/** Options of {@link escalationsCommand}. */
export interface EscalationsCommandOptions {
  /** `--job`: only recoveries watching this job. @default every recovery */
  jobId?: string;
  /** `--limit`: most recoveries listed. */
  limit: number;
  /** `--json`: print `{ escalations: [...] }` instead of the table. */
  json: boolean;
}

/** Lists every job awaiting a decision, one row each, grouped by workflow. */
export async function escalationsCommand(
  client: RecoveryClient,
  options: EscalationsCommandOptions,
  io: CliIo,
  nowMs: () => number = Date.now,
): Promise<ExitCode> {
  const found = await listEscalations(client, {
    limit: options.limit,
    ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
  });
  if (options.json) {
    writeJsonLine(io.stdout, { escalations: found });
    return ExitCode.OK;
  }
  if (found.length === 0) {
    writeLines(io.stdout, ['No recovery is awaiting a decision.']);
    return ExitCode.OK;
  }
  const now = nowMs();
  type Row = { escalation: RecoveryEscalation; job?: AwaitingJob };
  const rows: Row[] = found.flatMap((escalation) =>
    escalation.awaiting.length > 0
      ? escalation.awaiting.map((job) => ({ escalation, job }))
      : [{ escalation }],
  );
  const lines = renderTable<Row>(
    [
      { header: 'WORKFLOW', cell: (r) => r.escalation.workflowId },
      { header: 'LABEL', cell: (r) => r.escalation.label ?? '-', maxWidth: 30 },
      { header: 'JOB', cell: (r) => r.job?.jobId ?? '?' },
      {
        header: 'REASON',
        cell: (r) => r.job?.reason ?? `status unavailable: ${r.escalation.statusError ?? ''}`,
      },
      { header: 'SINCE', cell: (r) => formatInstant(r.job?.since) },
      { header: 'DECIDE BY', cell: (r) => formatInstantRelative(r.job?.decisionDeadline, now) },
      { header: 'MESSAGE', cell: (r) => r.job?.message ?? '-', maxWidth: 60 },
    ],
    rows,
  );
  const jobs = rows.filter((r) => r.job).length;
  writeLines(io.stdout, [
    ...lines,
    '',
    `${jobs} job(s) in ${found.length} recovery workflow(s) await a decision: tencent-batch-recovery decide <workflowId> retry|abandon|resolve`,
  ]);
  return ExitCode.OK;
}
