/**
 * The job watcher's state, without any Temporal API: who watches which jobs, and what each owner was last told
 * of each job. Pure and deterministic, so it is unit-tested on its own and replays identically.
 */
import type { JobSnapshot, KnownJobState } from '../shared/batch-types';
import { MIN_POLL_INTERVAL_MS } from '../shared/recovery-policy';
import { WATCH_REGISTRATION_TTL_MS, type WatchRequest, type WatchedOwner } from '../shared/watcher-types';

export class WatchRegistry {
  private readonly owners = new Map<string, WatchedOwner>();

  static fromCarried(owners: readonly WatchedOwner[]): WatchRegistry {
    const registry = new WatchRegistry();
    for (const owner of owners) registry.owners.set(owner.ownerWorkflowId, owner);
    return registry;
  }

  /** Replaces the owner's registration with `request` (what the owner knows now); no jobs ends it. */
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

  /** Jobs some owner has never seen a state of: they get a first look before the next full poll. */
  unseenJobIds(): string[] {
    return unique(
      [...this.owners.values()].flatMap((o) =>
        o.jobs.filter((j) => j.state === undefined).map((j) => j.jobId),
      ),
    );
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
    const changes = new Map<string, JobSnapshot[]>();
    for (const owner of this.owners.values()) {
      const changed = owner.jobs.flatMap((known) => {
        const snapshot = byId.get(known.jobId);
        if (!snapshot || !differs(known, snapshot)) return [];
        known.state = snapshot.state;
        known.endTime = snapshot.endTime;
        return [snapshot];
      });
      if (changed.length > 0) changes.set(owner.ownerWorkflowId, changed);
    }
    return changes;
  }

  /** Owners watching any of `jobIds`, each with its jobs among them. */
  ownersOf(jobIds: readonly string[]): Map<string, string[]> {
    const wanted = new Set(jobIds);
    const owners = new Map<string, string[]>();
    for (const owner of this.owners.values()) {
      const mine = owner.jobs.map((j) => j.jobId).filter((id) => wanted.has(id));
      if (mine.length > 0) owners.set(owner.ownerWorkflowId, mine);
    }
    return owners;
  }

  toCarried(): WatchedOwner[] {
    return [...this.owners.values()];
  }
}

function differs(known: KnownJobState, snapshot: JobSnapshot): boolean {
  return known.state !== snapshot.state || known.endTime !== snapshot.endTime;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
