/**
 * The worker's configuration, read and validated once from the environment at start. Every problem is reported
 * at once; no message ever holds a secret's value.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { BatchConfigError, parseBatchConfig, type BatchConfig } from '../batch/batch-config';
import { DEFAULT_DESCRIBE_JOBS_RPS, DEFAULT_RETRY_JOBS_RPS } from '../shared/constants';
import { DEFAULT_TASK_QUEUES, type RecoveryTaskQueues } from './recovery-workers';

/** Everything `src/worker.ts` needs, validated. */
export interface WorkerConfig {
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string };
  batch: BatchConfig;
  taskQueues: RecoveryTaskQueues;
  /** `TENCENT_BATCH_RETRY_JOBS_RPS` @default 2 (seed document; the Chinese docs say 10) */
  retryJobsPerSecond: number;
  /** `TENCENT_BATCH_DESCRIBE_RPS` @default 2 */
  describePerSecond: number;
  /** `TENCENT_BATCH_ESCALATION_WEBHOOK_URL`: may hold a token; never logged. */
  escalationWebhookUrl?: string;
}

/** The worker-specific variables (Temporal's own follow `@temporalio/envconfig`: TEMPORAL_ADDRESS, ...). */
export const WORKER_VARIABLES = {
  workflowQueue: 'TENCENT_BATCH_RECOVERY_TASK_QUEUE',
  retryQueue: 'TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE',
  describeQueue: 'TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE',
  retryRps: 'TENCENT_BATCH_RETRY_JOBS_RPS',
  describeRps: 'TENCENT_BATCH_DESCRIBE_RPS',
  webhook: 'TENCENT_BATCH_ESCALATION_WEBHOOK_URL',
} as const;

/** Every problem found in the environment, listed. */
export class WorkerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid worker configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'WorkerConfigError';
  }
}

export function readWorkerConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

  let batch: BatchConfig | undefined;
  try {
    batch = parseBatchConfig(env);
  } catch (err) {
    if (!(err instanceof BatchConfigError)) throw err;
    problems.push(...err.issues.map((i) => i.message));
  }

  let temporal: WorkerConfig['temporal'] | undefined;
  try {
    const loaded = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
    temporal = { connectionOptions: loaded.connectionOptions, namespace: loaded.namespace ?? 'default' };
  } catch (err) {
    problems.push(
      `Temporal connection (TEMPORAL_* variables or profile): ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  const queue = (name: string, fallback: string): string => {
    const v = value(name);
    if (v !== undefined && !/^[\w.:-]{1,200}$/.test(v))
      problems.push(`${name} must be 1-200 characters of letters, digits, . _ : -`);
    return v ?? fallback;
  };
  const taskQueues: RecoveryTaskQueues = {
    workflow: queue(WORKER_VARIABLES.workflowQueue, DEFAULT_TASK_QUEUES.workflow),
    retry: queue(WORKER_VARIABLES.retryQueue, DEFAULT_TASK_QUEUES.retry),
    describe: queue(WORKER_VARIABLES.describeQueue, DEFAULT_TASK_QUEUES.describe),
  };
  if (new Set(Object.values(taskQueues)).size !== 3) {
    problems.push(
      'the workflow, retry and describe task queues must be three different queues (rate limits apply per queue)',
    );
  }

  const rate = (name: string, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > 1000) {
      problems.push(
        `${name} must be a number of requests per second above 0 and at most 1000, got ${JSON.stringify(v)}`,
      );
      return fallback;
    }
    return n;
  };
  const retryJobsPerSecond = rate(WORKER_VARIABLES.retryRps, DEFAULT_RETRY_JOBS_RPS);
  const describePerSecond = rate(WORKER_VARIABLES.describeRps, DEFAULT_DESCRIBE_JOBS_RPS);

  const escalationWebhookUrl = value(WORKER_VARIABLES.webhook);
  if (escalationWebhookUrl !== undefined && !isHttpUrl(escalationWebhookUrl)) {
    problems.push(
      `${WORKER_VARIABLES.webhook} must be an http(s) URL (value not shown: it may hold a token)`,
    );
  }

  if (problems.length > 0 || !batch || !temporal) throw new WorkerConfigError(problems);
  return { temporal, batch, taskQueues, retryJobsPerSecond, describePerSecond, escalationWebhookUrl };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
