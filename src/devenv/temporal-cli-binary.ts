import path from 'node:path';
import { devenvCacheRoot } from './cache-dir';
import { findOnPath, isExecutableFile } from './executable-file';
import { stderrProgress, type ProgressLog } from './progress';
import { buildCacheEntryOnce } from './cache-build';
import {
  existingBinary,
  sdkDownloadOrThrow,
  TemporalBinaryUnavailableError,
  type ResolvedServerBinary,
  type ResolveServerOptions,
} from './resolved-binary';
import { probeCommand, runLongProcess } from './run-process';
import { MIN_TEMPORAL_CLI_ON_PATH, TEMPORAL_CLI_VERSION } from './temporal-versions';

/** Environment variable naming a Temporal CLI to use as is (wins over every other source). */
export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';

/** The Go package built for the dev server; its version is {@link TEMPORAL_CLI_VERSION}. */
const CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

/** Cache directory of the CLI build: `<cacheRoot>/temporal-cli-<version>`. */
export function temporalCliCacheDir(cacheRoot: string): string {
  return path.join(cacheRoot, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

/** The cached CLI binary: `<cacheRoot>/temporal-cli-<version>/temporal`. */
export function temporalCliCachePath(cacheRoot: string): string {
  return path.join(temporalCliCacheDir(cacheRoot), 'temporal');
}

/**
 * Parses `temporal --version` output (`temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)`) into
 * `[major, minor, patch]`, or `undefined` for anything else.
 */
export function parseTemporalCliVersion(output: string): [number, number, number] | undefined {
  const match = /temporal version (\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** True when `version` is at least `minimum` (both `[major, minor, patch]`). */
export function isAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i += 1) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * Finds the Temporal CLI that runs `temporal server start-dev`, in this order:
 * 1. `TEMPORAL_CLI_PATH` (an unusable value is an error, not a fall-through: the caller asked for it);
 * 2. `temporal` on PATH, if `temporal --version` reports 1.5.0 or newer;
 * 3. the cached build in `<cacheRoot>/temporal-cli-1.5.1/temporal`;
 * 4. a build from source with Go into that cache (once per machine; a lock keeps concurrent runs from
 *    building twice, and an interrupted build leaves nothing behind);
 * 5. the SDK's own download (`cached-download`), which needs internet access.
 * Throws {@link TemporalBinaryUnavailableError} listing every step when none applies.
 */
export async function resolveTemporalCli(options: ResolveServerOptions = {}): Promise<ResolvedServerBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrProgress;
  const cacheRoot = options.cacheRoot ?? devenvCacheRoot(env);
  const attempts: string[] = [];

  const fromEnv = env[TEMPORAL_CLI_PATH_ENV];
  if (fromEnv) {
    if (!(await isExecutableFile(fromEnv))) {
      throw new TemporalBinaryUnavailableError('Temporal CLI', [
        `${TEMPORAL_CLI_PATH_ENV}=${fromEnv}: not an executable file (fix it, or unset it to let provisioning find or build one)`,
      ]);
    }
    return existingBinary(fromEnv, 'env', [`${TEMPORAL_CLI_PATH_ENV}=${fromEnv}: used`]);
  }
  attempts.push(`${TEMPORAL_CLI_PATH_ENV}: not set`);

  const onPath = await findOnPath('temporal', env);
  if (onPath) {
    const output = await probeCommand(onPath, ['--version']);
    const version = output === undefined ? undefined : parseTemporalCliVersion(output);
    if (version && isAtLeast(version, MIN_TEMPORAL_CLI_ON_PATH)) {
      return existingBinary(onPath, 'path', [
        ...attempts,
        `${onPath} (PATH): version ${version.join('.')}, used`,
      ]);
    }
    attempts.push(
      `${onPath} (PATH): ${version ? `version ${version.join('.')}` : `unrecognised version output ${JSON.stringify(output)}`}, need ${MIN_TEMPORAL_CLI_ON_PATH.join('.')} or newer`,
    );
  } else {
    attempts.push('temporal on PATH: not found');
  }

  const cached = temporalCliCachePath(cacheRoot);
  if (await isExecutableFile(cached))
    return existingBinary(cached, 'cache', [...attempts, `cache ${cached}: used`]);
  attempts.push(`cache ${cached}: not built yet`);

  if (options.allowBuild ?? true) {
    try {
      const source = await buildTemporalCli(cacheRoot, env, log);
      return existingBinary(cached, source, [
        ...attempts,
        `go install ${CLI_GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}: ${source}`,
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      attempts.push(`go install ${CLI_GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}: failed: ${message}`);
      log(`building the Temporal CLI failed: ${message}`);
    }
  } else {
    attempts.push('build with Go: disabled by the caller');
  }

  return sdkDownloadOrThrow('Temporal CLI (dev server)', options, env, attempts, log);
}

/**
 * Builds the CLI into the cache under the build lock. Returns `'cache'` when another process finished the
 * same build while this one waited for the lock.
 */
async function buildTemporalCli(
  cacheRoot: string,
  env: NodeJS.ProcessEnv,
  log: ProgressLog,
): Promise<'built' | 'cache'> {
  const finalDir = temporalCliCacheDir(cacheRoot);
  let goVersion = '';
  return buildCacheEntryOnce({
    finalDir,
    executable: temporalCliCachePath(cacheRoot),
    purpose: `building Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    log,
    checkTools: async () => {
      const found = await probeCommand('go', ['env', 'GOVERSION']);
      if (found === undefined)
        throw new Error('`go` is not on PATH (Go 1.25 or newer builds the Temporal CLI)');
      goVersion = found;
    },
    announce: () =>
      `building Temporal CLI ${TEMPORAL_CLI_VERSION} from source with ${goVersion} into ${finalDir} ` +
      '(first run on this machine only; downloads Go modules and compiles for a few minutes)',
    build: async (workDir) => {
      await runLongProcess(
        'go',
        [
          'install',
          '-v',
          '-ldflags',
          `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `${CLI_GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`,
        ],
        // CGO off: a static binary that needs no C toolchain (its SQLite is pure Go).
        {
          cwd: workDir,
          env: { ...env, CGO_ENABLED: '0', GOBIN: workDir },
          log,
          label: 'go install temporal',
        },
      );
      const version = await probeCommand(path.join(workDir, 'temporal'), ['--version']);
      if (!version?.includes(`temporal version ${TEMPORAL_CLI_VERSION}`)) {
        throw new Error(
          `the built binary reports ${JSON.stringify(version)}, expected ${TEMPORAL_CLI_VERSION}`,
        );
      }
    },
  });
}
