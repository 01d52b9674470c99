/**
 * The per-job state machine of the recovery workflow. Deterministic and free of workflow APIs: the workflow
 * feeds it observations, activity results, decisions and the current time, and asks what to do next. Every
 * method that changes a job records why in the job's timeline.
 *
 *   WATCHING ──FAILED──▶ WAITING_TO_RETRY ──retry sent──▶ WATCHING ──SUCCEED──▶ DONE(SUCCEEDED)
 *       │                       │
 *       └──rule/budget/deadline/stuck/API refusal──▶ AWAITING_DECISION ──decision or timeout──▶ …
 */
import type { JobSnapshot, KnownJobState, ObservedFailure, RetryOutcome } from '../shared/batch-types';
import { rulesNeedDetails, type ResolvedPolicy } from '../shared/recovery-policy';
import type {
  CarriedState,
  EscalationReason,
  FailureRecord,
  JobOutcome,
  JobStatus,
  RecoveryOverallState,
  ResolveEscalationInput,
  RetryNowInput,
  TimelineEntry,
} from '../shared/recovery-types';
import { backoffDelayMs, backoffEndMs, failureSignature, matchRule } from './failure-rules';
import { boundedText } from '../shared/bounded-text';

/** Timeline entries kept per job; older ones are counted, not kept, so history stays small. */
export const TIMELINE_CAP = 50;

/** A job that needs escalating, with why. */
export interface EscalationRequest {
  jobId: string;
  reason: EscalationReason;
  message: string;
  code?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The later of two instants (ISO 8601); `b` when `a` is unknown. */
const laterOf = (a: string | undefined, b: string): string =>
  a !== undefined && Date.parse(a) >= Date.parse(b) ? a : b;

export class JobTracker {
  private readonly jobs = new Map<string, JobStatus>();
  /** Signature of each job's failure before its current one, for the repeated-failure check. */
  private readonly previousSignatures = new Map<string, string | undefined>();

  constructor(
    private readonly policy: ResolvedPolicy,
    readonly startedAtMs: number,
    jobIdsOrCarried: string[] | JobStatus[],
  ) {
    for (const entry of jobIdsOrCarried) {
      const job: JobStatus =
        typeof entry === 'string'
          ? {
              jobId: entry,
              phase: 'WATCHING',
              lastStateChangeAt: iso(startedAtMs),
              retries: 0,
              retriesLeft: policy.maxRetriesPerJob,
              repeatedFailures: 0,
              timeline: [],
              timelineDropped: 0,
            }
          : entry;
      this.jobs.set(job.jobId, job);
    }
  }

  /** Rebuilds a tracker from continue-as-new state. */
  static fromCarried(policy: ResolvedPolicy, carried: CarriedState): JobTracker {
    return new JobTracker(policy, Date.parse(carried.startedAt), carried.jobs);
  }

  get deadlineMs(): number {
    return this.startedAtMs + this.policy.deadlineMs;
  }

  /** Jobs still open, with the state the workflow last saw: what the poll activity compares against. */
  pollTargets(): KnownJobState[] {
    return this.open().map((j) => ({ jobId: j.jobId, state: j.lastKnownState, endTime: j.lastKnownEndTime }));
  }

