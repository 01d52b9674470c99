/**
 * `npm run provision`: finds or builds both local Temporal servers (dev server CLI, Java time-skipping test
 * server) into the user cache, then reports where each came from and the size of the cache. Tests do the
 * same on their own; run this to pay the one-time build cost up front (CI images, a new laptop).
 */
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
  const size = await directorySizeBytes(devenvCacheRoot());
  console.log(`cache ${binaries.cacheRoot}: ${formatBytes(size)}`);
  console.log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
