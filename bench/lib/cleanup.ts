/**
 * One place that undoes what a benchmark started (worker processes, emulators, the dev server), in reverse
 * order, whether the benchmark ends normally, throws, or is interrupted with Ctrl-C / SIGTERM. Child processes
 * also run under the package's parent watchdog, which stops them if this process dies without cleaning up.
 */

type Cleanup = () => Promise<void> | void;

const cleanups: { name: string; run: Cleanup }[] = [];
let installed = false;

/** Registers `run` to be called once when the benchmark (or the enclosing cleanup scope) ends. */
export function onCleanup(name: string, run: Cleanup): void {
  installSignalHandlers();
  cleanups.push({ name, run });
}

/** Runs every registered cleanup, newest first; a failing cleanup is reported and the others still run. */
export function runCleanups(): Promise<void> {
  return unwindTo(0);
}

/**
 * Runs `body`, then the cleanups registered while it ran (newest first), so one part of a benchmark (a
 * scenario's emulator and workers) is gone before the next starts. Cleanups registered earlier stay.
 */
export async function withCleanupScope<T>(body: () => Promise<T>): Promise<T> {
  const depth = cleanups.length;
  try {
    return await body();
  } finally {
    await unwindTo(depth);
  }
}

async function unwindTo(depth: number): Promise<void> {
  while (cleanups.length > depth) {
    const entry = cleanups.pop();
    if (!entry) break;
    try {
      await entry.run();
    } catch (error) {
      console.error(`cleanup "${entry.name}" failed:`, error);
    }
  }
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // A second signal means "now"; the watchdogs still stop every child process within a second.
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: stopping the benchmark's processes...`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}