  /**
   * Applies fresh snapshots. Returns the jobs that entered a new failure and now need a decision
   * (see {@link decideFailure}), and the jobs to escalate at once.
   */
  observe(
    snapshots: readonly JobSnapshot[],
    nowMs: number,
  ): { failed: string[]; escalate: EscalationRequest[] } {
    const failed: string[] = [];
    const escalate: EscalationRequest[] = [];
    for (const snap of snapshots) {
      const job = this.jobs.get(snap.jobId);
      if (!job || job.phase === 'DONE') continue;
      job.lastReadAt = laterOf(job.lastReadAt, snap.observedAt);
      if (job.lastKnownState === snap.state && job.lastKnownEndTime === snap.endTime) continue;
      const previous = job.lastKnownState;
      job.lastKnownState = snap.state;
      job.lastKnownEndTime = snap.endTime;
      job.lastStateChangeAt = iso(nowMs);
      this.note(
        job,
        nowMs,
        'STATE_CHANGED',
        `${previous ?? 'unknown'} → ${snap.state}${snap.endTime ? ` (EndTime ${snap.endTime})` : ''}`,
      );

      switch (snap.state) {
        case 'SUCCEED':
          this.finish(job, 'SUCCEEDED', nowMs, 'job reached SUCCEED');
          break;
        case 'NOT_FOUND':
          if (job.phase !== 'AWAITING_DECISION') {
            escalate.push({
              jobId: job.jobId,
              reason: 'JOB_NOT_FOUND',
              message: 'the job no longer exists (deleted?)',
              code: 'ResourceNotFound.Job',
            });
          }
          break;
        case 'FAILED':
        case 'FAILED_INTERRUPTED': {
          this.previousSignatures.set(job.jobId, job.lastFailure?.signature);
          job.lastFailure = {
            // Without an EndTime the failure is known by when it was seen; the retry activity is told so.
            endTime: snap.endTime ?? snap.observedAt,
            ...(snap.endTime === undefined ? { noEndTime: true } : {}),
            state: snap.state,
            stateReason: boundedText(snap.stateReason),
            failedTasks: snap.failedTasks,
            signature: failureSignature(boundedText(snap.stateReason), snap.failedTasks),
            observedAt: snap.observedAt,
          };
          if (job.phase === 'AWAITING_DECISION') break; // a person is already looking at this job
          if (snap.state === 'FAILED_INTERRUPTED' && this.policy.onFailedInterrupted === 'ESCALATE') {
            escalate.push({
              jobId: job.jobId,
              reason: 'FAILED_INTERRUPTED',
              message:
                'the failed instance was kept (FAILED_INTERRUPTED); RetryJobs refuses such a job until it is released',
            });
          } else if (snap.state === 'FAILED') {
            failed.push(job.jobId);
          }
          break;
        }
        default:
          // Running again without us (someone retried it by hand, or a retry we sent is under way).
          if (job.phase === 'WAITING_TO_RETRY' || job.phase === 'AWAITING_DECISION') {
            job.phase = 'WATCHING';
            job.nextRetryAt = undefined;
            job.escalation = undefined;
            this.note(job, nowMs, 'STATE_CHANGED', 'job is running again without a retry from this workflow');
          }
      }
    }
    return { failed, escalate };
  }

  /** True when this job's failure must be read in detail (StateReason, tasks, exit codes) before deciding. */
  needsDetails(jobId: string, rulesNeedDetails: boolean): boolean {
    const job = this.jobs.get(jobId);
    if (!job?.lastFailure || job.lastFailure.failedTasks !== undefined) return false;
    return (
      this.policy.failureDetails === 'always' || rulesNeedDetails || this.policy.repeatedFailureLimit > 0
    );
  }

  /** Adds details read after the failure was observed (only to the same failure). */
  addDetails(snapshots: readonly JobSnapshot[]): void {
    for (const snap of snapshots) {
      const job = this.jobs.get(snap.jobId);
      // A read of another state than the one known is not taken in: it does not say when the known one was read.
      if (job && job.lastKnownState === snap.state && job.lastKnownEndTime === snap.endTime) {
        job.lastReadAt = laterOf(job.lastReadAt, snap.observedAt);
      }
      const failure = job?.lastFailure;
      if (!failure || (snap.endTime !== undefined && snap.endTime !== failure.endTime)) continue;
      failure.stateReason = boundedText(snap.stateReason) ?? failure.stateReason;
      failure.failedTasks = snap.failedTasks;
      failure.signature = failureSignature(failure.stateReason, failure.failedTasks);
    }
  }

