/**
 * The worker's configuration, read and validated once from the environment at start. Every problem is reported
 * at once; no message ever holds a secret's value.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { LogLevel, NativeConnectionOptions } from '@temporalio/worker';
import { BatchConfigError, parseBatchConfig, type BatchConfig } from '../batch/batch-config';
import {
  BUDGETED_ACTIONS,
  CHINA_DOCS_API_RATE_LIMITS,
  DEFAULT_API_BUDGET_TASK_QUEUE,
  DEFAULT_API_BUDGET_WORKFLOW_ID,
  INTERNATIONAL_API_RATE_LIMITS,
  type ApiRateLimits,
  type BudgetedAction,
} from '../shared/api-budget-types';
import { parseDurationMs } from '../shared/duration';
import { DEFAULT_TASK_QUEUES, type RecoveryTaskQueues } from './recovery-workers';

/** Everything `src/worker.ts` needs, validated. */
export interface WorkerConfig {
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string };
  batch: BatchConfig;
  taskQueues: RecoveryTaskQueues;
  /**
   * `TENCENT_BATCH_API_RATE_LIMITS`: requests per second per Tencent action, for the whole account. A preset
   * (`international`, the default: RetryJobs 2 as in the seed document, the international docs' figures for the
   * others; or `china-docs`, the current Chinese docs' higher figures), then `Action=N` overrides, comma-separated:
   * `china-docs,RetryJobs=5`.
   */
  apiRateLimits: ApiRateLimits;
  /**
   * `TENCENT_BATCH_API_BUDGET_ID`: the budget workflow's ID. Workers of one Tencent account share one; a second
   * account in the same namespace needs its own. @default 'tencent-batch-api-budget'
   */
  apiBudgetWorkflowId: string;
  /**
   * `TENCENT_BATCH_API_BUDGET_TASK_QUEUE`: where the budget workflow runs; every worker naming the same budget ID
   * names the same queue. @default 'tencent-batch-api-budget'
   */
  apiBudgetTaskQueue: string;
  /** `TENCENT_BATCH_ESCALATION_WEBHOOK_URL`: may hold a token; never logged. */
  escalationWebhookUrl?: string;
  /**
   * `TENCENT_BATCH_RECOVERY_METRICS_ADDRESS`: `host:port` of the Prometheus `/metrics` endpoint (SDK and
   * package metrics); undefined when set to `off`. @default '0.0.0.0:9464' (the OpenTelemetry Prometheus port)
   */
  metricsAddress?: string;
  /**
   * `TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS`: where `GET /healthz` is served; undefined when set to `off`.
   * @default { host: '0.0.0.0', port: 8080 }
   */
  healthAddress?: ListenAddress;
  /**
   * `TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE`: how long in-flight tasks may run after SIGTERM before their
   * activities are cancelled (see DEFAULT_SHUTDOWN_GRACE_MS). @default 25000
   */
  shutdownGraceMs: number;
  /** `TENCENT_BATCH_RECOVERY_LOG_LEVEL` @default 'INFO' */
  logLevel: LogLevel;
  /**
   * `TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL`: how often the worker sends one cheap DescribeJobs to learn whether
   * Tencent Cloud still accepts its credentials (and `/healthz` says so) while no activity calls; undefined when
   * `off`. @default 60000 (one call a minute: nothing next to the 2/s describe budget)
   */
  credentialCheckIntervalMs?: number;
}

