import { createDirectoryAtomically, removeInterruptedBuilds } from './atomic-directory';
import type { ProgressLog } from './progress';
import { isExecutableFile } from './executable-file';
import { withFileLock } from './provision-lock';

/** What {@link buildCacheEntryOnce} builds and how. */
export interface CacheBuild {
  /** The cache directory the build produces (renamed into place only when complete). */
  finalDir: string;
  /** The executable inside it whose presence means the entry is complete. */
  executable: string;
  /** For progress lines and lock messages, e.g. `building Temporal CLI 1.5.1`. */
  purpose: string;
  log: ProgressLog;
  /** Checks the tools the build needs; throws a message naming what is missing. Runs under the lock. */
  checkTools: () => Promise<void>;
  /** The line printed before a long build starts (after `checkTools`, so it can name what was found). */
  announce: () => string;
  /** Fills `workDir` (a temporary directory that becomes `finalDir` if this resolves). */
  build: (workDir: string) => Promise<void>;
}

/**
 * Builds a cache entry once per machine: under a lock (two processes never build together), skipping the build
 * when another process finished it meanwhile (`'cache'`), clearing interrupted attempts first, and building into
 * a temporary directory renamed into place only when complete, so an interrupted build never leaves a broken
 * cache.
 */
export async function buildCacheEntryOnce(spec: CacheBuild): Promise<'built' | 'cache'> {
  return withFileLock(
    `${spec.finalDir}.lock`,
    async () => {
      if (await isExecutableFile(spec.executable)) return 'cache';
      await removeInterruptedBuilds(spec.finalDir);
      await spec.checkTools();
      const started = Date.now();
      spec.log(spec.announce());
      await createDirectoryAtomically(spec.finalDir, spec.build);
      spec.log(`done ${spec.purpose} in ${Math.round((Date.now() - started) / 1000)} s`);
      return 'built';
    },
    { log: spec.log, purpose: spec.purpose },
  );
}
