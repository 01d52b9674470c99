/**
 * The job watcher's state, without any Temporal API: who watches which jobs, and what each owner was last told
 * of each job. Pure and deterministic, so it is unit-tested on its own and replays identically.
 */
import type { JobSnapshot, KnownJobState, ObservedFailure } from '../shared/batch-types';
import { DESCRIBE_JOBS_SPACING_MS } from '../shared/api-budget-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import { MIN_POLL_INTERVAL_MS } from '../shared/recovery-policy';
import {
  WATCH_REGISTRATION_TTL_MS,
  type CarriedOwner,
  type RetryOrders,
  type WatchRequest,
  type WatchedOwner,
} from '../shared/watcher-types';
import { backoffDelayMs, backoffEndMs, retryJitter } from './failure-rules';

/** What a read changed for one owner: the snapshots that differ, and the retries due on its standing orders. */
export interface OwnerNews {
  snapshots: JobSnapshot[];
  dueRetries: DueRetry[];
}

/** A failure to hand to the dispatcher on its owner's standing order, not before the end of its backoff. */
export interface DueRetry {
  failure: ObservedFailure;
  notBeforeMs: number;
  retryTaskQueue: string;
}

export class WatchRegistry {
  private readonly owners = new Map<string, WatchedOwner>();
  /**
   * What the watcher itself last read of each job. Carried through continue-as-new as far as it fits (see
   * {@link toCarriedReads}): a new run reads again only the jobs it does not know.
   */
  private readonly seen = new Map<string, KnownJobState>();
  /** When the watcher last read each job, as far as a read told it (a poll that saw no change does not). */
  private readonly readAtMs = new Map<string, number>();
  /** {@link jobIds}, kept until a registration comes or goes (every poll asks for it on every turn). */
  private watchedIds: string[] | undefined;
  /** Jobs an owner asked to have read now (one of them changed): read before any other, without gathering. */
  private askedFor = new Set<string>();

  /**
   * The registry a new run starts from: the registrations, and the reads carried with them. Every owner knows what
   * the carried reads say (the last run told it before continuing; a job an owner was not told is not carried).
   */
  static fromCarried(owners: readonly CarriedOwner[], reads = ''): WatchRegistry {
    const registry = new WatchRegistry();
    registry.takeCarriedReads(reads);
    for (const { ownerWorkflowId, jobIds, pollIntervalMs, registeredAtMs, orders } of owners) {
      const jobs =
        jobIds === '' ? [] : jobIds.split(',').map((jobId) => ({ ...registry.seen.get(jobId), jobId }));
      registry.owners.set(ownerWorkflowId, {
        ownerWorkflowId,
        jobs,
        pollIntervalMs,
        registeredAtMs,
        ...(orders ? { orders: { ...orders, jobs: parseOrderCounts(orders.jobs) } } : {}),
      });
    }
    return registry;
  }

  /**
   * Replaces the owner's registration with `request` (what the owner knows now); no jobs ends it. With `lookNow`
   * the watcher forgets what it read of these jobs, so they get a read of their own soon.
   */
  register(request: WatchRequest, nowMs: number): void {
    this.watchedIds = undefined;
    if (request.jobs.length === 0) {
      this.owners.delete(request.ownerWorkflowId);
      return;
    }
    this.owners.set(request.ownerWorkflowId, {
      ownerWorkflowId: request.ownerWorkflowId,
      jobs: request.jobs.map((j) => ({ ...j })),
      pollIntervalMs: Math.max(MIN_POLL_INTERVAL_MS, request.pollIntervalMs),
      registeredAtMs: nowMs,
      ...(request.orders ? { orders: { ...request.orders, jobs: { ...request.orders.jobs } } } : {}),
    });
    if (request.lookNow) {
      for (const { jobId } of request.jobs) {
        this.seen.delete(jobId);
        this.askedFor.add(jobId);
      }
    }
  }

  /** Whether an owner asked for a read since the last {@link takeAskedFor}. */
  hasAskedFor(): boolean {
    return this.askedFor.size > 0;
  }

  /** The jobs owners asked to have read now since the last call (the registry forgets the asking). */
  takeAskedFor(): string[] {
    const asked = [...this.askedFor];
    this.askedFor = new Set();
    return asked;
  }

