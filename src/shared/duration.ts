import { msToNumber } from '@temporalio/common';

/**
 * Parses a Temporal duration ('30s', '10m', '6h', '1 day') or a number of milliseconds. Returns undefined for
 * anything that is not a positive finite duration, so callers can report every bad field at once.
 */
export function parseDurationMs(value: string | number): number | undefined {
  try {
    const ms = typeof value === 'number' ? value : msToNumber(value as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}
