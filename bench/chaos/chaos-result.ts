/**
 * The result of a chaos run: the figures the issue asks for (snake_case, as written to bench/results/chaos*.json),
 * the configuration that produced them, and the details and evidence behind them.
 */
import type { ActionFigures } from '../lib/ledger-figures';
import type { ChaosAudit, ChaosViolation } from './chaos-audit';
import type { ChaosEventLog, KillRecord, RestartRecord, ServiceKillRecord } from './chaos-events';
import { KILLED_SERVICES, type ChaosBackend, type ChaosTemporal } from './chaos-temporal';
import type { ResolvedChaosOptions } from './chaos-options';
import type { ChaosPlan } from './chaos-plan';
import { countBy } from './count-by';
import type { HeldRetryJobsCall, RetryJobsEvidence } from './retry-jobs-evidence';
import type { WorkflowRecord } from './workflow-driver';
import type { UnexpectedWorkerExit } from './worker-fleet';

/** Most violations written out in full; the counts are always exact. */
const MAX_VIOLATIONS_SHOWN = 50;

/** What `runChaos` returns. */
export interface ChaosResult {
  workflows: number;
  jobs: number;
  /** Jobs without a final outcome (see chaos-audit.ts). */
  lost: number;
  lost_workflows: number;
  duplicate_retries: number;
  /** RetryJobs applied to a failure its owner had not observed yet: a duplicate as it really shows (0 expected). */
  retries_of_unobserved_failures: number;
  wrong_outcomes: number;
  /** Places a credential of the workers was found: histories, worker output (chaos-secrets.ts; 0 expected). */
  secret_leaks: number;
  worker_kills: number;
  /**
   * Kills of a worker process running a RetryJobs activity (the server's view) while the API held a RetryJobs call
   * (the ledger: it arrived before the kill and was answered after): the dangerous moment, proven.
   */
  kills_during_retry_jobs: number;
  /**
   * Of those, the kills whose held call's jobs all show ALREADY_RETRIED after the kill in their owners' timelines:
   * the activity's next attempt ran, found the retry applied, and sent nothing.
   */
  kills_during_retry_jobs_answered_by_already_retried: number;
  /** Aimed kills (`retryJobsKills`) that found no RetryJobs call to aim at. */
  aimed_kills_missed: number;
  /** RetryJobs requests the API applied and whose answer it then dropped: the other dangerous moment. */
  retry_jobs_apply_then_drop: number;
  server_restarts: number;
  faults_injected: number;
  /** Wall-clock time of the whole run, setup and teardown included. */
  duration_s: number;
  config: ChaosConfig;
  details: ChaosDetails;
  /** The first violations, with their evidence (workflow IDs, ledger lines). */
  violations: ChaosViolation[];
  /** Logs, SQLite file, ledger and histories, kept when something went wrong; absent when removed. */
  evidence_dir?: string;
  /** Task-queue partitions of the run's queues (the server's default, on either backend). */
  temporal_partitions: number;
  /** Per Tencent action: its limit, the most requests in any one-second window, RequestLimitExceeded answers. */
  actions: Record<string, ActionFigures>;
  /** The rest: only in runs on the PostgreSQL cluster (bench/results/chaos-cluster.json). */
  temporal_backend?: ChaosBackend;
  /** Temporal server processes (history, matching, frontend, worker). */
  temporal_services?: number;
  /** SIGKILLs (each followed by a restart) per service. */
  service_kills?: Record<string, number>;
  postgres_restarts?: number;
}

/** The knobs of the run, as written to the results. */
export interface ChaosConfig {
  workflows: number;
  jobs_per_workflow: number;
  worker_processes: number;
  worker_kills: number;
  /** Kills aimed at a RetryJobs call the API held, on top of `worker_kills`. */
  retry_jobs_kills: number;
  /** Planned apply-then-drops of the next RetryJobs call, on top of the fault rate. */
  retry_jobs_drops: number;
  server_restarts: number;
  /** PostgreSQL cluster runs only: planned SIGKILLs of each of matching, history and frontend. */
  service_kills?: number;
  postgres_restarts?: number;
  fault_rate: number;
  fault_kinds: readonly string[];
  start_window_s: number;
  drain_timeout_s: number;
  max_retries_per_job: number;
  decision_timeout: string;
  poll_interval: string;
  time_scale: number;
  seed: number;
}