  /** When the last read of any of `jobIds` that told the watcher something was made (0: unknown). */
  lastReadMs(jobIds: readonly string[]): number {
    return Math.min(...jobIds.map((id) => this.readAtMs.get(id) ?? 0));
  }

  drop(ownerWorkflowId: string): void {
    this.owners.delete(ownerWorkflowId);
    this.watchedIds = undefined;
  }

  /** Drops registrations not renewed within the TTL; returns the owners dropped. */
  expire(nowMs: number): string[] {
    const expired = [...this.owners.values()]
      .filter((o) => nowMs - o.registeredAtMs > WATCH_REGISTRATION_TTL_MS)
      .map((o) => o.ownerWorkflowId);
    expired.forEach((id) => this.owners.delete(id));
    if (expired.length > 0) this.watchedIds = undefined;
    return expired;
  }

  isEmpty(): boolean {
    return this.owners.size === 0;
  }

  /** Every watched job once, however many owners watch it. */
  jobIds(): readonly string[] {
    this.watchedIds ??= unique([...this.owners.values()].flatMap((o) => o.jobs.map((j) => j.jobId)));
    return this.watchedIds;
  }

  /**
   * Jobs some owner sees differently from the watcher's last read (or that the watcher never read): they get a
   * read of their own soon, after which every owner of a job knows what the watcher knows.
   */
  unseenJobIds(): string[] {
    return unique(
      [...this.owners.values()].flatMap((o) =>
        o.jobs.filter((j) => !sameState(j, this.seen.get(j.jobId))).map((j) => j.jobId),
      ),
    );
  }

  /** What the watcher last read of each of `jobIds`: a poll compares against it. */
  seenStates(jobIds: readonly string[]): KnownJobState[] {
    return jobIds.map((jobId) => ({ ...this.seen.get(jobId), jobId }));
  }

  /** Forgets reads of jobs nobody watches any more. */
  forgetUnwatched(): void {
    const watched = new Set(this.jobIds());
    for (const jobId of [...this.seen.keys()]) if (!watched.has(jobId)) this.seen.delete(jobId);
    for (const jobId of [...this.readAtMs.keys()]) if (!watched.has(jobId)) this.readAtMs.delete(jobId);
  }

  /**
   * How often each part of 100 jobs is polled: the shortest interval any owner asked for, or longer when the parts
   * of the `shards` watchers sharing the budget (each about as large as this one) would need more DescribeJobs
   * calls than the API allows (at 2/s, 100,000 jobs need 1,000 calls, 575 s at the budget's pace).
   */
  pollIntervalMs(shards = 1): number {
    const asked = Math.min(...[...this.owners.values()].map((o) => o.pollIntervalMs));
    const parts = Math.ceil(this.jobIds().length / MAX_JOB_IDS_PER_REQUEST);
    return Math.max(asked, parts * shards * DESCRIBE_JOBS_SPACING_MS);
  }

  /**
   * Compares fresh snapshots with what each owner knows; returns, per owner, the snapshots that differ and the
   * retries its standing orders make due, and records them as told and the orders as carried out.
   */
  changesFor(snapshots: readonly JobSnapshot[], nowMs: number): Map<string, OwnerNews> {
    const byId = new Map(snapshots.map((s) => [s.jobId, s]));
    for (const s of snapshots) {
      this.seen.set(s.jobId, { jobId: s.jobId, state: s.state, endTime: s.endTime });
      this.readAtMs.set(s.jobId, Date.parse(s.observedAt));
    }
    const changes = new Map<string, OwnerNews>();
    for (const owner of this.owners.values()) {
      const news: OwnerNews = { snapshots: [], dueRetries: [] };
      for (const known of owner.jobs) {
        const snapshot = byId.get(known.jobId);
        if (!snapshot || sameState(known, snapshot)) continue;
        // Only a failure the owner has not seen: after what it was told (not a first read, not one untold).
        const due =
          known.state !== undefined && owner.orders ? dueOnOrder(owner.orders, snapshot, nowMs) : undefined;
        if (due) news.dueRetries.push(due);
        known.state = snapshot.state;
        known.endTime = snapshot.endTime;
        news.snapshots.push(snapshot);
      }
      if (news.snapshots.length > 0) changes.set(owner.ownerWorkflowId, news);
    }
    return changes;
  }

