import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Suffix of the sibling directory a build writes into before it is renamed into place. */
const PARTIAL_SUFFIX = '.partial-';

/**
 * Creates `finalDir` by letting `populate` fill a sibling temporary directory and renaming it into place.
 * A rename within one directory is atomic, so `finalDir` either does not exist or is complete: a build
 * interrupted by Ctrl-C, SIGKILL or a full disk never leaves a broken cache behind. If another process
 * renamed its own build into place first, that one is kept.
 */
export async function createDirectoryAtomically(
  finalDir: string,
  populate: (workDir: string) => Promise<void>,
): Promise<void> {
  await mkdir(path.dirname(finalDir), { recursive: true });
  const workDir = `${finalDir}${PARTIAL_SUFFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(workDir);
  try {
    await populate(workDir);
    await rename(workDir, finalDir);
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return;
    throw error;
  }
}

/**
 * Deletes what interrupted builds of `finalDir` left behind. Call it only while holding the build lock:
 * then no live process is writing into any of them.
 */
export async function removeInterruptedBuilds(finalDir: string): Promise<void> {
  const parent = path.dirname(finalDir);
  const prefix = `${path.basename(finalDir)}${PARTIAL_SUFFIX}`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    await rm(path.join(parent, name), { recursive: true, force: true });
  }
}