/** What happened, in more detail than the headline figures. */
export interface ChaosDetails {
  /** Jobs per scripted scenario. */
  scenarios: Record<string, number>;
  /** Jobs per outcome in the workflows' results. */
  outcomes: Record<string, number>;
  /** From the first start to the last result. */
  chaos_phase_s: number;
  /** Each workflow's time from its start call returning to its result arriving. */
  workflow_duration_s: { p50: number; p95: number; max: number };
  kills: KillRecord[];
  /** One per kill, in order: the RetryJobs call the API held when it landed, or null. */
  kills_held_retry_jobs_calls: (HeldRetryJobsCall | null)[];
  restarts: RestartRecord[];
  /** PostgreSQL cluster runs only. */
  service_kill_events?: ServiceKillRecord[];
  postgres_restart_events?: RestartRecord[];
  /** Worker processes that died without being killed (each was restarted). */
  unexpected_worker_exits: UnexpectedWorkerExit[];
  api_requests: number;
  retry_jobs_requests: Record<string, number>;
  retries_applied: number;
  /** Most RetryJobs the API received in any one-second window, refused ones included (the API allows 2). */
  max_retry_jobs_per_second: number;
  faults_by_kind: Record<string, number>;
  faults_by_action: Record<string, number>;
  /** Runs of each helper workflow type (RetryJobs dispatcher, job watcher); more than one: it continued as new. */
  helper_workflow_runs: Record<string, number>;
}

/** Everything the summary is made of. */
export interface ChaosRunFacts {
  options: ResolvedChaosOptions;
  faultKinds: readonly string[];
  plan: ChaosPlan;
  records: readonly WorkflowRecord[];
  audit: ChaosAudit;
  events: ChaosEventLog;
  retryJobs: RetryJobsEvidence;
  server: Pick<ChaosTemporal, 'backend' | 'services' | 'partitions'>;
  unexpectedExits: UnexpectedWorkerExit[];
  apiRequests: number;
  maxRetryJobsPerSecond: number;
  actions: Record<string, ActionFigures>;
  helperWorkflowRuns: Record<string, number>;
  durationMs: number;
  chaosPhaseMs: number;
}

