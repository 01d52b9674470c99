/**
 * The ledger: one entry per API request that reached the emulator, in arrival order, kept in memory and
 * optionally appended to a JSONL file so that other processes (benchmarks) can read it. It never holds the
 * Authorization header or any secret: only the action, the JSON body as received and what happened.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

/** What an applied request changed. */
export interface AppliedEffects {
  /** RetryJobs: each job retried, with the EndTime of the failure the retry applied to. */
  retried?: { jobId: string; failureEndTime: string }[];
  /** SubmitJob: the job created (absent when a repeated ClientToken returned an existing job). */
  submittedJobId?: string;
  terminatedJobId?: string;
  deletedJobId?: string;
}

/** One request. */
export interface LedgerEntry {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  /**
   * Real epoch milliseconds when the request arrived (for a `latency` fault: when its hold ended), as the rate
   * limiter saw it.
   */
  at: number;
  /** X-TC-Action as received ('' when absent). */
  action: string;
  /** The JSON body as received (the raw text when it is not JSON). */
  params: unknown;
  /** 'ok', the API error code answered, or 'fault:<kind>' when a fault was injected. */
  outcome: string;
  /** RequestId of the answer (also for faults, though the client may never see it). */
  requestId: string;
  /** The SecretId that signed the request, once verified. */
  secretId?: string;
  /**
   * True when the rate limiter admitted the request, i.e. it counts against its action's limit. False for
   * requests rejected by the limiter and for those that never reached it (auth failures, gateway faults).
   */
  admitted: boolean;
  /** For faults: whether the action's change was applied. */
  applied?: boolean;
  /** For faults that let the request through (latency, apply-then-drop): the API's own outcome. */
  apiOutcome?: string;
  /** Injected latency, in ms. */
  latencyMs?: number;
  /** What the request changed, when it changed anything. */
  appliedEffects?: AppliedEffects;
}

/** Selects ledger entries; every given field must match. */
export interface LedgerFilter {
  action?: string;
  outcome?: string;
  /** Only entries with `at >= since`. */
  since?: number;
  /** Only entries with `at < until`. */
  until?: number;
  /** Only entries whose params or effects mention this job ID. */
  jobId?: string;
}

/** One applied retry of a job. */
export interface AppliedRetry {
  seq: number;
  at: number;
  requestId: string;
  /** The job's EndTime of the failure this retry applied to. */
  failureEndTime: string;
  /** 'ok', or the fault under which the retry was applied (the client did not see the answer). */
  outcome: string;
}

/** Which requests {@link Ledger.maxPerWindow} counts. */
export type WindowCount = 'all' | 'admitted';

/** The request ledger of one emulator (or read back from its JSONL file). */
export class Ledger {
  private readonly log: LedgerEntry[] = [];

  /**
   * @param path JSONL file to append every entry to; truncated when the ledger is created.
   */
  constructor(private readonly path?: string) {
    if (path !== undefined) writeFileSync(path, '');
  }

  /** Reads a JSONL ledger written by another process (partial last lines are skipped). */
  static fromFile(path: string): Ledger {
    const ledger = new Ledger();
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        ledger.log.push(JSON.parse(line) as LedgerEntry);
      } catch {
        // A writer may be appending this very line.
      }
    }
    return ledger;
  }

  /** Appends an entry, numbering it. */
  record(entry: Omit<LedgerEntry, 'seq'>): LedgerEntry {
    const full: LedgerEntry = { seq: this.log.length + 1, ...entry };
    this.log.push(full);
    if (this.path !== undefined) appendFileSync(this.path, JSON.stringify(full) + '\n');
    return full;
  }

  /** Number of entries. */
  get size(): number {
    return this.log.length;
  }

  /** Entries matching `filter`, oldest first (copies). */
  entries(filter: LedgerFilter = {}): LedgerEntry[] {
    return this.log.filter((entry) => matches(entry, filter)).map((entry) => structuredClone(entry));
  }

  /**
   * The most requests of `action` in any window of `windowMs` (sliding, [t, t + windowMs)). `count: 'all'`
   * counts every request that reached the server, rejected ones included (how hard a client pushed);
   * `'admitted'` counts only those the rate limiter admitted (what the server let through).
   */
  maxPerWindow(action: string, windowMs = 1000, count: WindowCount = 'all'): number {
    const times = this.log
      .filter((entry) => entry.action === action && (count === 'all' || entry.admitted))
      .map((entry) => entry.at)
      .sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[start] ?? 0) <= (times[end] ?? 0) - windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  /**
   * How far the busiest stretch of the requests matching `filter` (one action) stayed from breaking a limit of
   * `limit` per `windowMs`: the least time between a request and the one `limit` requests after it, minus the
   * window. Negative when some window held more than the limit; undefined with `limit` requests or fewer. Every
   * request that reached the server counts.
   */
  minWindowSlackMs(
    filter: LedgerFilter & { action: string },
    limit: number,
    windowMs = 1000,
  ): number | undefined {
    const times = this.log
      .filter((entry) => matches(entry, filter))
      .map((entry) => entry.at)
      .sort((a, b) => a - b);
    let least: number | undefined;
    for (let i = 0; i + limit < times.length; i++) {
      const gap = (times[i + limit] as number) - (times[i] as number);
      least = least === undefined ? gap : Math.min(least, gap);
    }
    return least === undefined ? undefined : least - windowMs;
  }

  /** {@link maxPerWindow} counting only admitted requests. */
  maxAdmittedPerWindow(action: string, windowMs = 1000): number {
    return this.maxPerWindow(action, windowMs, 'admitted');
  }

  /** Every applied RetryJobs of a job, oldest first, with the failure each applied to. */
  retriesOf(jobId: string): AppliedRetry[] {
    return this.log.flatMap((entry) =>
      (entry.appliedEffects?.retried ?? [])
        .filter((retry) => retry.jobId === jobId)
        .map((retry) => ({
          seq: entry.seq,
          at: entry.at,
          requestId: entry.requestId,
          failureEndTime: retry.failureEndTime,
          outcome: entry.outcome,
        })),
    );
  }
}

function matches(entry: LedgerEntry, filter: LedgerFilter): boolean {
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  if (filter.outcome !== undefined && entry.outcome !== filter.outcome) return false;
  if (filter.since !== undefined && entry.at < filter.since) return false;
  if (filter.until !== undefined && entry.at >= filter.until) return false;
  if (filter.jobId !== undefined) {
    const text = JSON.stringify([entry.params, entry.appliedEffects ?? null]);
    if (!text.includes(JSON.stringify(filter.jobId))) return false;
  }
  return true;
}