  /** The owner was not told these jobs' news after all: they count as unseen again, so they are read and told. */
  untell(ownerWorkflowId: string, jobIds: readonly string[]): void {
    const ids = new Set(jobIds);
    for (const known of this.owners.get(ownerWorkflowId)?.jobs ?? []) {
      if (!ids.has(known.jobId)) continue;
      known.state = undefined;
      known.endTime = undefined;
    }
  }

  /**
   * The reads to carry into the next run, as `jobId|state|endTime|readAt` (readAt in base-36 epoch ms) joined by
   * commas, at most `maxChars` long: the jobs every owner knows as the watcher read them, until the budget is
   * spent. The jobs left out are read again by the next run.
   */
  toCarriedReads(maxChars: number): string {
    const untold = new Set<string>();
    for (const owner of this.owners.values()) {
      for (const known of owner.jobs)
        if (!sameState(known, this.seen.get(known.jobId))) untold.add(known.jobId);
    }
    const entries: string[] = [];
    let chars = 0;
    for (const [jobId, read] of this.seen) {
      const endTime = read.endTime ?? '';
      if (untold.has(jobId) || read.state === undefined || /[|,]/.test(endTime)) continue;
      const entry = `${jobId}|${read.state}|${endTime}|${(this.readAtMs.get(jobId) ?? 0).toString(36)}`;
      if (chars + entry.length + 1 > maxChars) break;
      entries.push(entry);
      chars += entry.length + 1;
    }
    return entries.join(',');
  }

  private takeCarriedReads(reads: string): void {
    for (const entry of reads === '' ? [] : reads.split(',')) {
      const [jobId, state, endTime, readAt] = entry.split('|');
      if (!jobId || !state) continue;
      this.seen.set(jobId, {
        jobId,
        state: state as KnownJobState['state'],
        ...(endTime ? { endTime } : {}),
      });
      this.readAtMs.set(jobId, parseInt(readAt ?? '0', 36) || 0);
    }
  }

  toCarried(): CarriedOwner[] {
    return [...this.owners.values()].map(
      ({ ownerWorkflowId, jobs, pollIntervalMs, registeredAtMs, orders }) => ({
        ownerWorkflowId,
        jobIds: jobs.map((j) => j.jobId).join(','),
        pollIntervalMs,
        registeredAtMs,
        ...(orders ? { orders: { ...orders, jobs: formatOrderCounts(orders.jobs) } } : {}),
      }),
    );
  }
}

/**
 * The retry an order makes due for `snapshot`, if it is a failure with an EndTime (without one, a failure cannot
 * be told from the next, and its owner decides) and the order still stands; carries the order out.
 */
function dueOnOrder(orders: RetryOrders, snapshot: JobSnapshot, nowMs: number): DueRetry | undefined {
  const counts = orders.jobs[snapshot.jobId];
  if (snapshot.state !== 'FAILED' || snapshot.endTime === undefined || !counts || nowMs >= orders.untilMs) {
    return undefined;
  }
  const [retries, left] = counts;
  if (left <= 0) return undefined;
  if (left === 1) delete orders.jobs[snapshot.jobId];
  else orders.jobs[snapshot.jobId] = [retries + 1, left - 1];
  const delayMs = backoffDelayMs(orders.backoff, retries, retryJitter(snapshot.jobId, retries));
  return {
    failure: { jobId: snapshot.jobId, endTime: snapshot.endTime, firstHandOverReadAt: snapshot.observedAt },
    notBeforeMs: backoffEndMs(snapshot.endTime, nowMs, delayMs),
    retryTaskQueue: orders.retryTaskQueue,
  };
}

function formatOrderCounts(jobs: RetryOrders['jobs']): string {
  return Object.entries(jobs)
    .map(([jobId, [retries, left]]) => `${jobId}:${retries}:${left}`)
    .join(',');
}

function parseOrderCounts(text: string): RetryOrders['jobs'] {
  const jobs: RetryOrders['jobs'] = {};
  for (const entry of text === '' ? [] : text.split(',')) {
    const [jobId, retries, left] = entry.split(':');
    if (jobId) jobs[jobId] = [Number(retries), Number(left)];
  }
  return jobs;
}

function sameState(a: KnownJobState, b: { state?: string; endTime?: string } | undefined): boolean {
  return b !== undefined && b.state !== undefined && a.state === b.state && a.endTime === b.endTime;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
