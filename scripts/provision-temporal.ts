/**
 * `npm run provision`: finds or builds both local Temporal servers (dev server CLI, Java time-skipping test
 * server) and the PostgreSQL backend's binaries (Temporal server, SQL schema tool, web UI server; PostgreSQL found
 * on the machine) into the user cache, then reports where each came from and the size of the cache. Tests do the
 * same on their own; run this to pay the one-time build cost up front (CI images, a new laptop).
 */
import { provisionClusterBinaries } from '../src/devenv/cluster-binaries';
import {
  devenvCacheRoot,
  directorySizeBytes,
  formatAttempts,
  formatBytes,
  provisionTemporalBinaries,
  type ResolvedServerBinary,
} from '../src/devenv/temporal-binaries';

function describe(name: string, binary: ResolvedServerBinary): string {
  const where =
    binary.executable.type === 'existing-path' ? binary.executable.path : 'SDK download (needs internet)';
  return `${name}: ${where}\n  source: ${binary.source}\n${formatAttempts(binary.attempts)}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const binaries = await provisionTemporalBinaries();
  console.log(describe('Temporal dev server (temporal CLI)', binaries.devServer));
  console.log(describe('Temporal time-skipping test server', binaries.testServer));
  // After the CLI: the server build then reuses most of the CLI's Go build cache.
  const cluster = await provisionClusterBinaries();
  console.log(`Temporal server (PostgreSQL backend): ${cluster.server}\n  schema tool: ${cluster.sqlTool}`);
  console.log(`Temporal web UI server: ${cluster.uiServer}`);
  console.log(
    `PostgreSQL ${cluster.postgres.majorVersion}: ${cluster.postgres.binDir}` +
      (cluster.postgres.runAs ? ` (run as the ${cluster.postgres.runAs.name} account)` : ''),
  );
  const size = await directorySizeBytes(devenvCacheRoot());
  console.log(`cache ${binaries.cacheRoot}: ${formatBytes(size)}`);
  console.log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
