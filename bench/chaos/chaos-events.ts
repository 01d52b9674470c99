/**
 * Carries out the planned disruptions in order, each at its planned moment: SIGKILL a worker process (then start
 * it again at once), restart the dev server on the same port, or, on the PostgreSQL cluster, SIGKILL one Temporal
 * service process (started again at once) or restart PostgreSQL. Events never overlap: one that falls due while
 * another is still under way (a restart takes seconds) runs right after it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SeededRandom } from '../../src/emulator/random';
import type { ChaosEvent } from './chaos-plan';
import type { ChaosTemporal, KilledService } from './chaos-temporal';
import type { WorkerFleet } from './worker-fleet';

/** One worker kill, as it happened. */
export interface KillRecord {
  /** When, in ms from the start of the run. */
  atMs: number;
  /** When, in epoch ms (the emulator ledger's clock). */
  atEpochMs: number;
  /** Aimed at a RetryJobs call the API was holding (`retryJobsKills`), rather than at a random moment. */
  aimed: boolean;
  slot: number;
  pid: number;
  /** How long the killed process had lived. */
  uptimeMs: number;
  signal: string | null;
  /** Workflows open at that moment. */
  openWorkflows: number;
  /** Whether the killed process was running a RetryJobs activity at that moment (as the server saw it). */
  retryJobsInFlight: boolean;
}

/** One server restart, as it happened. */
export interface RestartRecord {
  atMs: number;
  /** From the stop request to the server serving again. */
  downtimeMs: number;
  /** Workflows open at that moment. */
  openWorkflows: number;
}

/** One SIGKILL of a Temporal service process, as it happened. */
export interface ServiceKillRecord {
  atMs: number;
  service: KilledService;
  /** From the SIGKILL to the frontend answering again, the service restarted. */
  recoveredMs: number;
  openWorkflows: number;
}