/** A TCP address to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** OpenTelemetry's registered Prometheus exporter port, what scrape configs usually expect. */
export const DEFAULT_METRICS_ADDRESS: Readonly<ListenAddress> = Object.freeze({
  host: '0.0.0.0',
  port: 9464,
});
/** Off the metrics port; the usual container HTTP port for probes. */
export const DEFAULT_HEALTH_ADDRESS: Readonly<ListenAddress> = Object.freeze({ host: '0.0.0.0', port: 8080 });
/**
 * 25 s: fits Kubernetes' default 30 s termination grace period with 5 s left to close the connection and
 * exit. It is not meant to cover RetryJobs' 60 s start-to-close: an attempt normally takes seconds (one
 * DescribeJobs, one RetryJobs, each bounded by the request timeout); one that is cut off is cancelled, failed,
 * and retried at once on another worker, and since the activity re-reads job states first it cannot retry a
 * failure twice. An attempt whose worker vanished without reporting is retried after the 20 s heartbeat timeout.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;
/** See {@link WorkerConfig.credentialCheckIntervalMs}. */
export const DEFAULT_CREDENTIAL_CHECK_INTERVAL_MS = 60_000;

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The worker-specific variables (Temporal's own follow `@temporalio/envconfig`: TEMPORAL_ADDRESS, ...). */
export const WORKER_VARIABLES = {
  workflowQueue: 'TENCENT_BATCH_RECOVERY_TASK_QUEUE',
  retryQueue: 'TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE',
  describeQueue: 'TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE',
  apiRateLimits: 'TENCENT_BATCH_API_RATE_LIMITS',
  apiBudgetId: 'TENCENT_BATCH_API_BUDGET_ID',
  apiBudgetQueue: 'TENCENT_BATCH_API_BUDGET_TASK_QUEUE',
  webhook: 'TENCENT_BATCH_ESCALATION_WEBHOOK_URL',
  metricsAddress: 'TENCENT_BATCH_RECOVERY_METRICS_ADDRESS',
  healthAddress: 'TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS',
  shutdownGrace: 'TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE',
  logLevel: 'TENCENT_BATCH_RECOVERY_LOG_LEVEL',
  credentialCheck: 'TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL',
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

  for (const removed of REMOVED_VARIABLES) {
    if (value(removed) !== undefined) {
      problems.push(
        `${removed} was removed: set ${WORKER_VARIABLES.apiRateLimits} (e.g. RetryJobs=2,DescribeJobs=2) instead`,
      );
    }
  }
  const apiRateLimits = parseApiRateLimits(value(WORKER_VARIABLES.apiRateLimits), problems);
  const apiBudgetWorkflowId = queue(WORKER_VARIABLES.apiBudgetId, DEFAULT_API_BUDGET_WORKFLOW_ID);
  const apiBudgetTaskQueue = queue(WORKER_VARIABLES.apiBudgetQueue, DEFAULT_API_BUDGET_TASK_QUEUE);
  if (Object.values(taskQueues).includes(apiBudgetTaskQueue)) {
    problems.push(
      `${WORKER_VARIABLES.apiBudgetQueue} must differ from the recovery task queues (the budget's grants must not wait behind their tasks)`,
    );
  }

  const escalationWebhookUrl = value(WORKER_VARIABLES.webhook);
  if (escalationWebhookUrl !== undefined && !isHttpUrl(escalationWebhookUrl)) {
    problems.push(
      `${WORKER_VARIABLES.webhook} must be an http(s) URL (value not shown: it may hold a token)`,
    );
  }

  const address = (name: string, fallback: ListenAddress): ListenAddress | undefined => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (v.toLowerCase() === 'off') return undefined;
    const parsed = parseListenAddress(v);
    if (!parsed) problems.push(`${name} must be host:port (port 1-65535) or off, got ${JSON.stringify(v)}`);
    return parsed ?? fallback;
  };
  const metrics = address(WORKER_VARIABLES.metricsAddress, DEFAULT_METRICS_ADDRESS);
  const healthAddress = address(WORKER_VARIABLES.healthAddress, DEFAULT_HEALTH_ADDRESS);
  if (metrics && healthAddress && metrics.port === healthAddress.port) {
    problems.push(
      `${WORKER_VARIABLES.metricsAddress} and ${WORKER_VARIABLES.healthAddress} must use different ports`,
    );
  }

  let shutdownGraceMs = DEFAULT_SHUTDOWN_GRACE_MS;
  const grace = value(WORKER_VARIABLES.shutdownGrace);
  if (grace !== undefined) {
    // A unit is required: a bare number would be read as milliseconds, which nobody means here.
    const ms = /[a-z]/i.test(grace) ? parseDurationMs(grace) : undefined;
    if (ms === undefined || ms > 10 * 60_000) {
      problems.push(
        `${WORKER_VARIABLES.shutdownGrace} must be a duration with a unit, above 0 and at most 10m (e.g. 25s), got ${JSON.stringify(grace)}`,
      );
    } else shutdownGraceMs = ms;
  }

  let credentialCheckIntervalMs: number | undefined = DEFAULT_CREDENTIAL_CHECK_INTERVAL_MS;
  const check = value(WORKER_VARIABLES.credentialCheck);
  if (check?.toLowerCase() === 'off') credentialCheckIntervalMs = undefined;
  else if (check !== undefined) {
    const ms = /[a-z]/i.test(check) ? parseDurationMs(check) : undefined;
    if (ms === undefined || ms < 1_000 || ms > 60 * 60_000) {
      problems.push(
        `${WORKER_VARIABLES.credentialCheck} must be a duration with a unit from 1s to 1h (e.g. 60s), or off, got ${JSON.stringify(check)}`,
      );
    } else credentialCheckIntervalMs = ms;
  }

  const levelText = value(WORKER_VARIABLES.logLevel)?.toUpperCase() ?? 'INFO';
  const logLevel = LOG_LEVELS.find((l) => l === levelText);
  if (!logLevel) {
    problems.push(
      `${WORKER_VARIABLES.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(levelText)}`,
    );
  }

  if (problems.length > 0 || !batch || !temporal || !logLevel) throw new WorkerConfigError(problems);
  return {
    temporal,
    batch,
    taskQueues,
    apiRateLimits,
    apiBudgetWorkflowId,
    apiBudgetTaskQueue,
    escalationWebhookUrl,
    metricsAddress: metrics && formatListenAddress(metrics),
    healthAddress,
    shutdownGraceMs,
    logLevel,
    ...(credentialCheckIntervalMs !== undefined ? { credentialCheckIntervalMs } : {}),
  };
}

