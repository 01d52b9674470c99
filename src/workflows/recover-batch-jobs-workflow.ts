/**
 * `recoverBatchJobsWorkflow`: watches Tencent Batch jobs until each one succeeds or is handed to people.
 *
 * Each turn of the loop: end what timed out (deadline, stuck, decision timeout), send the retries whose backoff
 * has ended, then wait — by one polling activity whose retries add no history — until a job changes, a message
 * arrives or the next timeout is due. State lives in a {@link JobTracker}; this file only orchestrates.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DispatchActivities } from '../activities/request-retries';
import type { JobSnapshot, ObservedFailure, RetryOutcome } from '../shared/batch-types';
import { retryAnsweredSignal, type RetryAnswer } from '../shared/dispatcher-types';
import {
  DEFAULT_DESCRIBE_TASK_QUEUE,
  DEFAULT_JOB_WATCHER_WORKFLOW_ID,
  DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID,
  DEFAULT_RETRY_TASK_QUEUE,
  JOBS_RECOVERED_METRIC,
  MAX_JOB_IDS_PER_REQUEST,
} from '../shared/constants';
import { ErrorType } from '../shared/errors';
import { chunk, normalizeJobIds } from '../shared/job-id';
import {
  jobStateChangedSignal,
  resolveEscalationUpdate,
  retryNowUpdate,
  statusQuery,
} from '../shared/messages';
import { resolvePolicy, rulesNeedDetails, type ResolvedPolicy } from '../shared/recovery-policy';
import type {
  EscalationNotice,
  RecoverBatchJobsInput,
  RecoverBatchJobsResult,
  RecoveryOverallState,
  RecoveryStatus,
  ResolveEscalationInput,
  RetryNowInput,
} from '../shared/recovery-types';
import {
  WATCH_REFRESH_MS,
  watchedJobsChangedSignal,
  type WatchRequest,
  type WatchedJobsChanged,
} from '../shared/watcher-types';
import { describeActivityError, refusedForGood } from './activity-errors';
import {
  DISPATCHER_ANSWER_TIMEOUT,
  NOTIFY_ESCALATION_OPTIONS,
  REQUEST_RETRIES_OPTIONS,
  WATCH_JOBS_OPTIONS,
  describeOptions,
  pollOptions,
  readStatesOptions,
  retryJobsOptions,
} from './activity-options';
import { JobTracker, type EscalationRequest } from './job-tracker';
import {
  JOB_IDS_SEARCH_ATTRIBUTE,
  RECOVERY_STATE_SEARCH_ATTRIBUTE,
  searchableJobIds,
} from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

const { notifyEscalation } = proxyActivities<Activities>(NOTIFY_ESCALATION_OPTIONS);
const { requestRetries } = proxyActivities<DispatchActivities>(REQUEST_RETRIES_OPTIONS);
const { watchJobs } = proxyActivities<DispatchActivities>(WATCH_JOBS_OPTIONS);

/** Marks runs that send retries through the dispatcher; histories recorded before it replay the direct path. */
export const COALESCED_RETRIES_PATCH = 'coalesced-retries-v1';

/** Marks runs whose job states the shared watcher reads; earlier histories replay their own polling. */
export const SHARED_WATCHER_PATCH = 'shared-job-watcher-v1';

