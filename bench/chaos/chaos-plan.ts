/**
 * What a chaos run will do, drawn up front from its seed: each workflow's jobs (scripted outcome and the result
 * it must end with), when each workflow starts, and when the worker kills and server restarts happen. Pure: the
 * same options always give the same plan, so a failing run can be repeated.
 */
import type { JobScript } from '../../src/emulator';
import { SeededRandom } from '../../src/emulator/random';
import type { JobOutcome } from '../../src/shared/recovery-types';
import type { ResolvedChaosOptions } from './chaos-options';
import { KILLED_SERVICES, type KilledService } from './chaos-temporal';

/** How a job behaves over its attempts. */
export type ScenarioName = 'succeeds' | 'fails-once' | 'fails-twice' | 'exceeds-budget';

/** What a job must end as, in the workflow's result and in the emulator. */
export interface ExpectedJob {
  outcome: Extract<JobOutcome, 'SUCCEEDED' | 'ESCALATED'>;
  /** Retries the result reports, and RetryJobs the ledger shows applied to the job (one per failure retried). */
  retries: number;
  /** The job's state in the emulator at the end. */
  finalState: 'SUCCEED' | 'FAILED';
}

/** One job of a planned workflow. */
export interface PlannedJob {
  scenario: ScenarioName;
  /** Failed attempts before the job would succeed. */
  failures: number;
  script: JobScript;
  expected: ExpectedJob;
}

/** One workflow of the run. */
export interface PlannedWorkflow {
  index: number;
  /** When it starts, in ms from the start of the run. */
  startAtMs: number;
  jobs: PlannedJob[];
}

/** A disruption of the run. */
export type ChaosEvent = {
  /** When it happens, in ms from the start of the run. */
  atMs: number;
} & (
  | {
      kind:
        | 'kill-worker'
        | 'kill-worker-in-retry-jobs'
        | 'drop-retry-jobs-answer'
        | 'restart-server'
        | 'restart-postgres';
    }
  | { kind: 'kill-service'; service: KilledService }
);

/** The whole run, drawn from the seed. */
export interface ChaosPlan {
  workflows: PlannedWorkflow[];
  /** Sorted by time. */
  events: ChaosEvent[];
}

/**
 * Share of each scenario. Most jobs fail at least once (there is nothing to prove about a job that never fails);
 * a fifth fail more often than the budget allows and must be escalated, not retried once more.
 */
const SCENARIO_WEIGHTS: readonly [ScenarioName, number][] = [
  ['succeeds', 0.2],
  ['fails-once', 0.35],
  ['fails-twice', 0.25],
  ['exceeds-budget', 0.2],
];

/** A job runs 1 to 4 emulated minutes per attempt: at the default time scale, 1 to 4 real seconds. */
const RUN_SECONDS = { min: 60, max: 240 } as const;

/**
 * Kills fall between 5% and 110% of the start window: from the first workflows' first polls until after the last
 * start, while the late workflows retry. The restart falls in the middle third, when most workflows are open.
 */
const KILL_WINDOW = { from: 0.05, to: 1.1 } as const;
const RESTART_WINDOW = { from: 0.35, to: 0.65 } as const;
/** Aimed kills and dropped RetryJobs answers need retries under way: from a third of the start window on. */
const RETRY_JOBS_WINDOW = { from: 0.3, to: 1.0 } as const;

