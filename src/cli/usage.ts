/** The help text of `tencent-batch-recovery`. */
import { DEFAULT_ESCALATIONS_LIMIT, DEFAULT_WATCH_INTERVAL_MS } from './args';
import { ExitCode } from './exit-codes';

/** Usage, printed by `help`, `--help` and after a usage error. */
export function usageText(): string {
  return `Usage: tencent-batch-recovery <command> [options]

Commands:
  start --job <jobId> [--job ...] [--policy-file p.json] [--label L] [--id-scope S]
        [--task-queue Q] [--retry-task-queue Q] [--describe-task-queue Q]
                        start the recovery of the jobs, or join the one already running
  status <workflowId>   job, phase, state, retries, last failure, next check or escalation
  watch <workflowId> [--interval 2s]
                        refresh the status every ${DEFAULT_WATCH_INTERVAL_MS / 1000}s until the workflow ends
  decide <workflowId> retry|abandon|resolve [--job <jobId> ...] [--extra-retries N]
        [--operator NAME] [--note TEXT]
                        answer an escalation (default: every job awaiting a decision)
  retry-now <workflowId> [--job <jobId> ...]
                        retry jobs waiting for their backoff now
  escalations [--job <jobId>] [--limit N]
                        recoveries awaiting a decision, with their jobs (default limit ${DEFAULT_ESCALATIONS_LIMIT})

Options for every command:
  --json                machine-readable output (one JSON object per line); errors as JSON on stderr
  --address host:port   Temporal frontend (else TEMPORAL_ADDRESS, the profile, or localhost:7233)
  --namespace NS        Temporal namespace (else TEMPORAL_NAMESPACE, the profile, or default)
  --profile NAME        profile of the Temporal config file (else TEMPORAL_PROFILE)
  -h, --help            this text

The connection also reads TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_CONFIG_FILE (as every Temporal tool does);
start reads TENCENT_BATCH_RECOVERY_TASK_QUEUE, ..._RETRY_TASK_QUEUE, ..._DESCRIBE_TASK_QUEUE like the worker.

Exit codes: ${ExitCode.OK} ok (watch: SUCCEEDED), ${ExitCode.FAILURE} error, ${ExitCode.USAGE} bad input, ${ExitCode.NOT_FOUND} workflow not found, ${ExitCode.REJECTED} decision rejected,
  ${ExitCode.NEEDS_ATTENTION} NEEDS_ATTENTION, ${ExitCode.CANCELLED} CANCELLED, ${ExitCode.WORKFLOW_FAILED} workflow failed, ${ExitCode.INTERRUPTED} watch interrupted.
`;
}
