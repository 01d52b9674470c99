import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, isExecutableFile } from './executable-file';
import { probeCommand } from './run-process';
import { MIN_POSTGRES_MAJOR_VERSION } from './temporal-versions';

/** Environment variable naming the directory of `initdb` and `postgres` to use (wins over the lookup). */
export const POSTGRES_BIN_DIR_ENV = 'TEMPORAL_POSTGRES_BIN_DIR';

/** Where Debian's `postgresql-<major>` packages put the server binaries. */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/** The account PostgreSQL runs as when this process is root: `initdb` and `postgres` refuse to run as root. */
export const POSTGRES_OS_USER = 'postgres';

/** A PostgreSQL server installation. */
export interface PostgresInstallation {
  /** Directory holding `initdb`, `postgres` and `pg_isready`. */
  binDir: string;
  majorVersion: number;
  /** The account to run it as, when this process is root; `undefined`: as this process's user. */
  runAs: OsUser | undefined;
}

/** An operating-system account. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** PostgreSQL is missing or unusable; the message says what was tried and how to install it. */
export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
}

/**
 * Finds a PostgreSQL server, 12 or newer: `TEMPORAL_POSTGRES_BIN_DIR`, else the newest of Debian's
 * `/usr/lib/postgresql/<major>/bin`, else `initdb` on PATH. It is never installed from here: `.ci/run` installs
 * Debian's `postgresql` package when it is missing (`apt-get install postgresql`).
 */
export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresInstallation> {
  const tried: string[] = [];
  const candidates = [
    ...(env[POSTGRES_BIN_DIR_ENV] ? [env[POSTGRES_BIN_DIR_ENV]] : []),
    ...(await debianBinDirs()),
    ...(await initdbOnPath(env)),
  ];
  for (const binDir of candidates) {
    const majorVersion = await serverMajorVersion(binDir);
    if (majorVersion === undefined) {
      tried.push(`${binDir}: no working initdb and postgres`);
      continue;
    }
    if (majorVersion < MIN_POSTGRES_MAJOR_VERSION) {
      tried.push(`${binDir}: PostgreSQL ${majorVersion}, need ${MIN_POSTGRES_MAJOR_VERSION} or newer`);
      continue;
    }
    return { binDir, majorVersion, runAs: await runAsUser() };
  }
  throw new PostgresUnavailableError(
    `No PostgreSQL ${MIN_POSTGRES_MAJOR_VERSION}+ server found (${tried.length > 0 ? tried.join('; ') : `nothing in ${POSTGRES_BIN_DIR_ENV}, ${DEBIAN_POSTGRES_ROOT} or on PATH`}). ` +
      'Install it, e.g. `apt-get install -y postgresql` on Debian (`.ci/run` does so), or set ' +
      `${POSTGRES_BIN_DIR_ENV} to the directory of its initdb.`,
  );
}

async function debianBinDirs(): Promise<string[]> {
  let majors: number[];
  try {
    majors = (await readdir(DEBIAN_POSTGRES_ROOT)).map(Number).filter((n) => Number.isInteger(n));
  } catch {
    return [];
  }
  return majors.sort((a, b) => b - a).map((major) => path.join(DEBIAN_POSTGRES_ROOT, String(major), 'bin'));
}

/** `initdb` on PATH is often a symlink (Debian's wrappers, /usr/local/bin): the real directory has the rest. */
async function initdbOnPath(env: NodeJS.ProcessEnv): Promise<string[]> {
  const initdb = await findOnPath('initdb', env);
  return initdb === undefined ? [] : [path.dirname(await realpath(initdb))];
}

/** The major version `postgres --version` reports (`postgres (PostgreSQL) 15.14 (Debian ...)`), if usable. */
async function serverMajorVersion(binDir: string): Promise<number | undefined> {
  for (const tool of ['initdb', 'postgres', 'pg_isready']) {
    if (!(await isExecutableFile(path.join(binDir, tool)))) return undefined;
  }
  const output = await probeCommand(path.join(binDir, 'postgres'), ['--version']);
  const match = output === undefined ? null : /\(PostgreSQL\) (\d+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

async function runAsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === POSTGRES_OS_USER);
  if (!entry) {
    throw new PostgresUnavailableError(
      `running as root, but there is no "${POSTGRES_OS_USER}" account to run PostgreSQL as (initdb refuses root); ` +
        "Debian's postgresql package creates it",
    );
  }
  return { name: POSTGRES_OS_USER, uid: Number(entry[2]), gid: Number(entry[3]) };
}
