/**
 * Figures read from the emulator's request ledger, the ground truth of what the package asked of the API and
 * when. The emulator's job states are a function of time, so a request handled after a job failed (and before
 * anything moved it) was answered with that job FAILED.
 */
import type { Ledger, LedgerEntry } from '../../src/emulator';
import { BUDGETED_ACTIONS } from '../../src/shared/api-budget-types';

/** Job IDs a request named (`JobIds` of DescribeJobs and RetryJobs; `JobId` of the single-job actions). */
export function jobIdsOf(entry: LedgerEntry): string[] {
  const params = entry.params as { JobIds?: unknown; JobId?: unknown } | null;
  if (Array.isArray(params?.JobIds))
    return params.JobIds.filter((id): id is string => typeof id === 'string');
  return typeof params?.JobId === 'string' ? [params.JobId] : [];
}

/** A request the API answered normally (admitted by its rate limiter, no error, no injected fault). */
export function answeredOk(entry: LedgerEntry): boolean {
  return entry.admitted && entry.outcome === 'ok';
}

/**
 * For each job, when a DescribeJobs first returned it FAILED: the first admitted, successful DescribeJobs that
 * named the job and was handled at or after `failedAt` (ledger time, epoch ms). Jobs never read since are absent.
 */
export function firstFailedReads(ledger: Ledger, failedAt: ReadonlyMap<string, number>): Map<string, number> {
  const earliest = Math.min(...failedAt.values());
  const firstRead = new Map<string, number>();
  for (const entry of ledger.entries({ action: 'DescribeJobs', since: earliest })) {
    if (!answeredOk(entry)) continue;
    for (const jobId of jobIdsOf(entry)) {
      const failed = failedAt.get(jobId);
      if (failed !== undefined && entry.at >= failed && !firstRead.has(jobId)) firstRead.set(jobId, entry.at);
    }
  }
  return firstRead;
}

/** Jobs among `jobIds` that some successful DescribeJobs named since `since` (their workflow has read them). */
export function jobsRead(ledger: Ledger, jobIds: readonly string[], since: number): Set<string> {
  const wanted = new Set(jobIds);
  const read = new Set<string>();
  for (const entry of ledger.entries({ action: 'DescribeJobs', since })) {
    if (!answeredOk(entry)) continue;
    for (const jobId of jobIdsOf(entry)) if (wanted.has(jobId)) read.add(jobId);
  }
  return read;
}

/** Every RetryJobs the API applied to each job, as the ledger's `appliedEffects.retried` records them. */
export function appliedRetries(
  ledger: Ledger,
  jobIds: readonly string[],
): Map<string, { at: number; failureEndTime: string }[]> {
  const wanted = new Set(jobIds);
  const retries = new Map<string, { at: number; failureEndTime: string }[]>();
  for (const entry of ledger.entries({ action: 'RetryJobs' })) {
    for (const retried of entry.appliedEffects?.retried ?? []) {
      if (!wanted.has(retried.jobId)) continue;
      const list = retries.get(retried.jobId) ?? [];
      list.push({ at: entry.at, failureEndTime: retried.failureEndTime });
      retries.set(retried.jobId, list);
    }
  }
  return retries;
}

/** How many requests of `action` the API refused with RequestLimitExceeded (its own throttling). */
export function throttledCount(ledger: Ledger, action: string): number {
  return ledger.entries({ action, outcome: 'RequestLimitExceeded' }).length;
}

/** One action's figures against its limit: what the issue of the API budget asks every benchmark to show. */
export interface ActionFigures {
  limit_rps: number;
  /** The most requests of the action in any one-second window (sliding), every request counted. */
  max_per_window: number;
  /**
   * The least time between a request and the one `limit_rps` after it, minus one second: how much of the API
   * budget's window margin the calls left unused (null with too few requests).
   */
  min_window_slack_ms: number | null;
  request_limit_exceeded: number;
  requests: number;
}

/** {@link ActionFigures} of every action the package calls, against the emulator's limits. */
export function actionFigures(
  ledger: Ledger,
  limits: Readonly<Record<string, number>>,
): Record<string, ActionFigures> {
  return Object.fromEntries(
    BUDGETED_ACTIONS.map((action) => [
      action,
      {
        limit_rps: limits[action] ?? 0,
        max_per_window: ledger.maxPerWindow(action, 1000, 'all'),
        min_window_slack_ms: ledger.minWindowSlackMs({ action }, limits[action] ?? 0) ?? null,
        request_limit_exceeded: throttledCount(ledger, action),
        requests: ledger.entries({ action }).length,
      },
    ]),
  );
}
