/** Times as operators read them: UTC to the second, with how far away they are. */

/** `2026-11-25T15:40:00.123Z` → `2026-11-25 15:40:00Z`. */
export function formatInstant(iso: string | undefined): string {
  if (iso === undefined) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** A span as `45s`, `3m20s`, `2h05m` or `3d04h`. */
export function formatSpan(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** `in 3m20s` or `5s ago`, relative to `nowMs`. */
export function formatRelative(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const delta = ms - nowMs;
  return delta >= 0 ? `in ${formatSpan(delta)}` : `${formatSpan(delta)} ago`;
}

/** An instant with its distance: `2026-11-25 15:40:00Z (in 3m20s)`. */
export function formatInstantRelative(iso: string | undefined, nowMs: number): string {
  return iso === undefined ? '-' : `${formatInstant(iso)} (${formatRelative(iso, nowMs)})`;
}
