/** `retry-now <workflowId> [--job ...]`: skip the backoff of jobs waiting to be retried. */
import { retryNow, type RecoveryClient } from '../../client';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';

/** Options of {@link retryNowCommand}. */
export interface RetryNowCommandOptions {
  /** The recovery's workflow ID. */
  workflowId: string;
  /** `--job`: the jobs to retry now. @default every job waiting for its backoff */
  jobIds?: string[];
  /** `--json`: print `{ workflowId, jobIds }` instead of a sentence. */
  json: boolean;
}

/** Asks the workflow to retry waiting jobs now and prints the jobs it changed. */
export async function retryNowCommand(
  client: RecoveryClient,
  options: RetryNowCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const ack = await retryNow(client, options.workflowId, options.jobIds ? { jobIds: options.jobIds } : {});
  if (options.json) writeJsonLine(io.stdout, { workflowId: options.workflowId, jobIds: ack.jobIds });
  else writeLines(io.stdout, [`Retrying now: ${ack.jobIds.join(', ')} in ${options.workflowId}.`]);
  return ExitCode.OK;
}
