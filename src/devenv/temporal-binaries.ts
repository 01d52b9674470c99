import { devenvCacheRoot } from './cache-dir';
import { stderrProgress } from './progress';
import type { ResolvedServerBinary, ResolveServerOptions } from './resolved-binary';
import { resolveTemporalCli } from './temporal-cli-binary';
import { resolveTestServer } from './test-server-binary';

export { devenvCacheRoot, directorySizeBytes, formatBytes } from './cache-dir';
export type { ProgressLog } from './progress';
export { silentProgress, stderrProgress } from './progress';
export {
  formatAttempts,
  TemporalBinaryUnavailableError,
  type BinarySource,
  type ResolvedServerBinary,
  type ResolveServerOptions,
  type ServerExecutable,
} from './resolved-binary';
export { resolveTemporalCli, TEMPORAL_CLI_PATH_ENV, temporalCliCachePath } from './temporal-cli-binary';
export { resolveTestServer, TEMPORAL_TEST_SERVER_PATH_ENV, testServerCachePath } from './test-server-binary';
export { TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION } from './temporal-versions';

/** Both local Temporal servers, as {@link provisionTemporalBinaries} found them. */
export interface TemporalBinaries {
  /** `temporal server start-dev`: the full server, for tests of real server behaviour and the main job. */
  devServer: ResolvedServerBinary;
  /** The Java time-skipping test server, for tests that sleep for hours or days. */
  testServer: ResolvedServerBinary;
  /** The cache root both were looked up in. */
  cacheRoot: string;
}

/**
 * Finds, or builds once per machine, both local Temporal servers. One after the other, not in parallel:
 * a cold Go build already uses every core.
 */
export async function provisionTemporalBinaries(
  options: ResolveServerOptions = {},
): Promise<TemporalBinaries> {
  const env = options.env ?? process.env;
  const resolved = {
    ...options,
    env,
    log: options.log ?? stderrProgress,
    cacheRoot: options.cacheRoot ?? devenvCacheRoot(env),
  };
  const testServer = await resolveTestServer(resolved);
  const devServer = await resolveTemporalCli(resolved);
  return { devServer, testServer, cacheRoot: resolved.cacheRoot };
}