  /**
   * Decides what to do with a job's current failure: schedule a retry after backoff, or escalate.
   */
  decideFailure(jobId: string, nowMs: number, random: () => number): EscalationRequest | undefined {
    const job = this.jobs.get(jobId);
    const failure = job?.lastFailure;
    if (!job || !failure || job.phase === 'DONE') return undefined;

    const rule = matchRule(this.policy.retryRules, failure);
    if (rule?.action === 'ESCALATE') {
      return { jobId, reason: 'RULE', message: `a retry rule says escalate: ${JSON.stringify(rule)}` };
    }
    const previousSignature = this.previousSignatures.get(jobId);
    job.repeatedFailures =
      failure.signature !== undefined && failure.signature === previousSignature
        ? job.repeatedFailures + 1
        : 1;
    const limit = this.policy.repeatedFailureLimit;
    if (limit > 0 && job.repeatedFailures >= limit) {
      return {
        jobId,
        reason: 'REPEATED_FAILURE',
        message: `the same failure happened ${job.repeatedFailures} times in a row: ${failure.signature ?? ''}`,
      };
    }
    if (job.retriesLeft <= 0) {
      return { jobId, reason: 'RETRY_BUDGET_EXHAUSTED', message: `failed after ${job.retries} retries` };
    }
    const delay = backoffDelayMs(this.policy.backoff, job.retries, random);
    job.phase = 'WAITING_TO_RETRY';
    job.nextRetryAt = iso(backoffEndMs(failure.endTime, nowMs, delay));
    this.note(job, nowMs, 'RETRY_SCHEDULED', `retry ${job.retries + 1} at ${job.nextRetryAt}`);
    return undefined;
  }

  /**
   * Failures to hand to the RetryJobs dispatcher: waiting jobs whose backoff ends by `untilMs`, but for those in
   * `handedOver`, each with the end of its backoff.
   */
  retriesToHandOver(
    untilMs: number,
    handedOver: ReadonlySet<string>,
  ): (ObservedFailure & { notBeforeMs: number })[] {
    return this.open()
      .filter(
        (j) =>
          j.phase === 'WAITING_TO_RETRY' &&
          j.nextRetryAt !== undefined &&
          Date.parse(j.nextRetryAt) <= untilMs &&
          !handedOver.has(j.jobId) &&
          j.lastFailure,
      )
      .map((j) => {
        const { endTime, noEndTime, retryHandedOver, observedAt } = j.lastFailure as FailureRecord;
        const notBeforeMs = Date.parse(j.nextRetryAt as string);
        // Without an EndTime a failure cannot be told from the next one: its calls always read the job first.
        const first = !noEndTime && !retryHandedOver;
        return {
          jobId: j.jobId,
          endTime,
          ...(noEndTime ? { noEndTime } : {}),
          ...(first ? { firstHandOverReadAt: observedAt } : {}),
          notBeforeMs,
        };
      });
  }

  /**
   * The standing orders (see `RetryOrders`): for each job whose next failure this policy would retry whatever it
   * is, `[retries so far, retries left]` as of that failure. A job waiting for a retry already has its order for
   * the failure after that one. None when a rule or the repeated-failure check must see the failure first.
   */
  retryOrderCounts(): Record<string, [number, number]> {
    const orders: Record<string, [number, number]> = {};
    const rules = this.policy.retryRules;
    if (rulesNeedDetails(rules) || this.policy.repeatedFailureLimit > 0 || rules[0]?.action === 'ESCALATE') {
      return orders;
    }
    for (const job of this.open()) {
      if (job.deadlineEscalated) continue;
      const ahead = job.phase === 'WAITING_TO_RETRY' ? 1 : job.phase === 'WATCHING' ? 0 : undefined;
      if (ahead === undefined || job.retriesLeft - ahead <= 0) continue;
      orders[job.jobId] = [job.retries + ahead, job.retriesLeft - ahead];
    }
    return orders;
  }

