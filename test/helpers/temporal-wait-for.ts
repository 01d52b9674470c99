import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Deadline for the condition. @default 10_000 */
  timeoutMs?: number;
  /** Pause between checks. @default 100 */
  intervalMs?: number;
  /** What is awaited, for the timeout error ("the workflow to complete two steps"). */
  description?: string;
}

/**
 * Polls `condition` until it returns a truthy value, and returns that value; throws after the deadline with
 * the last error the condition threw. Tests use this instead of fixed sleeps: it waits exactly as long as
 * the state takes to appear, and fails with a reason when it never does.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const why =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`waitFor(${what}) timed out after ${timeoutMs} ms${why}`, { cause: lastError });
    }
    await delay(options.intervalMs ?? 100);
  }
}