/** Draws the plan of a run from its options. */
export function planChaos(options: ResolvedChaosOptions): ChaosPlan {
  const random = new SeededRandom(options.seed);
  const spacingMs = options.startWindowMs / options.workflows;
  const workflows = Array.from({ length: options.workflows }, (_, index) => ({
    index,
    startAtMs: Math.round(index * spacingMs),
    jobs: Array.from({ length: options.jobsPerWorkflow }, () => planJob(random, options.maxRetriesPerJob)),
  }));
  const events: ChaosEvent[] = [
    ...spreadAtRandom(random, options.workerKills, options.startWindowMs, KILL_WINDOW).map((atMs) => ({
      atMs,
      kind: 'kill-worker' as const,
    })),
    ...spreadAtRandom(random, options.retryJobsKills, options.startWindowMs, RETRY_JOBS_WINDOW).map(
      (atMs) => ({ atMs, kind: 'kill-worker-in-retry-jobs' as const }),
    ),
    ...spreadAtRandom(random, options.retryJobsDrops, options.startWindowMs, RETRY_JOBS_WINDOW).map(
      (atMs) => ({ atMs, kind: 'drop-retry-jobs-answer' as const }),
    ),
    ...spreadAtRandom(random, options.serverRestarts, options.startWindowMs, RESTART_WINDOW).map((atMs) => ({
      atMs,
      kind: 'restart-server' as const,
    })),
    // Service kills, like worker kills, hit every stage of the run; each service in turn, so that no service dies
    // twice before every other has died once.
    ...spreadAtRandom(
      random,
      options.serviceKills * KILLED_SERVICES.length,
      options.startWindowMs,
      KILL_WINDOW,
    ).map((atMs, i) => ({
      atMs,
      kind: 'kill-service' as const,
      service: KILLED_SERVICES[i % KILLED_SERVICES.length] ?? 'matching',
    })),
    ...spreadAtRandom(random, options.postgresRestarts, options.startWindowMs, RESTART_WINDOW).map(
      (atMs) => ({
        atMs,
        kind: 'restart-postgres' as const,
      }),
    ),
  ].sort((a, b) => a.atMs - b.atMs);
  return { workflows, events };
}

/** The failures a scenario scripts; `exceeds-budget` fails once more than the budget allows. */
export function failuresOf(scenario: ScenarioName, maxRetriesPerJob: number): number {
  switch (scenario) {
    case 'succeeds':
      return 0;
    case 'fails-once':
      return 1;
    case 'fails-twice':
      return 2;
    case 'exceeds-budget':
      return maxRetriesPerJob + 1;
  }
}

/**
 * What a job that fails `failures` times must end as. Within the budget: SUCCEEDED after exactly one retry per
 * failure. Beyond it: ESCALATED after exactly `maxRetriesPerJob` retries, and still FAILED in the emulator: it is
 * scripted to succeed on the very next attempt, so one retry too many would show as a success.
 */
export function expectedJob(failures: number, maxRetriesPerJob: number): ExpectedJob {
  if (failures <= maxRetriesPerJob) return { outcome: 'SUCCEEDED', retries: failures, finalState: 'SUCCEED' };
  return { outcome: 'ESCALATED', retries: maxRetriesPerJob, finalState: 'FAILED' };
}

/** A job script: `failures` spot reclaims (exit code 137), then success. */
export function scriptOf(failures: number, runSeconds: number): JobScript {
  return {
    attempts: [
      ...Array.from({ length: failures }, () => ({
        outcome: 'FAILED' as const,
        exitCode: 137,
        reason: 'instance reclaimed (spot)',
      })),
      { outcome: 'SUCCEED' as const },
    ],
    runSeconds,
  };
}

function planJob(random: SeededRandom, maxRetriesPerJob: number): PlannedJob {
  const scenario = pickScenario(random.next());
  const failures = failuresOf(scenario, maxRetriesPerJob);
  const runSeconds = Math.round(RUN_SECONDS.min + random.next() * (RUN_SECONDS.max - RUN_SECONDS.min));
  return {
    scenario,
    failures,
    script: scriptOf(failures, runSeconds),
    expected: expectedJob(failures, maxRetriesPerJob),
  };
}

function pickScenario(draw: number): ScenarioName {
  let cumulative = 0;
  for (const [name, weight] of SCENARIO_WEIGHTS) {
    cumulative += weight;
    if (draw < cumulative) return name;
  }
  return 'succeeds';
}

/**
 * `count` moments in a window (fractions of `spanMs`), one drawn uniformly in each of `count` equal slots: random,
 * but never bunched, so every kill meets a worker that has had time to restart and pick up work.
 */
function spreadAtRandom(
  random: SeededRandom,
  count: number,
  spanMs: number,
  window: { from: number; to: number },
): number[] {
  const fromMs = window.from * spanMs;
  const slotMs = ((window.to - window.from) * spanMs) / Math.max(count, 1);
  return Array.from({ length: count }, (_, i) => Math.round(fromMs + (i + random.next()) * slotMs));
}
