/**
 * One run of `recoverBatchJobsWorkflow`: the jobs' state (a {@link JobTracker}), the links to the shared job
 * watcher and RetryJobs dispatcher, and the steps the workflow's loop takes. Message handlers are one call each
 * into this class; the steps decide with the tracker and act through activities.
 */
import { fitFailuresToBudget, fitJobsToBudget } from './payload-budget';
import {
  isCancellation,
  log,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  condition,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { JobSnapshot, ObservedFailure } from '../shared/batch-types';
import type { RetryAnswer, RetryRequest } from '../shared/dispatcher-types';
import {
  DEFAULT_DESCRIBE_TASK_QUEUE,
  DEFAULT_RETRY_TASK_QUEUE,
  JOBS_RECOVERED_METRIC,
  MAX_JOB_IDS_PER_REQUEST,
} from '../shared/constants';
import { chunk } from '../shared/job-id';
import { resolveEscalationUpdate } from '../shared/messages';
import { rulesNeedDetails, type ResolvedPolicy } from '../shared/recovery-policy';
import type {
  DecisionAck,
  EscalationNotice,
  JobStateChangedSignal,
  RecoverBatchJobsInput,
  RecoverBatchJobsResult,
  RecoveryOverallState,
  RecoveryStatus,
  ResolveEscalationInput,
  RetryNowInput,
} from '../shared/recovery-types';
import type { WatchedJobsChanged } from '../shared/watcher-types';
import { PLATFORM_TROUBLE_PAUSE_MS, describeActivityError } from './activity-errors';
import { NOTIFY_ESCALATION_OPTIONS, describeOptions } from './activity-options';
import { DispatcherLink, type DispatchResult } from './dispatcher-link';
import { retryJitter } from './failure-rules';
import { groupByNotBefore } from './hand-over-groups';
import { JobTracker, type EscalationRequest } from './job-tracker';
import {
  JOB_IDS_SEARCH_ATTRIBUTE,
  RECOVERY_STATE_SEARCH_ATTRIBUTE,
  searchableJobIds,
} from './search-attributes';
import { WatcherLink } from './watcher-link';

const { notifyEscalation } = proxyActivities<Activities>(NOTIFY_ESCALATION_OPTIONS);

/**
 * A retry is handed to the dispatcher this long before its backoff ends (at once for shorter backoffs, such as the
 * first default one, 30 s ±20%): the dispatcher waits out the rest, so the owner needs no timer of its own.
 */
export const HAND_OVER_AHEAD_MS = 60_000;

export class JobRecovery {
  readonly tracker: JobTracker;
  private readonly watcher: WatcherLink;
  private readonly dispatcher: DispatcherLink;
  private readonly describeJobFailures: Activities['describeJobFailures'];
  private readonly needDetailsForRules: boolean;
  private readonly jobsRecovered = metricMeter.createCounter(
    JOBS_RECOVERED_METRIC,
    'jobs',
    'Jobs that reached SUCCEED after at least one retry',
  );
  private wakeRequested = false;
  /** Jobs whose retry an operator moved (retry now): their hand-over is taken back and made again. */
  private readonly retimed = new Set<string>();
  /**
   * News of jobs whose retry is handed over, kept until its answer is applied: a job seen running (or done, or
   * failed anew) before the answer arrives is the retry's doing, and is judged after it.
   */
  private readonly deferred = new Map<string, JobSnapshot>();
  private nextCheckAtMs: number | undefined;
  private publishedState: RecoveryOverallState | undefined;

  constructor(
    private readonly input: RecoverBatchJobsInput,
    private readonly jobIds: string[],
    private readonly policy: ResolvedPolicy,
  ) {
    const retryQueue = input.taskQueues?.retry ?? DEFAULT_RETRY_TASK_QUEUE;
    const describeQueue = input.taskQueues?.describe ?? DEFAULT_DESCRIBE_TASK_QUEUE;
    const shards = input.taskQueues?.shards ?? 1;
    this.tracker = input.carriedState
      ? JobTracker.fromCarried(policy, input.carriedState)
      : new JobTracker(policy, Date.now(), jobIds);
    this.watcher = new WatcherLink(
      {
        watcherTaskQueue: workflowInfo().taskQueue,
        describeTaskQueue: describeQueue,
        shards,
        ownerWorkflowId: workflowInfo().workflowId,
        pollIntervalMs: policy.pollIntervalMs,
      },
      { retryTaskQueue: retryQueue, backoff: policy.backoff, untilMs: this.tracker.deadlineMs },
    );
    this.dispatcher = new DispatcherLink({ retryTaskQueue: retryQueue, shards });
    this.describeJobFailures = proxyActivities<Activities>(
      describeOptions(describeQueue),
    ).describeJobFailures;
    this.needDetailsForRules = rulesNeedDetails(policy.retryRules);
  }

  // ── Message handlers ────────────────────────────────────────────────────────────────────────────────────

  status(): RecoveryStatus {
    const { tracker, nextCheckAtMs } = this;
    const jobWatchers = this.watcher.jobWatchers;
    return {
      overall: tracker.overall(),
      label: this.input.label,
      startedAt: new Date(tracker.startedAtMs).toISOString(),
      deadline: new Date(tracker.deadlineMs).toISOString(),
      nextCheckAt: nextCheckAtMs === undefined ? undefined : new Date(nextCheckAtMs).toISOString(),
      ...(jobWatchers.length > 0 ? { jobWatchers } : {}),
      jobs: fitJobsToBudget(tracker.all()),
    };
  }

  jobStateChanged({ jobId }: JobStateChangedSignal): void {
    if (!this.tracker.get(jobId)) {
      log.warn('jobStateChanged signal for a job this workflow does not watch', { jobId });
      return;
    }
    this.watcher.requestLook();
    this.wakeRequested = true;
  }

  watcherNews(message: WatchedJobsChanged): void {
    this.watcher.receive({
      ...message,
      snapshots: message.snapshots.filter((s) => this.tracker.get(s.jobId)),
    });
  }

  retryAnswered(answer: RetryAnswer): void {
    this.dispatcher.receive(answer);
  }

  validateDecision(decision: ResolveEscalationInput): void {
    this.tracker.validateDecision(decision);
  }

  resolveEscalation(decision: ResolveEscalationInput): DecisionAck {
    const changed = this.tracker.applyDecision(decision, Date.now());
    log.info('Operator decision applied', {
      decision: decision.decision,
      jobIds: changed,
      operator: decision.operator,
    });
    this.wakeRequested = true;
    return { jobIds: changed };
  }

  validateRetryNow(request: RetryNowInput): void {
    this.tracker.validateRetryNow(request);
  }

  retryNow(request: RetryNowInput): DecisionAck {
    const changed = this.tracker.retryNow(request, Date.now());
    changed.forEach((jobId) => this.retimed.add(jobId));
    this.wakeRequested = true;
    return { jobIds: changed };
  }

  // ── Steps of the workflow's loop ────────────────────────────────────────────────────────────────────────

  hasOpenJobs(): boolean {
    return this.tracker.hasOpenJobs();
  }

  /** Starts a turn of the loop: what wakes the workflow from now on is news. */
  beginTurn(): void {
    this.wakeRequested = false;
  }

  /** Escalates what timed out: the deadline, a stuck job, a decision not made in time. */
  async escalateExpired(): Promise<void> {
    await this.escalate(this.tracker.expire(Date.now()));
  }

  /** Applies what the dispatcher answered, and what it left unanswered too long. */
  async applyRetryResults(): Promise<void> {
    const results = this.dispatcher.takeResults(Date.now());
    for (const { failures, result } of results) await this.applyRetryResult(failures, result);
    if (results.length === 0 || this.deferred.size === 0) return;
    const handedOver = this.dispatcher.jobsHandedOver();
    const ready = [...this.deferred.values()].filter((s) => !handedOver.has(s.jobId));
    ready.forEach((s) => this.deferred.delete(s.jobId));
    await this.handleSnapshots(ready);
  }

  /**
   * Hands the dispatcher every retry whose backoff ends within {@link HAND_OVER_AHEAD_MS}, with that moment; the
   * answers come later, as messages. Retries no longer wanted are taken back first, and those an operator moved
   * are handed over anew.
   */
  async handOverRetries(): Promise<void> {
    const handedOver = this.dispatcher.jobsHandedOver();
    // Retries no longer wanted (the job was escalated, or runs again without us) or moved by an operator.
    const takeBack = [...handedOver].filter((jobId) => {
      const phase = this.tracker.get(jobId)?.phase;
      return this.retimed.has(jobId) || phase === 'AWAITING_DECISION' || phase === 'WATCHING';
    });
    this.retimed.clear();
    if (takeBack.length > 0) await this.dispatcher.withdrawJobs(takeBack);
    const due = this.tracker.retriesToHandOver(
      Date.now() + HAND_OVER_AHEAD_MS,
      this.dispatcher.jobsHandedOver(),
    );
    // Marked before the hand-over: its signals may reach the dispatcher even when the local activity fails.
    this.tracker.markHandedOver(due.map((f) => f.jobId));
    // Failures not handed over (the server refused for minutes) are handed over again on the next turn.
    await this.dispatcher.handOver(groupByNotBefore(due));
  }

  /**
   * Before continuing as new or completing: waits for every hand-over's answer (a job may be seen succeeding before
   * the answer to its retry arrives), so the next run starts with none and the result counts every retry.
   */
  async settleHandOvers(): Promise<void> {
    while (!this.dispatcher.isIdle()) {
      const dueAt = this.dispatcher.nextAnswerDueMs() ?? Date.now();
      await condition(() => this.dispatcher.hasResults(Date.now()), Math.max(1, dueAt - Date.now()));
      await this.applyRetryResults();
    }
  }

  /** Waits for the watcher's news, a message, the registration's renewal, or the next due moment. */
  async waitForChange(): Promise<JobSnapshot[]> {
    const wakeAt = this.nextWakeAtMs();
    if (wakeAt <= Date.now() || this.wakeRequested || this.dispatcher.hasResults(Date.now())) return [];
    try {
      await this.watcher.keepRegistered(
        this.tracker.pollTargets(),
        this.tracker.retryOrderCounts(),
        Date.now(),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The Temporal server refused the signal for minutes: try again after one poll interval.
      log.warn('Could not register with the job watcher', { error: describeActivityError(err) });
      await this.sleepUntil(Math.min(wakeAt, Date.now() + this.policy.pollIntervalMs));
      return [];
    }
    this.nextCheckAtMs = Date.now();
    const renewAt = this.watcher.renewAtMs(Date.now());
    await condition(
      () => this.wakeRequested || this.watcher.hasNews() || this.dispatcher.hasResults(Date.now()),
      Math.min(wakeAt, renewAt) - Date.now(),
    );
    this.nextCheckAtMs = undefined;
    return this.watcher.takeNews();
  }

  /**
   * Applies fresh snapshots: successes end, failures get details if needed and a decision. News of a job whose
   * retry is handed over waits for the answer.
   */
  async handleSnapshots(news: JobSnapshot[]): Promise<void> {
    const handedOver = this.dispatcher.jobsHandedOver();
    const snapshots: JobSnapshot[] = [];
    for (const s of news) {
      if (handedOver.has(s.jobId)) this.deferred.set(s.jobId, s);
      else snapshots.push(s);
    }
    if (snapshots.length === 0) return;
    const recoveredBefore = this.recoveredCount();
    const { failed, escalate } = this.tracker.observe(snapshots, Date.now());
    const recovered = this.recoveredCount() - recoveredBefore;
    if (recovered > 0) this.jobsRecovered.add(recovered);
    await this.escalate(escalate);
    const decisions = failed.length > 0 ? await this.decideFailures(failed) : [];
    await this.adoptWatcherHandOvers(snapshots.map((s) => s.jobId));
    await this.escalate(decisions);
  }

  /** Upserts the search attributes and the UI summary when the overall state changed. */
  publish(): void {
    const overall = this.tracker.overall();
    const label = this.input.label ? ` — ${this.input.label}` : '';
    setCurrentDetails(`**${overall}** — ${this.tracker.summary()}${label}`);
    if (overall === this.publishedState) return;
    upsertSearchAttributes([
      { key: JOB_IDS_SEARCH_ATTRIBUTE, value: searchableJobIds(this.tracker.all().map((j) => j.jobId)) },
      { key: RECOVERY_STATE_SEARCH_ATTRIBUTE, value: overall },
    ]);
    this.publishedState = overall;
  }

  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= this.policy.continueAsNewAfterEvents;
  }

  /** The next run's input: the same request, with the jobs' state carried over. */
  continueAsNewInput(): RecoverBatchJobsInput {
    return {
      ...this.input,
      jobIds: this.jobIds,
      carriedState: {
        startedAt: new Date(this.tracker.startedAtMs).toISOString(),
        jobs: fitJobsToBudget(this.tracker.all()),
        continuedAsNewCount: (this.input.carriedState?.continuedAsNewCount ?? 0) + 1,
      },
    };
  }

  /** Leaves the watcher (best effort) once no job is open. */
  async leave(): Promise<void> {
    await this.watcher.leave().catch(bestEffort('leaving the job watcher'));
  }

  /**
   * Ends every open job as CANCELLED, keeping its last known state, and takes back the retries handed to the
   * dispatcher and not sent yet. Runs in a non-cancellable scope: the workflow then ends as Cancelled.
   */
  async cancel(): Promise<void> {
    this.tracker.cancelAll(Date.now());
    await this.dispatcher.withdraw();
    await this.leave();
    this.publish();
    log.info('Cancelled; jobs left as last seen', { summary: this.tracker.summary() });
  }

  result(): RecoverBatchJobsResult {
    const overall = this.tracker.overall();
    return {
      overall: overall === 'SUCCEEDED' ? overall : 'NEEDS_ATTENTION',
      label: this.input.label,
      startedAt: new Date(this.tracker.startedAtMs).toISOString(),
      finishedAt: new Date(Date.now()).toISOString(),
      jobs: fitJobsToBudget(this.tracker.all()),
    };
  }

  // ── Parts of the steps ──────────────────────────────────────────────────────────────────────────────────

  /** The next moment the loop must run without news: a timeout, a hand-over, an answer overdue. */
  private nextWakeAtMs(): number {
    const times = [
      this.tracker.nextWakeAtMs(this.dispatcher.jobsHandedOver(), HAND_OVER_AHEAD_MS),
      this.dispatcher.nextAnswerDueMs(),
    ].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : Date.now() + this.policy.pollIntervalMs;
  }

  private async sleepUntil(wakeAtMs: number): Promise<void> {
    this.nextCheckAtMs = wakeAtMs;
    await condition(() => this.wakeRequested, wakeAtMs - Date.now());
    this.nextCheckAtMs = undefined;
  }

  /**
   * Applies one hand-over's outcomes. When RetryJobs could not be sent at all (credentials, throttling, the
   * control plane), that is platform trouble, not the jobs': they wait and are tried again, never escalated for it.
   */
  private async applyRetryResult(failures: ObservedFailure[], result: DispatchResult): Promise<void> {
    if ('outcomes' in result) {
      await this.escalate(this.tracker.applyRetryOutcomes(result.outcomes, Date.now()));
      return;
    }
    const jobIds = failures.map((f) => f.jobId);
    log.warn('RetryJobs could not be sent; trying again later', { ...result, jobIds });
    const why = `RetryJobs could not be sent (${result.code}: ${result.message})`;
    this.tracker.postponeRetries(jobIds, Date.now() + PLATFORM_TROUBLE_PAUSE_MS, why, Date.now());
  }

  /** Escalates, reads the details a person needs, and notifies. Never throws but for cancellation. */
  private async escalate(requests: EscalationRequest[]): Promise<void> {
    const fresh = this.tracker.escalate(requests, Date.now());
    if (fresh.length === 0) return;
    this.publish();

    const missingDetails = fresh
      .map((r) => r.jobId)
      .filter((id) => {
        const failure = this.tracker.get(id)?.lastFailure;
        return failure !== undefined && failure.failedTasks === undefined;
      });
    if (missingDetails.length > 0) {
      await this.readDetails(missingDetails).catch(bestEffort('details for an escalation'));
    }
    await notifyEscalation(this.escalationNotice(fresh)).catch(bestEffort('escalation notice'));
  }

  private escalationNotice(fresh: EscalationRequest[]): EscalationNotice {
    const { workflowId, runId } = workflowInfo();
    const failures = fitFailuresToBudget(fresh.map(({ jobId }) => this.tracker.get(jobId)?.lastFailure));
    return {
      workflowId,
      runId,
      label: this.input.label,
      jobs: fresh.map(({ jobId, reason, message, code }, i) => {
        const job = this.tracker.get(jobId);
        return {
          jobId,
          reason,
          message,
          code,
          retries: job?.retries ?? 0,
          lastKnownState: job?.lastKnownState,
          lastFailure: failures[i],
          decisionDeadline: job?.escalation?.decisionDeadline ?? '',
        };
      }),
      howToDecide: `send Update "${resolveEscalationUpdate.name}" with {"decision": "RETRY"|"ABANDON"|"RESOLVE", "jobIds": [...], "extraRetries": N}`,
    };
  }

  private async readDetails(ids: string[]): Promise<void> {
    for (const part of chunk(ids, MAX_JOB_IDS_PER_REQUEST)) {
      const { jobs } = await this.describeJobFailures({ jobIds: part });
      this.tracker.addDetails(jobs);
    }
  }

  /** Reads the details the policy needs, then decides each failure: a retry after its backoff, or an escalation. */
  private async decideFailures(failed: string[]): Promise<EscalationRequest[]> {
    const needDetails = failed.filter((id) => this.tracker.needsDetails(id, this.needDetailsForRules));
    // Without details every rule condition is unknown; a retry is still the safe default.
    if (needDetails.length > 0) await this.readDetails(needDetails).catch(bestEffort('failure details'));
    return failed
      .map((id) => this.tracker.decideFailure(id, Date.now(), retryJitter(id, this.retriesOf(id))))
      .filter((r): r is EscalationRequest => r !== undefined);
  }

  /**
   * Takes over the retries the watcher handed to the dispatcher on this workflow's standing orders, for the jobs
   * of `jobIds` just decided: a request whose every failure this workflow has just decided to retry becomes its
   * own; any other is taken back (its order was stale: a registration crossed the read), and its failures count as
   * handed over, so that whatever call follows reads the jobs first.
   */
  private async adoptWatcherHandOvers(jobIds: string[]): Promise<void> {
    const declined: RetryRequest[] = [];
    for (const { request } of this.watcher.takeHandOvers(jobIds)) {
      const handedOver = this.dispatcher.jobsHandedOver();
      const decidedAlike = request.failures.every((f) => {
        const job = this.tracker.get(f.jobId);
        return (
          job?.phase === 'WAITING_TO_RETRY' &&
          job.lastFailure?.endTime === f.endTime &&
          !handedOver.has(f.jobId)
        );
      });
      const jobs = request.failures.map((f) => f.jobId);
      if (!decidedAlike) {
        this.tracker.markHandedOver(jobs);
        declined.push(request);
        continue;
      }
      for (const jobId of jobs)
        this.tracker.adoptHandOver(jobId, request.notBeforeMs ?? Date.now(), Date.now());
      this.dispatcher.adopt(request);
    }
    if (declined.length > 0) {
      log.info('Took back retries the job watcher handed over on a stale order', {
        requestIds: declined.map((r) => r.requestId),
      });
      await this.dispatcher.decline(declined);
    }
  }

  private retriesOf(jobId: string): number {
    return this.tracker.get(jobId)?.retries ?? 0;
  }

  private recoveredCount(): number {
    return this.tracker.all().filter((j) => j.outcome === 'SUCCEEDED' && j.retries > 0).length;
  }
}

/** A catch handler that lets cancellation through and logs anything else as best-effort work that failed. */
function bestEffort(what: string): (err: unknown) => void {
  return (err) => {
    if (isCancellation(err)) throw err;
    log.warn(`Best-effort step failed: ${what}`, { error: describeActivityError(err) });
  };
}