/** What the events act on. */
export interface ChaosEventDeps {
  fleet: WorkerFleet;
  server: ChaosTemporal;
  /** Which ready worker dies; drawn from the run's seed. */
  random: SeededRandom;
  elapsedMs: () => number;
  openWorkflows: () => number;
  /** Whether the process `pid` runs a RetryJobs activity now (best effort: false when unknown). */
  retryJobsRunningOn: (pid: number) => Promise<boolean>;
  /** The API's side of the aimed events (the run's emulator). */
  api: RetryJobsFaults;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Faults aimed at the RetryJobs call (see ChaosOptions.retryJobsKills and retryJobsDrops). */
export interface RetryJobsFaults {
  /**
   * Makes the API answer the next RetryJobs call `holdMs` late (applied on arrival); resolves when one arrived, or
   * false when none did within `withinMs`.
   */
  holdNextRetryJobsAnswer(holdMs: number, withinMs: number): Promise<boolean>;
  /** Makes the API apply the next RetryJobs call and drop its answer. */
  dropNextRetryJobsAnswer(): void;
}

/** What the events did. */
export interface ChaosEventLog {
  kills: KillRecord[];
  /** Aimed kills that found no RetryJobs call to aim at (none came, or its worker did not show in time). */
  aimedKillsMissed: number;
  /** Planned `drop-retry-jobs-answer` events carried out (each arms one apply-then-drop on the next call). */
  retryJobsDropsArmed: number;
  restarts: RestartRecord[];
  serviceKills: ServiceKillRecord[];
  postgresRestarts: RestartRecord[];
}

/** A worker that is still starting after this long is broken, not slow: the run fails rather than waits. */
const WORKER_READY_TIMEOUT_MS = 120_000;

/**
 * How late the API answers the RetryJobs call an aimed kill waits for: room to find the worker running it and kill
 * it before the answer (the server's view of pending activities takes a describe or two).
 */
const RETRY_JOBS_HOLD_MS = 4_000;
/** How long an aimed kill waits for the next RetryJobs call before it counts as missed. */
const RETRY_JOBS_WAIT_MS = 60_000;
/** Kill no later than this before the held answer is sent. */
const HOLD_MARGIN_MS = 500;

/** Runs `events` (sorted by time) and returns what each one did. */
export async function runChaosEvents(
  events: readonly ChaosEvent[],
  deps: ChaosEventDeps,
): Promise<ChaosEventLog> {
  const done: ChaosEventLog = {
    kills: [],
    aimedKillsMissed: 0,
    retryJobsDropsArmed: 0,
    restarts: [],
    serviceKills: [],
    postgresRestarts: [],
  };
  for (const event of events) {
    const wait = event.atMs - deps.elapsedMs();
    if (wait > 0) await delay(wait, undefined, { signal: deps.signal });
    switch (event.kind) {
      case 'kill-worker':
        done.kills.push(await killRandomWorker(deps));
        break;
      case 'kill-worker-in-retry-jobs': {
        const kill = await killWorkerInRetryJobs(deps);
        if (kill) done.kills.push(kill);
        else done.aimedKillsMissed += 1;
        break;
      }
      case 'drop-retry-jobs-answer':
        deps.api.dropNextRetryJobsAnswer();
        done.retryJobsDropsArmed += 1;
        deps.log(`t=${seconds(deps.elapsedMs())}: the next RetryJobs will be applied and its answer dropped`);
        break;
      case 'restart-server':
        done.restarts.push(await restartServer(deps));
        break;
      case 'kill-service':
        done.serviceKills.push(await killService(deps, event.service));
        break;
      case 'restart-postgres':
        done.postgresRestarts.push(await restartPostgres(deps));
        break;
    }
  }
  return done;
}

/** SIGKILLs one of the workers that are polling (a worker still starting up has nothing to lose). */
async function killRandomWorker(deps: ChaosEventDeps): Promise<KillRecord> {
  await deps.fleet.waitAnyReady(WORKER_READY_TIMEOUT_MS);
  const ready = deps.fleet.readySlots();
  const slot = ready[Math.floor(deps.random.next() * ready.length)] ?? 0;
  const retryJobsInFlight = await deps.retryJobsRunningOn(deps.fleet.pidOf(slot)).catch(() => false);
  return killSlot(deps, slot, { aimed: false, retryJobsInFlight });
}

/**
 * The dangerous moment on purpose: the API holds the answer of the next RetryJobs call (already applied), and the
 * worker running that call is SIGKILLed before the answer comes. Undefined when no call came or its worker did not
 * show in time.
 */
async function killWorkerInRetryJobs(deps: ChaosEventDeps): Promise<KillRecord | undefined> {
  await deps.fleet.waitAllReady(WORKER_READY_TIMEOUT_MS);
  if (!(await deps.api.holdNextRetryJobsAnswer(RETRY_JOBS_HOLD_MS, RETRY_JOBS_WAIT_MS))) {
    deps.log(`t=${seconds(deps.elapsedMs())}: no RetryJobs call came to aim a kill at`);
    return undefined;
  }
  // It resolves within a few ms of the call's arrival, when the hold began.
  const answerDueAt = Date.now() + RETRY_JOBS_HOLD_MS - HOLD_MARGIN_MS;
  while (Date.now() < answerDueAt) {
    const running: number[] = [];
    for (const slot of deps.fleet.readySlots()) {
      if (await deps.retryJobsRunningOn(deps.fleet.pidOf(slot)).catch(() => false)) running.push(slot);
    }
    // With calls running on two workers, either may be the held one: the other's call is answered (not held)
    // within a moment, after which only the held call's worker is left.
    const [slot] = running;
    if (running.length === 1 && slot !== undefined) {
      return killSlot(deps, slot, { aimed: true, retryJobsInFlight: true });
    }
    await delay(50, undefined, { signal: deps.signal });
  }
  deps.log(`t=${seconds(deps.elapsedMs())}: the held RetryJobs call's worker did not show in time`);
  return undefined;
}

async function killSlot(
  deps: ChaosEventDeps,
  slot: number,
  how: Pick<KillRecord, 'aimed' | 'retryJobsInFlight'>,
): Promise<KillRecord> {
  const atMs = deps.elapsedMs();
  const atEpochMs = Date.now();
  const openWorkflows = deps.openWorkflows();
  const killed = await deps.fleet.kill(slot);
  deps.log(
    `t=${seconds(atMs)}: SIGKILL worker ${slot} (pid ${killed.pid}, up ${seconds(killed.uptimeMs)}, ` +
      `${openWorkflows} workflows open${how.retryJobsInFlight ? ', RetryJobs in flight' : ''}` +
      `${how.aimed ? ', aimed at its held RetryJobs answer' : ''}); restarted`,
  );
  return { atMs, atEpochMs, slot, ...killed, openWorkflows, ...how };
}

/**
 * Restarts the server once every worker polls: a worker that is connecting for the first time while the server is
 * down exits (it cannot connect), which would blur what the restart itself does to running workers.
 */
async function restartServer(deps: ChaosEventDeps): Promise<RestartRecord> {
  await deps.fleet.waitAllReady(WORKER_READY_TIMEOUT_MS);
  const atMs = deps.elapsedMs();
  const openWorkflows = deps.openWorkflows();
  const downtimeMs = await deps.server.restartServer();
  deps.log(
    `t=${seconds(atMs)}: dev server restarted on ${deps.server.address} (down ${seconds(downtimeMs)})`,
  );
  return { atMs, downtimeMs, openWorkflows };
}

/** SIGKILLs one Temporal service process once every worker polls (for the same reason as a server restart). */
async function killService(deps: ChaosEventDeps, service: KilledService): Promise<ServiceKillRecord> {
  await deps.fleet.waitAllReady(WORKER_READY_TIMEOUT_MS);
  const atMs = deps.elapsedMs();
  const openWorkflows = deps.openWorkflows();
  const recoveredMs = await deps.server.killService(service);
  deps.log(
    `t=${seconds(atMs)}: SIGKILL Temporal ${service} (${openWorkflows} workflows open); restarted, frontend answers ` +
      `after ${seconds(recoveredMs)}`,
  );
  return { atMs, service, recoveredMs, openWorkflows };
}

/** Restarts PostgreSQL under every Temporal service, once every worker polls. */
async function restartPostgres(deps: ChaosEventDeps): Promise<RestartRecord> {
  await deps.fleet.waitAllReady(WORKER_READY_TIMEOUT_MS);
  const atMs = deps.elapsedMs();
  const openWorkflows = deps.openWorkflows();
  const downtimeMs = await deps.server.restartPostgres();
  deps.log(
    `t=${seconds(atMs)}: PostgreSQL restarted (down ${seconds(downtimeMs)}, ${openWorkflows} workflows open)`,
  );
  return { atMs, downtimeMs, openWorkflows };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
