/** `decide <workflowId> retry|abandon|resolve [--job ...] [--extra-retries N] [--operator NAME] [--note TEXT]`. */
import { decideEscalation, type RecoveryClient } from '../../client';
import type { ResolveEscalationInput } from '../../shared/recovery-types';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';

/** Options of {@link decideCommand}. */
export interface DecideCommandOptions extends ResolveEscalationInput {
  /** The recovery's workflow ID. */
  workflowId: string;
  /** `--json`: print `{ workflowId, decision, jobIds }` instead of a sentence. */
  json: boolean;
}

/** Sends an operator's decision and prints the jobs it changed; a refusal surfaces as RecoveryUpdateRejectedError. */
export async function decideCommand(
  client: RecoveryClient,
  options: DecideCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const { workflowId, json, ...decision } = options;
  const ack = await decideEscalation(client, workflowId, decision);
  if (json) writeJsonLine(io.stdout, { workflowId, decision: decision.decision, jobIds: ack.jobIds });
  else writeLines(io.stdout, [`${decision.decision} applied to ${ack.jobIds.join(', ')} in ${workflowId}.`]);
  return ExitCode.OK;
}
