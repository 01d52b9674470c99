/**
 * How big and how rough one chaos run is: the one options object shared by the benchmark (`npm run bench:chaos`)
 * and the jest chaos tests, with every default in one place.
 */
import type { FaultRule } from '../../src/emulator';
import type { ChaosBackend } from './chaos-temporal';

/** Options of `runChaos`. Every field is optional. */
export interface ChaosOptions {
  /** Recovery workflows to start. @default 200 */
  workflows?: number;
  /** Batch jobs each workflow watches, each with its own scripted outcome. @default 2 */
  jobsPerWorkflow?: number;
  /** Worker processes (src/worker.ts) running side by side; each kill takes down one of them. @default 2 */
  workerProcesses?: number;
  /** SIGKILLs of a worker process at random moments, each followed at once by a restart. @default 10 */
  workerKills?: number;
  /**
   * More SIGKILLs, each aimed at the dangerous moment: the API holds the next RetryJobs call for a few seconds and
   * the worker running it is killed during the hold, so the call is applied after its caller died and the
   * activity's next attempt must find the retry already done. @default 0
   */
  retryJobsKills?: number;
  /**
   * RetryJobs calls the API applies and then drops the answer of: one at each of this many planned moments (the
   * next RetryJobs after it), whatever `faultRate` draws. @default 0
   */
  retryJobsDrops?: number;
  /**
   * The run's own Temporal server: a dev server (one process, SQLite), or a cluster on PostgreSQL (four service
   * processes, default task-queue partitions). @default 'dev-server'
   */
  backend?: ChaosBackend;
  /**
   * Restarts of the dev server mid-run: stopped, then started on the same port and SQLite file. Dev server only.
   * @default 1 on the dev server, 0 on postgresql
   */
  serverRestarts?: number;
  /**
   * SIGKILLs of EACH of the matching, history and frontend processes (each restarted at once on the same ports).
   * postgresql only. @default 0
   */
  serviceKills?: number;
  /** Restarts of PostgreSQL (fast shutdown, start on the same port and data). postgresql only. @default 0 */
  postgresRestarts?: number;
  /**
   * Fraction of all API requests (every action) that get an injected fault, spread evenly over the fault kinds
   * of {@link CHAOS_FAULT_KINDS}. @default 0
   */
  faultRate?: number;
  /**
   * Workflow starts are spread evenly over this window, so that kills and the restart hit workflows at every
   * stage (just started, waiting out a backoff, retrying, escalated). @default 150_000
   */
  startWindowMs?: number;
  /**
   * After the last start and the last chaos event, how long the workflows still open may take to finish before
   * they count as lost. @default 240_000
   */
  drainTimeoutMs?: number;
  /** `policy.maxRetriesPerJob` of every workflow; jobs scripted to fail more often must end ESCALATED. @default 2 */
  maxRetriesPerJob?: number;
  /** `policy.escalation.decisionTimeout`: short, so that escalated jobs end (ESCALATED) without an operator. @default '3s' */
  decisionTimeout?: string;
  /** `policy.pollInterval` of every workflow (1 s is the policy's minimum). @default '1s' */
  pollInterval?: string;
  /**
   * The API's per-action limits, in the emulator and in the workers' budget: `api` every action at its documented
   * default (the benchmarks: the budget holds through the chaos); `unthrottled-describes` lifts the describe
   * actions' limits in both (the jest tests, which measure durability on a machine shared with other tests),
   * RetryJobs keeping its 2/s. @default 'api'
   */
  apiLimits?: 'api' | 'unthrottled-describes';
  /** Emulated seconds per real second: a job's 1–4 emulated minutes of running take 1–4 real seconds. @default 60 */
  timeScale?: number;
  /** Seed of the scenarios, start times, kill and restart times, which worker dies, and the emulator's faults. @default 1 */
  seed?: number;
  /** Directory for the server's SQLite file and log, worker logs and evidence. @default a new temporary directory */
  workDir?: string;
  /** Progress lines (one per event). @default none */
  log?: (line: string) => void;
  /** Aborts the run: every process it started is stopped before `runChaos` rejects. */
  signal?: AbortSignal;
}

