/**
 * The package's worker, `src/worker.ts`, in child processes configured only through the environment (as in
 * production), with its metrics and health endpoints on free ports. Each runs under the package's parent
 * watchdog (src/devenv/watched-process.ts), so it dies with the benchmark even when the benchmark is SIGKILLed,
 * and is stopped when the benchmark ends. (A `--import` preload cannot do this: the SDK's workflow thread
 * inherits Node's flags and cannot load a TypeScript preload.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { findFreePort } from '../../src/devenv/free-port';
import { spawnWatched, type ExitStatus } from '../../src/devenv/watched-process';
import { WORKER_VARIABLES } from '../../src/runtime/worker-config';
import { onCleanup } from './cleanup';
import { childPids } from './process-stats';

/** A running worker process. */
export interface WorkerProcess {
  readonly name: string;
  /** Pid of the worker itself (the Node process running src/worker.ts), for CPU and memory readings. */
  readonly pid: number;
  readonly metricsUrl: string;
  readonly healthUrl: string;
  /** Where the process's stdout and stderr go. */
  readonly logFile: string;
  /** SIGTERM (the worker drains), then SIGKILL of the process group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const WORKER_ENTRY = path.resolve(__dirname, '../../src/worker.ts');
/** A worker bundles the workflows with webpack at start: tens of seconds on a busy 2-core machine. */
const READY_TIMEOUT_MS = 180_000;

/**
 * Starts `src/worker.ts` with `env` (added to a copy of this process's environment without any TEMPORAL_* or
 * TENCENT* variable, so the shell cannot change what is measured) and waits until `/healthz` answers 200.
 */
export async function startWorkerProcess(
  name: string,
  env: Record<string, string>,
  logDir: string,
): Promise<WorkerProcess> {
  const [metricsPort, healthPort] = [await findFreePort(), await findFreePort()];
  const logFile = path.join(logDir, `${name}.log`);
  const watched = spawnWatched(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, WORKER_ENTRY],
    {
      env: {
        ...withoutPackageVariables(process.env),
        [WORKER_VARIABLES.metricsAddress]: `127.0.0.1:${metricsPort}`,
        [WORKER_VARIABLES.healthAddress]: `127.0.0.1:${healthPort}`,
        ...env,
      },
      output: { file: logFile },
      unref: true,
    },
  );
  onCleanup(`worker ${name}`, () => watched.stop());
  const healthUrl = `http://127.0.0.1:${healthPort}/healthz`;
  await waitUntilHealthy(name, healthUrl, logFile, () => watched.exitStatus());
  const [pid] = childPids(watched.pid);
  if (pid === undefined) throw new Error(`worker ${name} is healthy but its process was not found`);
  return {
    name,
    pid,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl,
    logFile,
    stop: (graceMs) => watched.stop(graceMs),
  };
}

/** Starts `count` identical workers at once (they bundle in parallel) and waits for all of them. */
export function startWorkerProcesses(
  count: number,
  env: Record<string, string>,
  logDir: string,
): Promise<WorkerProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => startWorkerProcess(`worker-${i + 1}`, env, logDir)),
  );
}

async function waitUntilHealthy(
  name: string,
  healthUrl: string,
  logFile: string,
  exitStatus: () => ExitStatus | undefined,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const exit = exitStatus();
    if (exit) {
      throw new Error(
        `worker ${name} exited during start (code ${exit.code}, signal ${exit.signal}):\n${await tail(logFile)}`,
      );
    }
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await delay(250);
  }
  throw new Error(`worker ${name} was not healthy after ${READY_TIMEOUT_MS} ms:\n${await tail(logFile)}`);
}

async function tail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).slice(-8_000);
}

function withoutPackageVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(TEMPORAL_|TENCENT)/.test(key)));
}