/** Watches `input.jobIds`, retries their failures idempotently, and escalates what retrying cannot fix. */
export async function recoverBatchJobsWorkflow(
  input: RecoverBatchJobsInput,
): Promise<RecoverBatchJobsResult> {
  const { jobIds, policy } = validateInput(input);
  const queues = {
    retry: input.taskQueues?.retry ?? DEFAULT_RETRY_TASK_QUEUE,
    describe: input.taskQueues?.describe ?? DEFAULT_DESCRIBE_TASK_QUEUE,
  };
  const { retryFailedJobs } = proxyActivities<Activities>(retryJobsOptions(queues.retry));
  const { describeJobFailures } = proxyActivities<Activities>(describeOptions(queues.describe));
  const { readJobStates } = proxyActivities<Activities>(readStatesOptions(queues.describe));
  const tracker = input.carriedState
    ? JobTracker.fromCarried(policy, input.carriedState)
    : new JobTracker(policy, Date.now(), jobIds);
  const needDetailsForRules = rulesNeedDetails(policy.retryRules);

  let wakeRequested = false;
  /** A jobStateChanged hint arrived: read this workflow's jobs now rather than wait for the watcher's poll. */
  let lookRequested = false;
  /** Set when reading job states failed for good (e.g. credentials refused): no more polls until someone acts. */
  let pollingSuspended = false;
  let nextCheckAtMs: number | undefined;
  let publishedState: RecoveryOverallState | undefined;

  const status = (): RecoveryStatus => ({
    overall: tracker.overall(),
    label: input.label,
    startedAt: new Date(tracker.startedAtMs).toISOString(),
    deadline: new Date(tracker.deadlineMs).toISOString(),
    nextCheckAt: nextCheckAtMs === undefined ? undefined : new Date(nextCheckAtMs).toISOString(),
    jobs: tracker.all(),
  });

  setHandler(statusQuery, status);
  const dispatcherAnswers = new Map<string, RetryAnswer>();
  setHandler(retryAnsweredSignal, (answer) => {
    dispatcherAnswers.set(answer.requestId, answer);
  });
  setHandler(jobStateChangedSignal, ({ jobId }) => {
    if (tracker.get(jobId)) {
      wakeRequested = true;
      lookRequested = true;
      pollingSuspended = false;
    } else log.warn('jobStateChanged signal for a job this workflow does not watch', { jobId });
  });
  setHandler(
    resolveEscalationUpdate,
    (decision) => {
      const changed = tracker.applyDecision(decision, Date.now());
      pollingSuspended = false;
      log.info('Operator decision applied', {
        decision: decision.decision,
        jobIds: changed,
        operator: decision.operator,
      });
      wakeRequested = true;
      return { jobIds: changed };
    },
    { validator: (decision: ResolveEscalationInput) => tracker.validateDecision(decision) },
  );
  setHandler(
    retryNowUpdate,
    (request) => {
      const changed = tracker.retryNow(request, Date.now());
      wakeRequested = true;
      return { jobIds: changed };
    },
    { validator: (request: RetryNowInput) => tracker.validateRetryNow(request) },
  );

  /** Upserts the search attributes and the UI summary when the overall state changed. */
  const publish = (): void => {
    const overall = tracker.overall();
    setCurrentDetails(`**${overall}** — ${tracker.summary()}${input.label ? ` — ${input.label}` : ''}`);
    if (overall === publishedState) return;
    upsertSearchAttributes([
      { key: JOB_IDS_SEARCH_ATTRIBUTE, value: searchableJobIds(tracker.all().map((j) => j.jobId)) },
      { key: RECOVERY_STATE_SEARCH_ATTRIBUTE, value: overall },
    ]);
    publishedState = overall;
  };

  /** Escalates, reads details a person needs, and notifies. Never throws but for cancellation. */
  const escalate = async (requests: EscalationRequest[]): Promise<void> => {
    const fresh = tracker.escalate(requests, Date.now());
    if (fresh.length === 0) return;
    publish();
    const missingDetails = fresh
      .map((r) => r.jobId)
      .filter(
        (id) => tracker.get(id)?.lastFailure && tracker.get(id)?.lastFailure?.failedTasks === undefined,
      );
    if (missingDetails.length > 0) {
      await readDetails(missingDetails).catch(rethrowCancellation('details for an escalation'));
    }
    const notice: EscalationNotice = {
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().runId,
      label: input.label,
      jobs: fresh.map((r) => {
        const job = tracker.get(r.jobId);
        return {
          jobId: r.jobId,
          reason: r.reason,
          message: r.message,
          code: r.code,
          retries: job?.retries ?? 0,
          lastKnownState: job?.lastKnownState,
          lastFailure: job?.lastFailure,
          decisionDeadline: job?.escalation?.decisionDeadline ?? '',
        };
      }),
      howToDecide: `send Update "${resolveEscalationUpdate.name}" with {"decision": "RETRY"|"ABANDON"|"RESOLVE", "jobIds": [...], "extraRetries": N}`,
    };
    await notifyEscalation(notice).catch(rethrowCancellation('escalation notice'));
  };

  const readDetails = async (ids: string[]): Promise<void> => {
    for (const part of chunk(ids, MAX_JOB_IDS_PER_REQUEST)) {
      const { jobs } = await describeJobFailures({ jobIds: part });
      tracker.addDetails(jobs);
    }
  };

  const jobsRecovered = metricMeter.createCounter(
    JOBS_RECOVERED_METRIC,
    'jobs',
    'Jobs that reached SUCCEED after at least one retry',
  );
  const recoveredCount = (): number =>
    tracker.all().filter((j) => j.outcome === 'SUCCEEDED' && j.retries > 0).length;

  const handleSnapshots = async (snapshots: JobSnapshot[]): Promise<void> => {
    const recoveredBefore = recoveredCount();
    const { failed, escalate: toEscalate } = tracker.observe(snapshots, Date.now());
    const recovered = recoveredCount() - recoveredBefore;
    if (recovered > 0) jobsRecovered.add(recovered);
    await escalate(toEscalate);
    if (failed.length === 0) return;
    const needDetails = failed.filter((id) => tracker.needsDetails(id, needDetailsForRules));
    if (needDetails.length > 0) {
      // Without details every rule condition is unknown; a retry is still the safe default.
      await readDetails(needDetails).catch(rethrowCancellation('failure details'));
    }
    const decisions = failed
      .map((id) => tracker.decideFailure(id, Date.now(), Math.random))
      .filter((r): r is EscalationRequest => r !== undefined);
    await escalate(decisions);
  };

  /** Applies one RetryJobs round's result, or escalates the jobs when it failed for good. */
  const applyRetryResult = async (
    failures: ObservedFailure[],
    result: { outcomes: RetryOutcome[] } | { code: string; message: string },
  ): Promise<void> => {
    if ('outcomes' in result) {
      await escalate(tracker.applyRetryOutcomes(result.outcomes, Date.now()));
      return;
    }
    log.error('RetryJobs could not be sent', { ...result, jobIds: failures.map((f) => f.jobId) });
    await escalate(
      failures.map((f) => ({
        jobId: f.jobId,
        reason: 'API_REFUSED',
        message: result.message,
        code: result.code,
      })),
    );
  };

  /** Direct path: this workflow's own RetryJobs calls. */
  const sendRetriesDirectly = async (parts: ObservedFailure[][]): Promise<void> => {
    const settled = await Promise.allSettled(parts.map((failures) => retryFailedJobs({ failures })));
    for (const [i, result] of settled.entries()) {
      if (result.status === 'rejected' && isCancellation(result.reason)) throw result.reason;
      await applyRetryResult(
        parts[i] ?? [],
        result.status === 'fulfilled' ? result.value : describeActivityError(result.reason),
      );
    }
  };

  /** Coalesced path: the dispatcher merges these failures with other workflows' into shared calls. */
  const sendRetriesThroughDispatcher = async (parts: ObservedFailure[][]): Promise<void> => {
    const dispatcherWorkflowId = `${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${queues.retry}`;
    await Promise.all(
      parts.map(async (failures) => {
        let answer: RetryAnswer | undefined;
        for (let ask = 1; ask <= 3 && !answer; ask++) {
          const requestId = uuid4();
          await requestRetries({
            dispatcherWorkflowId,
            dispatcherTaskQueue: workflowInfo().taskQueue,
            dispatcher: { retryTaskQueue: queues.retry },
            request: { requesterWorkflowId: workflowInfo().workflowId, requestId, failures },
          });
          if (await condition(() => dispatcherAnswers.has(requestId), DISPATCHER_ANSWER_TIMEOUT)) {
            answer = dispatcherAnswers.get(requestId);
          }
          dispatcherAnswers.delete(requestId);
        }
        await applyRetryResult(
          failures,
          answer === undefined
            ? {
                code: 'DISPATCHER_SILENT',
                message: `the RetryJobs dispatcher ${dispatcherWorkflowId} did not answer`,
              }
            : (answer.error ?? { outcomes: answer.outcomes }),
        );
      }),
    );
  };

  const sendRetries = async (due: ObservedFailure[]): Promise<void> => {
    const parts = chunk(due, MAX_JOB_IDS_PER_REQUEST);
    if (input.coalesceRetries !== false && patched(COALESCED_RETRIES_PATCH)) {
      await sendRetriesThroughDispatcher(parts);
    } else {
      await sendRetriesDirectly(parts);
    }
  };

  /** Sleeps until `wakeAt`; a message (decision, signal) still wakes the workflow at once. */
  const sleepUntil = async (wakeAt: number): Promise<undefined> => {
    nextCheckAtMs = pollingSuspended ? undefined : wakeAt;
    await condition(() => wakeRequested, wakeAt - Date.now());
    nextCheckAtMs = undefined;
    return undefined;
  };

  /** A refusal no retry can fix (credentials, permissions): people must act; no more reads until they do. */
  const suspendPolling = async (code: string, message: string): Promise<void> => {
    log.error('Reading job states failed for good', { code, message });
    pollingSuspended = true;
    await escalate(tracker.escalateAllOpen('API_REFUSED', `reading job states failed: ${message}`, code));
  };

  /** Own polling: one activity whose retries are the polls, until a job changes or `wakeAt`. */
  const pollUntilChange = async (wakeAt: number): Promise<JobSnapshot[] | undefined> => {
    const untilWake = wakeAt - Date.now();
    // Too close for another poll attempt to fit: sleep until the next due moment.
    if (untilWake < policy.pollIntervalMs) return sleepUntil(wakeAt);
    const { awaitJobChanges } = proxyActivities<Activities>(
      pollOptions(policy.pollIntervalMs, untilWake, queues.describe),
    );
    nextCheckAtMs = Date.now();
    try {
      return await CancellationScope.cancellable(async () => {
        const poll = awaitJobChanges({ known: tracker.pollTargets() }).then((r) => r.jobs);
        const woken = condition(() => wakeRequested).then(() => undefined);
        try {
          return await Promise.race([poll, woken]);
        } finally {
          poll.catch(() => undefined);
          woken.catch(() => undefined);
          CancellationScope.current().cancel();
        }
      });
    } catch (err) {
      if (isCancellation(err) && !CancellationScope.current().consideredCancelled) return undefined;
      if (isCancellation(err)) throw err;
      // The wake time came (schedule-to-close), or a wake-up cancelled the poll as it failed: loop and act.
      if (!refusedForGood(err)) return undefined;
      const { code, message } = describeActivityError(err);
      await suspendPolling(code, message);
      return undefined;
    } finally {
      nextCheckAtMs = undefined;
    }
  };

  // Shared watching: the job watcher reads every workflow's jobs together and signals what changed.
  const watcher = {
    workflowId: `${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${queues.describe}`,
    news: new Map<string, JobSnapshot>(),
    error: undefined as WatchedJobsChanged['error'],
    /** What the watcher was last told, and when. */
    registered: undefined as { jobs: string; atMs: number } | undefined,
  };
  setHandler(watchedJobsChangedSignal, ({ snapshots, error }) => {
    for (const snapshot of snapshots)
      if (tracker.get(snapshot.jobId)) watcher.news.set(snapshot.jobId, snapshot);
    if (error) watcher.error = error;
  });
  let watchingShared: boolean | undefined;
  /** Decided once per run, where the first wait happens, so that replay takes the same path. */
  const usesWatcher = (): boolean =>
    (watchingShared ??= input.coalescePolls !== false && patched(SHARED_WATCHER_PATCH));

  const register = async (jobs: WatchRequest['jobs']): Promise<void> => {
    await watchJobs({
      watcherWorkflowId: watcher.workflowId,
      watcherTaskQueue: workflowInfo().taskQueue,
      watcher: { describeTaskQueue: queues.describe },
      request: { ownerWorkflowId: workflowInfo().workflowId, jobs, pollIntervalMs: policy.pollIntervalMs },
    });
  };

  /** (Re)registers when the open jobs changed or the registration is due for renewal. */
  const keepRegistered = async (): Promise<void> => {
    const jobs = tracker.pollTargets();
    const key = jobs.map((j) => j.jobId).join(',');
    const current = watcher.registered;
    if (current && current.jobs === key && Date.now() < current.atMs + WATCH_REFRESH_MS) return;
    await register(jobs);
    watcher.registered = { jobs: key, atMs: Date.now() };
  };

  /** Tells the watcher this run no longer needs it (best effort: a missed one expires by itself). */
  const unregister = async (): Promise<void> => {
    if (!watcher.registered) return;
    watcher.registered = undefined;
    await CancellationScope.nonCancellable(() => register([])).catch(
      rethrowCancellation('leaving the job watcher'),
    );
  };

  /** One read of this workflow's own jobs, now (a jobStateChanged hint). */
  const lookNow = async (): Promise<JobSnapshot[] | undefined> => {
    try {
      const reads = await Promise.all(
        chunk(
          tracker.pollTargets().map((j) => j.jobId),
          MAX_JOB_IDS_PER_REQUEST,
        ).map((part) => readJobStates({ jobIds: part })),
      );
      return reads.flatMap((r) => r.jobs);
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (!refusedForGood(err)) return undefined;
      const { code, message } = describeActivityError(err);
      await suspendPolling(code, message);
      return undefined;
    }
  };

  /** Waits for the watcher's news, a message, the registration's renewal, or `wakeAt`. */
  const waitForWatcher = async (wakeAt: number): Promise<JobSnapshot[] | undefined> => {
    if (lookRequested) {
      lookRequested = false;
      return lookNow();
    }
    try {
      await keepRegistered();
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The Temporal server refused the signal for minutes: try again after one poll interval.
      log.warn('Could not register with the job watcher', { error: describeActivityError(err) });
      return sleepUntil(Math.min(wakeAt, Date.now() + policy.pollIntervalMs));
    }
    const renewAt = (watcher.registered?.atMs ?? Date.now()) + WATCH_REFRESH_MS;
    nextCheckAtMs = Date.now();
    await condition(
      () => wakeRequested || watcher.news.size > 0 || watcher.error !== undefined,
      Math.min(wakeAt, renewAt) - Date.now(),
    );
    nextCheckAtMs = undefined;
    if (watcher.error) {
      const { code, message } = watcher.error;
      watcher.error = undefined;
      // The watcher dropped this registration; it is renewed when polling resumes.
      watcher.registered = undefined;
      await suspendPolling(code, message);
    }
    if (watcher.news.size === 0) return undefined;
    const snapshots = [...watcher.news.values()];
    watcher.news.clear();
    return snapshots;
  };

  /** Waits for a job change, a message, or the next due moment. Returns fresh snapshots if a change was seen. */
  const waitForChange = async (): Promise<JobSnapshot[] | undefined> => {
    const wakeAt = tracker.nextWakeAtMs() ?? Date.now() + policy.pollIntervalMs;
    if (wakeAt <= Date.now() || wakeRequested) return undefined;
    if (pollingSuspended) return sleepUntil(wakeAt);
    return usesWatcher() ? waitForWatcher(wakeAt) : pollUntilChange(wakeAt);
  };

  const shouldContinueAsNew = (): boolean =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= policy.continueAsNewAfterEvents;

  try {
    publish();
    while (tracker.hasOpenJobs()) {
      if (shouldContinueAsNew()) {
        await condition(allHandlersFinished);
        log.info('Continuing as new', { historyLength: workflowInfo().historyLength });
        await continueAsNew<typeof recoverBatchJobsWorkflow>({
          ...input,
          jobIds,
          carriedState: {
            startedAt: new Date(tracker.startedAtMs).toISOString(),
            jobs: tracker.all(),
            continuedAsNewCount: (input.carriedState?.continuedAsNewCount ?? 0) + 1,
          },
        });
      }
      wakeRequested = false;
      await escalate(tracker.expire(Date.now()));
      const due = tracker.dueRetries(Date.now());
      if (due.length > 0) await sendRetries(due);
      publish();
      if (!tracker.hasOpenJobs()) break;
      const snapshots = await waitForChange();
      if (snapshots) await handleSnapshots(snapshots);
      publish();
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    tracker.cancelAll(Date.now());
    await unregister();
    publish();
    log.info('Cancelled; jobs left as last seen', { summary: tracker.summary() });
    return result(tracker, input.label);
  }
  await unregister();
  // Let an update that finished the last job return its answer before the workflow completes.
  await condition(allHandlersFinished);
  return result(tracker, input.label);
}

function result(tracker: JobTracker, label: string | undefined): RecoverBatchJobsResult {
  const overall = tracker.overall();
  return {
    overall: overall === 'SUCCEEDED' || overall === 'CANCELLED' ? overall : 'NEEDS_ATTENTION',
    label,
    startedAt: new Date(tracker.startedAtMs).toISOString(),
    finishedAt: new Date(Date.now()).toISOString(),
    jobs: tracker.all(),
  };
}

/** Invalid input fails the workflow at once (non-retryable): no amount of waiting fixes it. */
function validateInput(input: RecoverBatchJobsInput): { jobIds: string[]; policy: ResolvedPolicy } {
  if (input === null || typeof input !== 'object') {
    throw ApplicationFailure.create({
      message: 'input must be an object with jobIds',
      type: ErrorType.InvalidInput,
      nonRetryable: true,
    });
  }
  const ids = normalizeJobIds(input.jobIds);
  const policy = resolvePolicy(input.policy);
  const problems = [...(ids.ok ? [] : [ids.summary]), ...(policy.ok ? [] : policy.problems)];
  if (!ids.ok || !policy.ok) {
    throw ApplicationFailure.create({
      message: `invalid recoverBatchJobsWorkflow input: ${problems.join('; ')}`,
      type: ids.ok ? ErrorType.InvalidInput : ErrorType.InvalidJobId,
      nonRetryable: true,
      details: [{ problems }],
    });
  }
  return { jobIds: ids.jobIds, policy: policy.policy };
}

/** A catch handler that lets cancellation through and logs anything else as best-effort work that failed. */
function rethrowCancellation(what: string): (err: unknown) => void {
  return (err) => {
    if (isCancellation(err)) throw err;
    log.warn(`Best-effort step failed: ${what}`, { error: describeActivityError(err) });
  };
}
