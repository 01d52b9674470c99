import { execFile } from 'node:child_process';
import { chown, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { PostgresInstallation } from './postgres-installation';
import type { ProgressLog } from './progress';
import { runLongProcess } from './run-process';
import { spawnWatched } from './watched-process';

/** The database superuser the cluster creates and Temporal connects as (local connections are trusted). */
export const POSTGRES_SUPERUSER = 'temporal';

/** Options of {@link startPostgres}. */
export interface PostgresServerOptions {
  installation: PostgresInstallation;
  /** Its data directory: created with `initdb` when it holds no cluster yet, reused as is otherwise. */
  dataDir: string;
  port: number;
  /** Server log (appended). */
  logFile: string;
  /**
   * Flush to disk at every commit. Off for tests (throw-away data, and fsync is the slowest part of a busy
   * Temporal server on a shared disk); on for a stack that keeps its data. @default true
   */
  durable?: boolean;
  /** @default false */
  unref?: boolean;
  log: ProgressLog;
}

/** A running PostgreSQL server. */
export interface RunningPostgres {
  readonly port: number;
  /** Settles when the server has stopped. */
  readonly exited: Promise<void>;
  /** Fast shutdown (active connections are cut, nothing committed is lost); waits for the exit. */
  stop(): Promise<void>;
}

/** A new server takes a few seconds to start; a crashed one recovering its WAL somewhat longer. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Starts PostgreSQL on 127.0.0.1:`port` (its socket in the data directory, so it needs no system directory),
 * creating the cluster first when `dataDir` is new. Runs as the `postgres` account when this process is root, and
 * under the parent watchdog like the Temporal services.
 */
export async function startPostgres(options: PostgresServerOptions): Promise<RunningPostgres> {
  const { installation, dataDir } = options;
  if (!(await holdsCluster(dataDir))) await initCluster(options);
  const [command, ...args] = asServerUser(installation, [
    path.join(installation.binDir, 'postgres'),
    '-D',
    dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dataDir}`,
    // Four Temporal services with a pool each, the schema tool and the UI.
    '-c',
    'max_connections=200',
    ...((options.durable ?? true) ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
  ]);
  const watched = spawnWatched(command ?? '', args, {
    output: { file: options.logFile },
    unref: options.unref ?? false,
    stopSignal: 'SIGINT',
  });
  try {
    await waitUntilReady(installation, options.port, () => watched.exitStatus() !== undefined);
  } catch (error) {
    await watched.stop();
    throw new Error(`PostgreSQL did not start (log: ${options.logFile})`, { cause: error });
  }
  return {
    port: options.port,
    exited: watched.exited.then(() => undefined),
    stop: () => watched.stop(),
  };
}

async function holdsCluster(dataDir: string): Promise<boolean> {
  try {
    return (await stat(path.join(dataDir, 'PG_VERSION'))).isFile();
  } catch {
    return false;
  }
}

async function initCluster(options: PostgresServerOptions): Promise<void> {
  const { installation, dataDir } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (installation.runAs) await chown(dataDir, installation.runAs.uid, installation.runAs.gid);
  options.log(`creating a PostgreSQL ${installation.majorVersion} cluster in ${dataDir}`);
  const [command, ...args] = asServerUser(installation, [
    path.join(installation.binDir, 'initdb'),
    '-D',
    dataDir,
    '-U',
    POSTGRES_SUPERUSER,
    // Local development only: the server listens on 127.0.0.1 and its socket sits in the data directory.
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
  ]);
  await runLongProcess(command ?? '', args, { cwd: dataDir, log: options.log, label: 'initdb' });
}

/** `argv` run as the installation's account: `setpriv` switches user and groups, then execs (no extra process). */
function asServerUser(installation: PostgresInstallation, argv: string[]): string[] {
  const user = installation.runAs;
  if (!user) return argv;
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...argv];
}

async function waitUntilReady(
  installation: PostgresInstallation,
  port: number,
  exited: () => boolean,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const isReady = path.join(installation.binDir, 'pg_isready');
  for (;;) {
    if (exited()) throw new Error('the server exited during startup');
    if (await accepts(isReady, port)) return;
    if (Date.now() > deadline) throw new Error(`not accepting connections within ${READY_TIMEOUT_MS} ms`);
    await delay(200);
  }
}

function accepts(isReady: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      isReady,
      ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_SUPERUSER, '-d', 'postgres'],
      (error) => resolve(error === null),
    );
  });
}