/** Builds the result written to bench/results. */
export function summarizeChaosRun(facts: ChaosRunFacts): ChaosResult {
  const { options, audit, events, retryJobs } = facts;
  const cluster = facts.server.backend === 'postgresql';
  return {
    workflows: facts.records.length,
    jobs: audit.jobs,
    lost: audit.lost,
    lost_workflows: audit.lostWorkflows,
    duplicate_retries: audit.duplicateRetries,
    retries_of_unobserved_failures: audit.retriesOfUnobservedFailures,
    wrong_outcomes: audit.wrongOutcomes,
    secret_leaks: audit.secretLeaks,
    worker_kills: events.kills.length,
    kills_during_retry_jobs: retryJobs.killsDuringRetryJobs,
    kills_during_retry_jobs_answered_by_already_retried: retryJobs.killsAnsweredByAlreadyRetried,
    aimed_kills_missed: events.aimedKillsMissed,
    retry_jobs_apply_then_drop: retryJobs.applyThenDrop,
    server_restarts: events.restarts.length,
    faults_injected: audit.faultsInjected,
    duration_s: toSeconds(facts.durationMs),
    config: {
      workflows: options.workflows,
      jobs_per_workflow: options.jobsPerWorkflow,
      worker_processes: options.workerProcesses,
      worker_kills: options.workerKills,
      retry_jobs_kills: options.retryJobsKills,
      retry_jobs_drops: options.retryJobsDrops,
      server_restarts: options.serverRestarts,
      ...(cluster
        ? { service_kills: options.serviceKills, postgres_restarts: options.postgresRestarts }
        : {}),
      fault_rate: options.faultRate,
      fault_kinds: options.faultRate > 0 ? facts.faultKinds : [],
      start_window_s: toSeconds(options.startWindowMs),
      drain_timeout_s: toSeconds(options.drainTimeoutMs),
      max_retries_per_job: options.maxRetriesPerJob,
      decision_timeout: options.decisionTimeout,
      poll_interval: options.pollInterval,
      time_scale: options.timeScale,
      seed: options.seed,
    },
    details: {
      scenarios: countBy(
        facts.plan.workflows.flatMap((wf) => wf.jobs),
        (job) => job.scenario,
      ),
      outcomes: countBy(
        facts.records.flatMap((r) => r.result?.jobs ?? []),
        (job) => job.outcome ?? 'NONE',
      ),
      chaos_phase_s: toSeconds(facts.chaosPhaseMs),
      workflow_duration_s: durationPercentiles(facts.records),
      kills: events.kills,
      kills_held_retry_jobs_calls: retryJobs.heldCalls,
      restarts: events.restarts,
      ...(cluster
        ? { service_kill_events: events.serviceKills, postgres_restart_events: events.postgresRestarts }
        : {}),
      unexpected_worker_exits: facts.unexpectedExits,
      api_requests: facts.apiRequests,
      retry_jobs_requests: audit.retryJobsRequests,
      retries_applied: audit.appliedRetries,
      max_retry_jobs_per_second: facts.maxRetryJobsPerSecond,
      faults_by_kind: audit.faultsByKind,
      faults_by_action: audit.faultsByAction,
      helper_workflow_runs: facts.helperWorkflowRuns,
    },
    violations: audit.violations.slice(0, MAX_VIOLATIONS_SHOWN),
    temporal_partitions: facts.server.partitions,
    actions: facts.actions,
    ...(cluster
      ? {
          temporal_backend: facts.server.backend,
          temporal_services: facts.server.services,
          service_kills: Object.fromEntries(
            KILLED_SERVICES.map((service) => [
              service,
              events.serviceKills.filter((kill) => kill.service === service).length,
            ]),
          ),
          postgres_restarts: events.postgresRestarts.length,
        }
      : {}),
  };
}

/** True when the run proved what it must: nothing lost, retried twice or wrong, and every disruption happened. */
export function chaosRunPassed(result: ChaosResult): boolean {
  return (
    result.lost === 0 &&
    result.duplicate_retries === 0 &&
    result.wrong_outcomes === 0 &&
    result.secret_leaks === 0 &&
    result.retries_of_unobserved_failures === 0 &&
    result.worker_kills === result.config.worker_kills + result.config.retry_jobs_kills &&
    result.kills_during_retry_jobs >= result.config.retry_jobs_kills &&
    result.kills_during_retry_jobs_answered_by_already_retried === result.kills_during_retry_jobs &&
    result.retry_jobs_apply_then_drop >= result.config.retry_jobs_drops &&
    result.server_restarts === result.config.server_restarts &&
    Object.values(result.service_kills ?? {}).every(
      (kills) => kills === (result.config.service_kills ?? 0),
    ) &&
    (result.postgres_restarts ?? 0) === (result.config.postgres_restarts ?? 0)
  );
}

function durationPercentiles(records: readonly WorkflowRecord[]): ChaosDetails['workflow_duration_s'] {
  const durations = records
    .filter((r) => r.result !== undefined && r.startedAtMs !== undefined && r.finishedAtMs !== undefined)
    .map((r) => (r.finishedAtMs ?? 0) - (r.startedAtMs ?? 0))
    .sort((a, b) => a - b);
  const at = (q: number): number =>
    toSeconds(durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), max: toSeconds(durations[durations.length - 1] ?? 0) };
}

function toSeconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
