/**
 * The job watcher's state, without any Temporal API: who watches which jobs, and what each owner was last told
 * of each job. Pure and deterministic, so it is unit-tested on its own and replays identically.
 */
import type { JobSnapshot, KnownJobState } from '../shared/batch-types';
import { MIN_POLL_INTERVAL_MS } from '../shared/recovery-policy';
import {
  WATCH_REGISTRATION_TTL_MS,
  type CarriedOwner,
  type WatchRequest,
  type WatchedOwner,
} from '../shared/watcher-types';

export class WatchRegistry {
  private readonly owners = new Map<string, WatchedOwner>();
  /** What the watcher itself last read of each job. Not carried: a new run reads every job once. */
  private readonly seen = new Map<string, KnownJobState>();
  /** An owner asked for a look now (a job of it changed): the next first look does not wait to gather others. */
  private lookRequested = false;

  static fromCarried(owners: readonly CarriedOwner[]): WatchRegistry {
    const registry = new WatchRegistry();
    for (const { ownerWorkflowId, jobIds, pollIntervalMs, registeredAtMs } of owners) {
      const jobs = jobIds === '' ? [] : jobIds.split(',').map((jobId) => ({ jobId }));
      registry.owners.set(ownerWorkflowId, { ownerWorkflowId, jobs, pollIntervalMs, registeredAtMs });
    }
    return registry;
  }

  /**
   * Replaces the owner's registration with `request` (what the owner knows now); no jobs ends it. With `lookNow`
   * the watcher forgets what it read of these jobs, so they get a read of their own soon.
   */
  register(request: WatchRequest, nowMs: number): void {
    if (request.jobs.length === 0) {
      this.owners.delete(request.ownerWorkflowId);
      return;
    }
    this.owners.set(request.ownerWorkflowId, {
      ownerWorkflowId: request.ownerWorkflowId,
      jobs: request.jobs.map((j) => ({ ...j })),
      pollIntervalMs: Math.max(MIN_POLL_INTERVAL_MS, request.pollIntervalMs),
      registeredAtMs: nowMs,
    });
    if (request.lookNow) {
      for (const { jobId } of request.jobs) this.seen.delete(jobId);
      this.lookRequested = true;
    }
  }

  /** Whether an owner asked for a look since the last call (and forgets that it did). */
  takeLookRequest(): boolean {
    const requested = this.lookRequested;
    this.lookRequested = false;
    return requested;
  }

  drop(ownerWorkflowId: string): void {
    this.owners.delete(ownerWorkflowId);
  }

  /** Drops registrations not renewed within the TTL; returns the owners dropped. */
  expire(nowMs: number): string[] {
    const expired = [...this.owners.values()]
      .filter((o) => nowMs - o.registeredAtMs > WATCH_REGISTRATION_TTL_MS)
      .map((o) => o.ownerWorkflowId);
    expired.forEach((id) => this.owners.delete(id));
    return expired;
  }

  isEmpty(): boolean {
    return this.owners.size === 0;
  }

  /** Every watched job once, however many owners watch it. */
  jobIds(): string[] {
    return unique([...this.owners.values()].flatMap((o) => o.jobs.map((j) => j.jobId)));
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
  }

  /** The shortest poll interval any owner asked for. */
  pollIntervalMs(): number {
    return Math.min(...[...this.owners.values()].map((o) => o.pollIntervalMs));
  }

  /**
   * Compares fresh snapshots with what each owner knows; returns, per owner, the snapshots that differ, and
   * records them as told.
   */
  changesFor(snapshots: readonly JobSnapshot[]): Map<string, JobSnapshot[]> {
    const byId = new Map(snapshots.map((s) => [s.jobId, s]));
    for (const s of snapshots) this.seen.set(s.jobId, { jobId: s.jobId, state: s.state, endTime: s.endTime });
    const changes = new Map<string, JobSnapshot[]>();
    for (const owner of this.owners.values()) {
      const changed = owner.jobs.flatMap((known) => {
        const snapshot = byId.get(known.jobId);
        if (!snapshot || sameState(known, snapshot)) return [];
        known.state = snapshot.state;
        known.endTime = snapshot.endTime;
        return [snapshot];
      });
      if (changed.length > 0) changes.set(owner.ownerWorkflowId, changed);
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

  toCarried(): CarriedOwner[] {
    return [...this.owners.values()].map(({ ownerWorkflowId, jobs, pollIntervalMs, registeredAtMs }) => ({
      ownerWorkflowId,
      jobIds: jobs.map((j) => j.jobId).join(','),
      pollIntervalMs,
      registeredAtMs,
    }));
  }
}

function sameState(a: KnownJobState, b: { state?: string; endTime?: string } | undefined): boolean {
  return b !== undefined && b.state !== undefined && a.state === b.state && a.endTime === b.endTime;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