/** Options with every default applied. */
export type ResolvedChaosOptions = Required<Omit<ChaosOptions, 'workDir' | 'signal'>> &
  Pick<ChaosOptions, 'workDir' | 'signal'>;

/**
 * Fault kinds of a faulty run: what a real network and API gateway do to a client. `apply-then-drop` is the one
 * that matters most here (RetryJobs applied, answer lost); `latency` is left out because it only slows the run.
 */
export const CHAOS_FAULT_KINDS = [
  'internal-error',
  'apply-then-drop',
  'connection-reset',
  'request-limit-exceeded',
  'non-json',
  'http-503',
] as const;

/**
 * One rule per fault kind, each firing with the probability that makes the chance of any fault `rate`: the
 * emulator tries the rules in order and the first that fires wins, so p = 1 − (1 − rate)^(1/kinds).
 */
export function faultRules(rate: number): FaultRule[] {
  if (rate <= 0) return [];
  const probability = 1 - Math.pow(1 - rate, 1 / CHAOS_FAULT_KINDS.length);
  return CHAOS_FAULT_KINDS.map((kind) => ({ action: '*', kind, probability }));
}

/** Applies the defaults and rejects values that would make a run meaningless. */
export function resolveChaosOptions(options: ChaosOptions = {}): ResolvedChaosOptions {
  const backend = options.backend ?? 'dev-server';
  const resolved: ResolvedChaosOptions = {
    backend,
    serviceKills: options.serviceKills ?? 0,
    postgresRestarts: options.postgresRestarts ?? 0,
    workflows: options.workflows ?? 200,
    jobsPerWorkflow: options.jobsPerWorkflow ?? 2,
    workerProcesses: options.workerProcesses ?? 2,
    workerKills: options.workerKills ?? 10,
    retryJobsKills: options.retryJobsKills ?? 0,
    retryJobsDrops: options.retryJobsDrops ?? 0,
    serverRestarts: options.serverRestarts ?? (backend === 'dev-server' ? 1 : 0),
    faultRate: options.faultRate ?? 0,
    startWindowMs: options.startWindowMs ?? 150_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 240_000,
    maxRetriesPerJob: options.maxRetriesPerJob ?? 2,
    decisionTimeout: options.decisionTimeout ?? '3s',
    pollInterval: options.pollInterval ?? '1s',
    timeScale: options.timeScale ?? 60,
    apiLimits: options.apiLimits ?? 'api',
    seed: options.seed ?? 1,
    log: options.log ?? (() => undefined),
    workDir: options.workDir,
    signal: options.signal,
  };
  const problems = [
    ...positiveInteger('workflows', resolved.workflows),
    ...positiveInteger('jobsPerWorkflow', resolved.jobsPerWorkflow),
    ...positiveInteger('workerProcesses', resolved.workerProcesses),
    ...positiveInteger('maxRetriesPerJob', resolved.maxRetriesPerJob),
    ...countOf('retryJobsKills', resolved.retryJobsKills),
    ...countOf('retryJobsDrops', resolved.retryJobsDrops),
    ...(resolved.faultRate >= 0 && resolved.faultRate < 1 ? [] : ['faultRate must be in [0, 1)']),
    ...(backend === 'postgresql' && resolved.serverRestarts > 0
      ? ['serverRestarts needs the dev-server backend (postgresql: serviceKills, postgresRestarts)']
      : []),
    ...(backend === 'dev-server' && resolved.serviceKills + resolved.postgresRestarts > 0
      ? ['serviceKills and postgresRestarts need the postgresql backend']
      : []),
  ];
  if (problems.length > 0) throw new RangeError(`invalid chaos options: ${problems.join('; ')}`);
  return resolved;
}

function countOf(name: string, value: number): string[] {
  return Number.isInteger(value) && value >= 0 ? [] : [`${name} must be a whole number, got ${value}`];
}

function positiveInteger(name: string, value: number): string[] {
  return Number.isInteger(value) && value >= 1 ? [] : [`${name} must be a positive integer, got ${value}`];
}
