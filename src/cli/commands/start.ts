/** `start --job job-xxxxxxxx [--job ...] [--policy-file p.json] [--label L] [--id-scope S]`: idempotent start. */
import { readFile } from 'node:fs/promises';
import { startRecovery, type RecoveryClient, type StartedRecovery } from '../../client';
import type { RecoverBatchJobsInput, RecoveryPolicyInput } from '../../shared/recovery-types';
import { UsageError } from '../args';
import { writeJsonLine, writeLines, type CliIo } from '../cli-io';
import { ExitCode } from '../exit-codes';

/**
 * Task queue variables the CLI reads, with the same names as the worker's (src/runtime/worker-config.ts), so one
 * exported environment configures both. Flags win over them.
 */
export const TASK_QUEUE_VARIABLES = {
  workflow: 'TENCENT_BATCH_RECOVERY_TASK_QUEUE',
  retry: 'TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE',
  describe: 'TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE',
} as const;

/** Options of {@link startCommand}. */
export interface StartCommandOptions {
  /** `--job`: the jobs to recover (checked by startRecovery, every malformed one listed). */
  jobIds: string[];
  /** `--policy-file`: a JSON file holding a `RecoveryPolicyInput`. @default the package's policy defaults */
  policyFile?: string;
  /** `--label`: free text shown in escalations and the web UI. @default none */
  label?: string;
  /** `--id-scope`: a namespace inside the workflow ID. @default none */
  idScope?: string;
  /** `--task-queue`. @default TENCENT_BATCH_RECOVERY_TASK_QUEUE, else 'tencent-batch-recovery' */
  taskQueue?: string;
  /** `--retry-task-queue`. @default TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE, else the package's */
  retryTaskQueue?: string;
  /** `--describe-task-queue`. @default TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE, else the package's */
  describeTaskQueue?: string;
  /** `--json`: print one JSON object instead of text. */
  json: boolean;
}

/** Starts (or joins) the recovery of the given jobs and prints its workflow ID. */
export async function startCommand(
  client: RecoveryClient,
  options: StartCommandOptions,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ExitCode> {
  const policy = options.policyFile === undefined ? undefined : await readPolicyFile(options.policyFile);
  const retry = options.retryTaskQueue ?? nonEmpty(env[TASK_QUEUE_VARIABLES.retry]);
  const describe = options.describeTaskQueue ?? nonEmpty(env[TASK_QUEUE_VARIABLES.describe]);
  const input: RecoverBatchJobsInput = {
    jobIds: options.jobIds,
    ...(policy !== undefined ? { policy } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    ...(retry !== undefined || describe !== undefined
      ? {
          taskQueues: {
            ...(retry !== undefined ? { retry } : {}),
            ...(describe !== undefined ? { describe } : {}),
          },
        }
      : {}),
  };
  const taskQueue = options.taskQueue ?? nonEmpty(env[TASK_QUEUE_VARIABLES.workflow]);
  const started = await startRecovery(client, input, {
    ...(taskQueue !== undefined ? { taskQueue } : {}),
    ...(options.idScope !== undefined ? { idScope: options.idScope } : {}),
  });
  if (options.json) {
    writeJsonLine(io.stdout, {
      workflowId: started.workflowId,
      runId: started.runId,
      outcome: started.outcome,
      joined: started.joined,
      status: started.status,
    });
  } else {
    writeLines(io.stdout, describeStart(started, options.jobIds.length));
  }
  return ExitCode.OK;
}

function describeStart(started: StartedRecovery, jobCount: number): string[] {
  const id = started.workflowId;
  const jobs = jobCount === 1 ? '1 job' : `${jobCount} jobs`;
  const first =
    started.outcome === 'STARTED'
      ? `Started recovery ${id} of ${jobs} (run ${started.runId}).`
      : started.outcome === 'JOINED_RUNNING'
        ? `Joined the running recovery ${id} (run ${started.runId}); it keeps the input it was started with.`
        : `A recovery of these jobs already ended: ${id} (${started.status}, run ${started.runId}).`;
  return [first, `Follow it:  tencent-batch-recovery watch ${id}`];
}

async function readPolicyFile(path: string): Promise<RecoveryPolicyInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError([`--policy-file ${path}: cannot read it (${code})`]);
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (err) {
    throw new UsageError([
      `--policy-file ${path}: not JSON (${err instanceof Error ? err.message : String(err)})`,
    ]);
  }
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new UsageError([`--policy-file ${path}: must hold a JSON object (a recovery policy)`]);
  }
  // Field-level checks happen in startRecovery, with every problem listed.
  return policy;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
