import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProgressLog } from './progress';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Receives "waiting for …" lines. */
  log: ProgressLog;
  /** What the lock protects, for progress lines and errors. */
  purpose: string;
  /** Longest wait for another process before giving up. A cold Go build takes minutes. @default 1_800_000 */
  timeoutMs?: number;
  /** Interval between checks of the lock. @default 1_000 */
  pollMs?: number;
}

/**
 * Runs `critical` while holding an exclusive lock file, so that two processes (two jest runs, or a test run
 * and `npm run provision`) never build the same binary at once. The file holds the owner's pid: a lock
 * whose owner is gone (killed mid-build) is stale and is taken over.
 */
export async function withFileLock<T>(
  lockPath: string,
  critical: () => Promise<T>,
  options: FileLockOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 1_800_000);
  let reportedOwner: number | undefined;
  await mkdir(path.dirname(lockPath), { recursive: true });
  for (;;) {
    if (await tryAcquire(lockPath)) break;
    const owner = await readOwner(lockPath);
    if (owner === undefined || !isAlive(owner)) {
      await removeIfOwnedBy(lockPath, owner);
      continue;
    }
    if (reportedOwner !== owner) {
      options.log(`waiting for process ${owner}, which is already ${options.purpose} (lock ${lockPath})`);
      reportedOwner = owner;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for process ${owner} ${options.purpose}; remove ${lockPath} if it is stuck`,
      );
    }
    await delay(options.pollMs ?? 1_000);
  }
  try {
    return await critical();
  } finally {
    await removeIfOwnedBy(lockPath, process.pid);
  }
}

async function tryAcquire(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readOwner(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock only if it still names `owner`: re-reading just before unlinking keeps the window in
 * which a stale-lock takeover could remove a fresh lock to a few microseconds.
 */
async function removeIfOwnedBy(lockPath: string, owner: number | undefined): Promise<void> {
  if ((await readOwner(lockPath)) !== owner) return;
  try {
    await unlink(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
