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
  signal: AbortSignal;
  log: (line: string) => void;
}

/** What the events did. */
export interface ChaosEventLog {
  kills: KillRecord[];
  restarts: RestartRecord[];
  serviceKills: ServiceKillRecord[];
  postgresRestarts: RestartRecord[];
}

/** A worker that is still starting after this long is broken, not slow: the run fails rather than waits. */
const WORKER_READY_TIMEOUT_MS = 120_000;

/** Runs `events` (sorted by time) and returns what each one did. */
export async function runChaosEvents(
  events: readonly ChaosEvent[],
  deps: ChaosEventDeps,
): Promise<ChaosEventLog> {
  const done: ChaosEventLog = { kills: [], restarts: [], serviceKills: [], postgresRestarts: [] };
  for (const event of events) {
    const wait = event.atMs - deps.elapsedMs();
    if (wait > 0) await delay(wait, undefined, { signal: deps.signal });
    switch (event.kind) {
      case 'kill-worker':
        done.kills.push(await killRandomWorker(deps));
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
  const atMs = deps.elapsedMs();
  const openWorkflows = deps.openWorkflows();
  const killed = await deps.fleet.kill(slot);
  deps.log(
    `t=${seconds(atMs)}: SIGKILL worker ${slot} (pid ${killed.pid}, up ${seconds(killed.uptimeMs)}, ` +
      `${openWorkflows} workflows open${retryJobsInFlight ? ', RetryJobs in flight' : ''}); restarted`,
  );
  return { atMs, slot, ...killed, openWorkflows, retryJobsInFlight };
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
