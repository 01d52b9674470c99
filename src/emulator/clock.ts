/**
 * Time in the emulator. Two clocks, on purpose:
 * - the real clock (epoch milliseconds, monotonic) stamps requests, checks signature timestamps, drives the
 *   rate limiter and the ledger, because clients sign and throttle in real time;
 * - the emulated clock drives job progress and every time the API reports (CreateTime, EndTime...). It starts
 *   at the real time when the emulator starts and runs `timeScale` times faster; tests may also jump it
 *   forward with {@link EmulatedClock.advance}.
 */
import { performance } from 'node:perf_hooks';

/**
 * Real time in whole epoch milliseconds that never goes backwards (wall-clock corrections do not move it),
 * so that ledger windows and rate-limit windows agree exactly.
 */
export function realNowMs(): number {
  return Math.floor(performance.timeOrigin + performance.now());
}

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
