/** `status <workflowId>`: the live status as a table (or JSON). */
import type { RecoveryClient } from '../../client';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';
import { renderStatusView, viewOfStatus } from '../format/status-view';
import { queryStatus } from '../status-query';

/** Options of {@link statusCommand}. */
export interface StatusCommandOptions {
  /** The recovery's workflow ID. */
  workflowId: string;
  /** `--json`: print `{ workflowId, status }` instead of the table. */
  json: boolean;
}

/** Prints the recovery's status: job, phase, state, retries, last failure, next check or escalation. */
export async function statusCommand(
  client: RecoveryClient,
  options: StatusCommandOptions,
  io: CliIo,
  nowMs: () => number = Date.now,
): Promise<ExitCode> {
  const status = await queryStatus(client, options.workflowId);
  if (options.json) writeJsonLine(io.stdout, { workflowId: options.workflowId, status });
  else writeLines(io.stdout, renderStatusView(viewOfStatus(options.workflowId, status), nowMs()));
  return ExitCode.OK;
}
