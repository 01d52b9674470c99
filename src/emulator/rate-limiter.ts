/**
 * Per-action request limits, enforced with a SLIDING-WINDOW LOG rather than a token bucket: a request is
 * admitted when fewer than `limit` requests of its action were admitted in the last 1000 ms, i.e. in
 * (now − 1000 ms, now]. A token bucket of the same rate admits up to twice the limit in some 1-second
 * windows (a full bucket, then the refill); the window log guarantees that no 1-second window, wherever it
 * starts, holds more admitted requests than the limit, which is exactly what `Ledger.maxPerWindow` measures.
 * It is deterministic: the decision depends only on the timestamps of earlier admitted requests.
 *
 * Limits are requests per second per action, for the whole emulator (one emulated account). A limit of 0
 * or Infinity means unlimited. A fractional limit r ≥ 1 admits ⌊r⌋ per second; r < 1 admits one request per
 * 1/r seconds.
 */
import type { BatchAction } from './batch-api-constants';

/** Admits or rejects requests of each action. */
export class SlidingWindowRateLimiter {
  private readonly limits = new Map<BatchAction, number>();
  private readonly admitted = new Map<BatchAction, number[]>();

  constructor(limits: Readonly<Partial<Record<BatchAction, number>>>) {
    for (const [action, rps] of Object.entries(limits) as [BatchAction, number][]) this.setLimit(action, rps);
  }

  /** Sets an action's limit in requests per second (0 or Infinity: unlimited). Takes effect at once. */
  setLimit(action: BatchAction, rps: number): void {
    if (Number.isNaN(rps) || rps < 0)
      throw new RangeError(`rate limit of ${action} must be >= 0, got ${rps}`);
    this.limits.set(action, rps);
  }

  /** The limit of an action (Infinity when unlimited). */
  limitOf(action: BatchAction): number {
    const rps = this.limits.get(action) ?? 0;
    return rps === 0 ? Infinity : rps;
  }

  /**
   * Admits a request of `action` arriving at `atMs` (real epoch ms, non-decreasing across calls) and records
   * it, or returns false without recording it.
   */
  tryAcquire(action: BatchAction, atMs: number): boolean {
    const rps = this.limitOf(action);
    if (!Number.isFinite(rps)) return true;
    const perWindow = rps >= 1 ? Math.floor(rps) : 1;
    const windowMs = rps >= 1 ? 1000 : 1000 / rps;
    const log = this.admitted.get(action) ?? [];
    while (log.length > 0 && (log[0] ?? 0) <= atMs - windowMs) log.shift();
    if (log.length >= perWindow) {
      this.admitted.set(action, log);
      return false;
    }
    log.push(atMs);
    this.admitted.set(action, log);
    return true;
  }
}
