import { lstat, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Name of this package's folder inside the user's cache directory. */
export const CACHE_DIR_NAME = 'tencent-batch-recovery';

/**
 * Where built Temporal binaries are cached: `${XDG_CACHE_HOME:-~/.cache}/tencent-batch-recovery`. Outside the
 * repository on purpose, so every clone and CI workspace on a machine shares one build. A relative
 * `XDG_CACHE_HOME` is ignored, as the XDG spec requires.
 */
export function devenvCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  return path.join(base, CACHE_DIR_NAME);
}

/** Total size in bytes of the regular files under `dir` (0 when it does not exist). Symlinks are not followed. */
export async function directorySizeBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySizeBytes(full);
    else if (entry.isFile()) total += (await lstat(full)).size;
  }
  return total;
}

/** `1536` → `1.5 KiB`, for progress lines. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