/** Per-second limits of the variables before the per-action budget, refused so that no setting is silently lost. */
const REMOVED_VARIABLES = ['TENCENT_BATCH_RETRY_JOBS_RPS', 'TENCENT_BATCH_DESCRIBE_RPS'];

const RATE_LIMIT_PRESETS: Record<string, Readonly<ApiRateLimits>> = {
  international: INTERNATIONAL_API_RATE_LIMITS,
  'china-docs': CHINA_DOCS_API_RATE_LIMITS,
};

/** See {@link WorkerConfig.apiRateLimits}. Problems are added to `problems`; the defaults stand in for them. */
export function parseApiRateLimits(text: string | undefined, problems: string[]): ApiRateLimits {
  const name = WORKER_VARIABLES.apiRateLimits;
  const parts = (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const preset = parts[0] !== undefined ? RATE_LIMIT_PRESETS[parts[0]] : undefined;
  const limits: ApiRateLimits = { ...(preset ?? INTERNATIONAL_API_RATE_LIMITS) };
  for (const part of preset ? parts.slice(1) : parts) {
    const [action, rps, extra] = part.split('=').map((p) => p.trim());
    if (
      extra !== undefined ||
      rps === undefined ||
      !(BUDGETED_ACTIONS as readonly string[]).includes(action ?? '')
    ) {
      problems.push(
        `${name}: ${JSON.stringify(part)} is not Action=N with Action one of ${BUDGETED_ACTIONS.join(', ')} (or a preset first: ${Object.keys(RATE_LIMIT_PRESETS).join(', ')})`,
      );
      continue;
    }
    const n = Number(rps);
    if (!Number.isFinite(n) || n <= 0 || n > 1000) {
      problems.push(
        `${name}: ${action} must be requests per second above 0 and at most 1000, got ${JSON.stringify(rps)}`,
      );
      continue;
    }
    limits[action as BudgetedAction] = n;
  }
  return limits;
}

/** `host:port`, `[ipv6]:port`; undefined when malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? (match[2] as string), port };
}

/** The inverse of {@link parseListenAddress}. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
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
