/** Waiting for a condition with a deadline, instead of sleeping for a guessed time. */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Checks `condition` every `intervalMs` until it holds (true) or `timeoutMs` has passed (false). A benchmark
 * records a condition that never came instead of failing, so that a bounded run still reports what it saw.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
