/**
 * Time in the emulator. Two clocks, on purpose:
 * - the real clock (epoch milliseconds, never going backwards) stamps requests, checks signature timestamps, drives
 *   the rate limiter and the ledger, because clients sign and throttle in real time;
 * - the emulated clock drives job progress and every time the API reports (CreateTime, EndTime...). It starts
 *   at the real time when the emulator starts and runs `timeScale` times faster; tests may also jump it
 *   forward with {@link EmulatedClock.advance}.
 */

/**
 * A real clock on `wallNowMs` that never goes backwards: it follows the wall clock forward, jumps included, and
 * stands still after a step back until the wall clock passes it again. It follows forward jumps because clients
 * sign and time their requests with their wall clock. A clock on the monotonic timer (`performance.now()`) fell
 * seconds behind `Date.now()` on a CI machine whose wall clock moved forward during the run: the emulator then
 * accepted signatures over 5 minutes old and stamped requests earlier than the clients had sent them.
 */
export function monotonicWallClock(wallNowMs: () => number): () => number {
  let latest = Number.NEGATIVE_INFINITY;
  return () => {
    latest = Math.max(latest, Math.floor(wallNowMs()));
    return latest;
  };
}

/**
 * The process's real clock. `Date.now` is taken when this module loads, so a test that fakes `Date` afterwards (a
 * client whose clock runs fast) does not move the emulator's clock with it.
 */
export const realNowMs: () => number = monotonicWallClock(Date.now);

/** The clock jobs progress by. */
export class EmulatedClock {
  private readonly realStart: number;
  private readonly emulatedStart: number;
  private offsetMs = 0;

  /**
   * @param timeScale emulated seconds per real second (60: a 10-minute job takes 10 real seconds).
   * @param realNow source of real time; injectable for tests.
   */
  constructor(
    readonly timeScale: number,
    private readonly realNow: () => number = realNowMs,
  ) {
    if (!Number.isFinite(timeScale) || timeScale <= 0) {
      throw new RangeError(`timeScale must be a positive finite number, got ${timeScale}`);
    }
    this.realStart = realNow();
    this.emulatedStart = this.realStart;
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return this.emulatedStart + (this.realNow() - this.realStart) * this.timeScale + this.offsetMs;
  }

  /** Moves emulated time forward (never backward) by `seconds`. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`advance takes a non-negative number of seconds, got ${seconds}`);
    }
    this.offsetMs += seconds * 1000;
  }
}

/** ISO-8601 UTC with second precision, as the API reports times: `2026-11-25T15:40:00Z`. */
export function formatApiTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