  /**
   * The job watcher handed this job's retry over on its standing order, due at `notBeforeMs`: the retry this
   * tracker has just decided (see {@link decideFailure}) is already with the dispatcher.
   */
  adoptHandOver(jobId: string, notBeforeMs: number, nowMs: number): void {
    const job = this.jobs.get(jobId);
    if (!job || job.phase !== 'WAITING_TO_RETRY' || !job.lastFailure) return;
    job.nextRetryAt = iso(notBeforeMs);
    job.lastFailure.retryHandedOver = true;
    const { observedAt, endTime } = job.lastFailure;
    // The read and the EndTime, in this form, are what test/support/retry-audit.ts counts as the failure observed.
    this.note(
      job,
      nowMs,
      'RETRY_SCHEDULED',
      `handed over by the job watcher on a standing order, read at ${observedAt} (EndTime ${endTime}); due ${job.nextRetryAt}`,
    );
  }

  /** The failures of `jobIds` are being handed to the dispatcher: from now on a call may have been made for them. */
  markHandedOver(jobIds: readonly string[]): void {
    for (const jobId of jobIds) {
      const failure = this.jobs.get(jobId)?.lastFailure;
      if (failure) failure.retryHandedOver = true;
    }
  }

  /** Applies what the RetryJobs activity did. Returns the jobs to escalate (refused by the API). */
  applyRetryOutcomes(outcomes: readonly RetryOutcome[], nowMs: number): EscalationRequest[] {
    const escalate: EscalationRequest[] = [];
    for (const o of outcomes) {
      const job = this.jobs.get(o.jobId);
      if (!job || job.phase !== 'WAITING_TO_RETRY') continue;
      job.nextRetryAt = undefined;
      if (o.outcome === 'NOT_RETRIABLE') {
        this.note(job, nowMs, 'RETRY_REFUSED', `${o.code}: ${o.reason}`);
        escalate.push({
          jobId: o.jobId,
          reason: o.code.startsWith('ResourceNotFound') ? 'JOB_NOT_FOUND' : 'API_REFUSED',
          message: `RetryJobs refused the job: ${o.reason}`,
          code: o.code,
        });
        continue;
      }
      // Both count against the budget: ALREADY_RETRIED is most often our own earlier call whose answer was lost.
      job.retries += 1;
      job.retriesLeft -= 1;
      job.phase = 'WATCHING';
      job.lastStateChangeAt = iso(nowMs);
      this.note(
        job,
        nowMs,
        o.outcome === 'RETRIED' ? 'RETRY_SENT' : 'ALREADY_RETRIED',
        o.outcome === 'RETRIED'
          ? `RetryJobs accepted (RequestId ${o.requestId})`
          : `the job had already left this failure (now ${o.currentState}); no call made`,
      );
    }
    return escalate;
  }

  /**
   * RetryJobs could not be sent for these jobs (the call failed as a whole: control-plane or API trouble, not the
   * jobs): they stay waiting, and are retried at `untilMs`, with the reason in their timeline.
   */
  postponeRetries(jobIds: readonly string[], untilMs: number, why: string, nowMs: number): void {
    for (const jobId of jobIds) {
      const job = this.jobs.get(jobId);
      if (!job || job.phase !== 'WAITING_TO_RETRY') continue;
      job.nextRetryAt = iso(untilMs);
      this.note(job, nowMs, 'RETRY_POSTPONED', `${why}; retry at ${job.nextRetryAt}`);
    }
  }

  /** Puts jobs in AWAITING_DECISION. Returns the ones that were not already there. */
  escalate(requests: readonly EscalationRequest[], nowMs: number): EscalationRequest[] {
    const fresh: EscalationRequest[] = [];
    for (const r of requests) {
      const job = this.jobs.get(r.jobId);
      if (!job || job.phase === 'DONE' || job.phase === 'AWAITING_DECISION') continue;
      job.phase = 'AWAITING_DECISION';
      job.nextRetryAt = undefined;
      if (r.reason === 'DEADLINE') job.deadlineEscalated = true;
      job.escalation = {
        reason: r.reason,
        message: r.message,
        since: iso(nowMs),
        decisionDeadline: iso(nowMs + this.policy.decisionTimeoutMs),
        code: r.code,
      };
      this.note(job, nowMs, 'ESCALATED', `${r.reason}: ${r.message}`);
      fresh.push(r);
    }
    return fresh;
  }

