/**
 * Durability under chaos, small and fast: the same run as `npm run bench:chaos[-faults]` (bench/chaos/chaos-run.ts)
 * at a tenth of the size. Each run starts its OWN file-backed dev server on a free port, since it restarts it:
 * the run's shared server is never touched, so test files running alongside are not disturbed.
 */
import { runChaos, type ChaosOptions, type ChaosResult } from '../../bench/chaos/chaos-run';
import { temporalTestBackend } from '../helpers/temporal';

/**
 * 20 workflows (40 jobs) started over 20 s, 3 worker SIGKILLs and 1 server restart meanwhile: about a minute.
 * Describes unthrottled (RetryJobs at its 2/s): durability is measured here, on a machine other tests share;
 * the benchmarks run every action at its API limit and test/e2e/api-budget.e2e.test.ts proves the budget. On
 * the PostgreSQL cluster (the `postgresql` jest project), instead of the server restart: matching, history and
 * frontend each SIGKILLed and restarted, and PostgreSQL restarted.
 */
const SMALL_RUN: ChaosOptions =
  temporalTestBackend() === 'postgresql'
    ? {
        workflows: 20,
        jobsPerWorkflow: 2,
        workerProcesses: 2,
        workerKills: 3,
        backend: 'postgresql',
        serverRestarts: 0,
        serviceKills: 1,
        postgresRestarts: 1,
        startWindowMs: 20_000,
        drainTimeoutMs: 60_000,
        apiLimits: 'unthrottled-describes',
      }
    : {
        workflows: 20,
        jobsPerWorkflow: 2,
        workerProcesses: 2,
        workerKills: 3,
        serverRestarts: 1,
        startWindowMs: 20_000,
        drainTimeoutMs: 60_000,
        apiLimits: 'unthrottled-describes',
      };

/** Room for a loaded machine; a run normally takes about a minute (a cluster's own start adds some). */
const RUN_TIMEOUT_MS = 200_000;

let current: { controller: AbortController; run: Promise<unknown> } | undefined;

/** Starts a run that {@link afterEach} stops (every process it started) if the test ends first, e.g. on timeout. */
function chaosRun(options: ChaosOptions): Promise<ChaosResult> {
  const controller = new AbortController();
  const run = runChaos({ ...options, signal: controller.signal });
  current = { controller, run: run.catch(() => undefined) };
  return run;
}

afterEach(async () => {
  current?.controller.abort();
  await current?.run;
  current = undefined;
});

/** The invariants the issue asks for, with the evidence printed when one breaks. */
function expectDurable(result: ChaosResult, options: ChaosOptions): void {
  expect(result.violations).toEqual([]);
  expect({
    lost: result.lost,
    lost_workflows: result.lost_workflows,
    duplicate_retries: result.duplicate_retries,
    wrong_outcomes: result.wrong_outcomes,
  }).toEqual({ lost: 0, lost_workflows: 0, duplicate_retries: 0, wrong_outcomes: 0 });
  expect(result.workflows).toBe(options.workflows);
  expect(result.worker_kills).toBe(options.workerKills);
  expect(result.details.kills.every((kill) => kill.signal === 'SIGKILL')).toBe(true);
  expect(result.server_restarts).toBe(options.serverRestarts);
  expect(result.service_kills).toEqual(
    options.serviceKills
      ? { matching: options.serviceKills, history: options.serviceKills, frontend: options.serviceKills }
      : undefined,
  );
  expect(result.postgres_restarts).toBe(
    options.backend === 'postgresql' ? options.postgresRestarts : undefined,
  );
  expect(result.details.unexpected_worker_exits).toEqual([]);
  // Every job was retried exactly once per failure within the budget: the scripted failures were really retried.
  expect(result.details.retries_applied).toBeGreaterThan(0);
}

describe('recovery workflows under chaos (own dev server, emulator over HTTP, worker processes)', () => {
  it(
    'loses no job, retries no failure twice and ends every job right while workers are SIGKILLed and the server restarts',
    async () => {
      const result = await chaosRun({ ...SMALL_RUN, seed: 11 });
      expectDurable(result, SMALL_RUN);
      expect(result.faults_injected).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'does the same while a fifth of all API calls error, throttle, reset, answer garbage or lose their answer',
    async () => {
      // Faults slow every call down (attempts retried, RequestLimitExceeded slowing the budget), and each call waits
      // for its slot from the budget workflow: a loaded CI machine needed more than a minute to drain (measured).
      const options = { ...SMALL_RUN, faultRate: 0.2, drainTimeoutMs: 150_000 };
      const result = await chaosRun({ ...options, seed: 12 });
      expectDurable(result, options);
      expect(result.faults_injected).toBeGreaterThan(0);
    },
    RUN_TIMEOUT_MS + 90_000,
  );
});
