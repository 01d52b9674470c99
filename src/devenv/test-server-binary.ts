import { chmod, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { devenvCacheRoot } from './cache-dir';
import { isExecutableFile } from './executable-file';
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
import { TEMPORAL_TEST_SERVER_VERSION } from './temporal-versions';

/** Environment variable naming a time-skipping test server executable to use as is. */
export const TEMPORAL_TEST_SERVER_PATH_ENV = 'TEMPORAL_TEST_SERVER_PATH';

const TEST_SERVER_ARTIFACT = `io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION}`;

/** Cache directory of the test server: `<cacheRoot>/temporal-test-server-<version>` (jars in `lib/`). */
export function testServerCacheDir(cacheRoot: string): string {
  return path.join(cacheRoot, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
}

/** The cached wrapper script the SDK spawns: `<cacheRoot>/temporal-test-server-<version>/temporal-test-server`. */
export function testServerCachePath(cacheRoot: string): string {
  return path.join(testServerCacheDir(cacheRoot), 'temporal-test-server');
}

/**
 * Finds the Java time-skipping test server, in this order:
 * 1. `TEMPORAL_TEST_SERVER_PATH` (an unusable value is an error: the caller asked for it);
 * 2. the cached wrapper in `<cacheRoot>/temporal-test-server-1.31.0/`;
 * 3. its jars resolved from Maven Central with `mvn` into that cache (once per machine, under a lock,
 *    atomically), plus the wrapper script;
 * 4. the SDK's own download (`cached-download`), which needs internet access.
 * Throws {@link TemporalBinaryUnavailableError} listing every step when none applies.
 */
export async function resolveTestServer(options: ResolveServerOptions = {}): Promise<ResolvedServerBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrProgress;
  const cacheRoot = options.cacheRoot ?? devenvCacheRoot(env);
  const attempts: string[] = [];

  const fromEnv = env[TEMPORAL_TEST_SERVER_PATH_ENV];
  if (fromEnv) {
    if (!(await isExecutableFile(fromEnv))) {
      throw new TemporalBinaryUnavailableError('Temporal test server', [
        `${TEMPORAL_TEST_SERVER_PATH_ENV}=${fromEnv}: not an executable file (fix it, or unset it to let provisioning build one)`,
      ]);
    }
    return existingBinary(fromEnv, 'env', [`${TEMPORAL_TEST_SERVER_PATH_ENV}=${fromEnv}: used`]);
  }
  attempts.push(`${TEMPORAL_TEST_SERVER_PATH_ENV}: not set`);

  const cached = testServerCachePath(cacheRoot);
  if (await isExecutableFile(cached)) {
    await refreshWrapper(cached);
    return existingBinary(cached, 'cache', [...attempts, `cache ${cached}: used`]);
  }
  attempts.push(`cache ${cached}: not built yet`);

  if (options.allowBuild ?? true) {
    try {
      const source = await buildTestServer(cacheRoot, env, log);
      return existingBinary(cached, source, [
        ...attempts,
        `mvn dependency:copy-dependencies ${TEST_SERVER_ARTIFACT}: ${source}`,
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      attempts.push(`mvn dependency:copy-dependencies ${TEST_SERVER_ARTIFACT}: failed: ${message}`);
      log(`provisioning the test server with Maven failed: ${message}`);
    }
  } else {
    attempts.push('build with Maven: disabled by the caller');
  }

  return sdkDownloadOrThrow('Temporal time-skipping test server', options, env, attempts, log);
}

/** A pom whose only purpose is to let `dependency:copy-dependencies` resolve the server and its jars. */
function testServerPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.tencent-batch-recovery</groupId>
  <artifactId>temporal-test-server-provisioning</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The executable the SDK spawns. `exec` matters: the SDK stops the server by killing the process it
 * spawned, so the JVM must be that process (a shell parent would die and leave the JVM holding the port).
 * The SDK never gets to kill it when the test process itself dies (SIGKILL, crash), so a background loop
 * stops the JVM, which keeps the shell's pid after `exec`, once that parent is gone. The jar path is
 * derived from the script's own location so the cache directory can be moved.
 */
export function testServerWrapperScript(): string {
  return `#!/bin/sh
# Temporal time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION} (${TEST_SERVER_ARTIFACT}),
# provisioned by tencent-batch-recovery. Usage: temporal-test-server <port> [--enable-time-skipping]
dir=$(cd "$(dirname "$0")" && pwd)
if [ -n "\${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
# Stop the JVM (this pid after exec) if the parent dies without stopping it.
parent=$PPID
self=$$
(
  while kill -0 "$parent" 2>/dev/null && kill -0 "$self" 2>/dev/null; do sleep 1; done
  kill "$self" 2>/dev/null
) </dev/null >/dev/null 2>&1 &
exec "$java" -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
`;
}

/**
 * Rewrites the cached wrapper when this code generates a different one (a fix here reaches existing caches
 * without rebuilding the jars). Write-then-rename, so a concurrent reader sees the old or the new script.
 */
async function refreshWrapper(wrapper: string): Promise<void> {
  const wanted = testServerWrapperScript();
  if ((await readFile(wrapper, 'utf8').catch(() => '')) === wanted) return;
  const next = `${wrapper}.${process.pid}.tmp`;
  await writeFile(next, wanted, { mode: 0o755 });
  await rename(next, wrapper);
}

/**
 * Resolves the jars into the cache under the build lock and writes the wrapper. Returns `'cache'` when
 * another process finished the same build while this one waited for the lock.
 */
async function buildTestServer(
  cacheRoot: string,
  env: NodeJS.ProcessEnv,
  log: ProgressLog,
): Promise<'built' | 'cache'> {
  const finalDir = testServerCacheDir(cacheRoot);
  return buildCacheEntryOnce({
    finalDir,
    executable: testServerCachePath(cacheRoot),
    purpose: `provisioning the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION}`,
    log,
    checkTools: async () => {
      if ((await probeCommand('java', ['-version'])) === undefined) {
        throw new Error('`java` is not on PATH (the test server needs Java 11 or newer; Java 17 is tested)');
      }
      if ((await probeCommand('mvn', ['--version'])) === undefined) {
        throw new Error('`mvn` is not on PATH (Maven resolves the test server jars from Maven Central)');
      }
    },
    announce: () =>
      `resolving ${TEST_SERVER_ARTIFACT} and its jars with Maven into ${finalDir} (first run on this machine only)`,
    build: async (workDir) => {
      await writeFile(path.join(workDir, 'pom.xml'), testServerPom());
      await runLongProcess(
        'mvn',
        ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(workDir, 'lib')}`],
        { cwd: workDir, env, log, label: 'mvn dependency:copy-dependencies' },
      );
      const jars = await readdir(path.join(workDir, 'lib'));
      if (!jars.includes(`temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}.jar`)) {
        throw new Error(
          `Maven finished but lib/ has no temporal-test-server jar (found: ${jars.join(', ')})`,
        );
      }
      const wrapper = path.join(workDir, 'temporal-test-server');
      await writeFile(wrapper, testServerWrapperScript());
      await chmod(wrapper, 0o755);
    },
  });
}