  /** Deadline, stuck and decision timeouts due at `nowMs`: jobs to escalate, and jobs that end as ESCALATED. */
  expire(nowMs: number): EscalationRequest[] {
    const escalate: EscalationRequest[] = [];
    for (const job of this.open()) {
      if (job.phase === 'AWAITING_DECISION') {
        if (job.escalation && Date.parse(job.escalation.decisionDeadline) <= nowMs) {
          this.finish(job, 'ESCALATED', nowMs, `no decision before ${job.escalation.decisionDeadline}`);
        }
        continue;
      }
      if (!job.deadlineEscalated && nowMs >= this.deadlineMs) {
        escalate.push({
          jobId: job.jobId,
          reason: 'DEADLINE',
          message: `not finished by the deadline ${iso(this.deadlineMs)}`,
        });
      } else if (
        job.phase === 'WATCHING' &&
        Date.parse(job.lastStateChangeAt) + this.policy.stuckTimeoutMs <= nowMs
      ) {
        escalate.push({
          jobId: job.jobId,
          reason: 'STUCK',
          message: `no state change since ${job.lastStateChangeAt} (state ${job.lastKnownState ?? 'unknown'})`,
        });
      }
    }
    return escalate;
  }

  /**
   * The earliest moment something is due without any outside event, or undefined when nothing is open. A retry is
   * due `handOverAheadMs` before its backoff ends (when it is handed to the dispatcher), unless `handedOver`.
   */
  nextWakeAtMs(handedOver: ReadonlySet<string>, handOverAheadMs: number): number | undefined {
    const times: number[] = [];
    for (const job of this.open()) {
      if (job.phase === 'WAITING_TO_RETRY' && job.nextRetryAt && !handedOver.has(job.jobId))
        times.push(Date.parse(job.nextRetryAt) - handOverAheadMs);
      if (job.phase === 'AWAITING_DECISION' && job.escalation)
        times.push(Date.parse(job.escalation.decisionDeadline));
      if (job.phase !== 'AWAITING_DECISION' && !job.deadlineEscalated) times.push(this.deadlineMs);
      if (job.phase === 'WATCHING')
        times.push(Date.parse(job.lastStateChangeAt) + this.policy.stuckTimeoutMs);
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Throws an Error (the update validator rejects) when the decision does not apply. */
  validateDecision(input: ResolveEscalationInput): void {
    if (input === null || typeof input !== 'object') throw new Error('decision input must be an object');
    if (!['RETRY', 'ABANDON', 'RESOLVE'].includes(input.decision)) {
      throw new Error(`decision must be RETRY, ABANDON or RESOLVE, got ${JSON.stringify(input.decision)}`);
    }
    if (
      input.extraRetries !== undefined &&
      (!Number.isInteger(input.extraRetries) || input.extraRetries < 1 || input.extraRetries > 100)
    ) {
      throw new Error('extraRetries must be an integer from 1 to 100');
    }
    const targets = this.decisionTargets(input.jobIds);
    if (targets.length === 0) {
      throw new Error(
        input.jobIds
          ? `none of ${input.jobIds.join(', ')} is awaiting a decision`
          : 'no job is awaiting a decision',
      );
    }
  }

  /** Applies an operator's decision. Returns the jobs it changed. */
  applyDecision(input: ResolveEscalationInput, nowMs: number): string[] {
    const targets = this.decisionTargets(input.jobIds);
    const who = `${input.operator ?? 'an operator'}${input.note ? ` (${input.note})` : ''}`;
    for (const job of targets) {
      job.escalation = undefined;
      if (input.decision === 'ABANDON') {
        this.note(job, nowMs, 'DECISION', `abandoned by ${who}`);
        this.finish(job, 'ABANDONED', nowMs, 'abandoned');
      } else if (input.decision === 'RESOLVE') {
        this.note(job, nowMs, 'DECISION', `marked resolved by ${who}`);
        this.finish(job, 'RESOLVED', nowMs, 'resolved by an operator');
      } else {
        const extra = input.extraRetries ?? 1;
        job.retriesLeft += extra;
        job.lastStateChangeAt = iso(nowMs);
        this.note(job, nowMs, 'DECISION', `retry with ${extra} more attempt(s), by ${who}`);
        if (job.lastKnownState === 'FAILED' && job.lastFailure) {
          job.phase = 'WAITING_TO_RETRY';
          job.nextRetryAt = iso(nowMs);
        } else {
          job.phase = 'WATCHING';
        }
      }
    }
    return targets.map((j) => j.jobId);
  }

  /** Validates a retry-now request; throws when no job is waiting for its backoff. */
  validateRetryNow(input: RetryNowInput): void {
    if (this.retryNowTargets(input?.jobIds).length === 0) {
      throw new Error('no such job is waiting to be retried');
    }
  }

  /** Ends the backoff of waiting jobs. */
  retryNow(input: RetryNowInput, nowMs: number): string[] {
    const targets = this.retryNowTargets(input?.jobIds);
    for (const job of targets) {
      job.nextRetryAt = iso(nowMs);
      this.note(job, nowMs, 'DECISION', 'retry now requested');
    }
    return targets.map((j) => j.jobId);
  }

  /** Marks every open job CANCELLED, keeping its last known state. */
  cancelAll(nowMs: number): void {
    for (const job of this.open()) this.finish(job, 'CANCELLED', nowMs, 'workflow cancelled');
  }

  hasOpenJobs(): boolean {
    return this.open().length > 0;
  }

  get(jobId: string): JobStatus | undefined {
    return this.jobs.get(jobId);
  }

  all(): JobStatus[] {
    return [...this.jobs.values()];
  }

  overall(): RecoveryOverallState {
    const jobs = this.all();
    if (jobs.some((j) => j.phase === 'AWAITING_DECISION')) return 'AWAITING_DECISION';
    if (jobs.some((j) => j.phase === 'WAITING_TO_RETRY')) return 'RETRYING';
    if (jobs.some((j) => j.phase !== 'DONE')) return 'WATCHING';
    if (jobs.some((j) => j.outcome === 'CANCELLED')) return 'CANCELLED';
    return jobs.every((j) => j.outcome === 'SUCCEEDED') ? 'SUCCEEDED' : 'NEEDS_ATTENTION';
  }

  /** One line for people: how many jobs are where. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const j of this.all()) {
      const key = j.phase === 'DONE' ? (j.outcome ?? 'DONE') : j.phase;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
  }

  private decisionTargets(jobIds: string[] | undefined): JobStatus[] {
    const wanted = jobIds ? new Set(jobIds) : undefined;
    return this.all().filter((j) => j.phase === 'AWAITING_DECISION' && (!wanted || wanted.has(j.jobId)));
  }

  private retryNowTargets(jobIds: string[] | undefined): JobStatus[] {
    const wanted = jobIds ? new Set(jobIds) : undefined;
    return this.all().filter((j) => j.phase === 'WAITING_TO_RETRY' && (!wanted || wanted.has(j.jobId)));
  }

  private open(): JobStatus[] {
    return this.all().filter((j) => j.phase !== 'DONE');
  }

  private finish(job: JobStatus, outcome: JobOutcome, nowMs: number, detail: string): void {
    job.phase = 'DONE';
    job.outcome = outcome;
    job.nextRetryAt = undefined;
    if (outcome !== 'ESCALATED') job.escalation = undefined;
    this.note(job, nowMs, 'DONE', `${outcome}: ${detail}`);
  }

  private note(job: JobStatus, nowMs: number, event: TimelineEntry['event'], detail: string): void {
    job.timeline.push({ at: iso(nowMs), event, detail: boundedText(detail) });
    if (job.timeline.length > TIMELINE_CAP) {
      const drop = job.timeline.length - TIMELINE_CAP;
      job.timeline.splice(0, drop);
      job.timelineDropped += drop;
    }
  }
}
