/**
 * `recoverBatchJobsWorkflow`: watches Tencent Batch jobs until each one succeeds or is handed to people.
 *
 * Each turn of the loop ends what timed out (deadline, stuck, decision timeout), applies the RetryJobs
 * dispatcher's answers, hands it the retries just decided (it waits out their backoff), then waits until the job
 * watcher reports a change, an answer or a message arrives, or the next timeout is due. The run's state and steps live in {@link JobRecovery}; this file is the loop.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { retryAnsweredSignal } from '../shared/dispatcher-types';
import { ErrorType } from '../shared/errors';
import { normalizeJobIds } from '../shared/job-id';
import {
  jobStateChangedSignal,
  resolveEscalationUpdate,
  retryNowUpdate,
  statusQuery,
} from '../shared/messages';
import { resolvePolicy } from '../shared/recovery-policy';
import type {
  RecoverBatchJobsInput,
  RecoverBatchJobsResult,
  ResolveEscalationInput,
  RetryNowInput,
} from '../shared/recovery-types';
import { removedInputFieldProblems } from '../shared/removed-input-fields';
import { taskQueuesProblems } from '../shared/task-queues-input';
import { watchedJobsChangedSignal } from '../shared/watcher-types';
import { JobRecovery } from './job-recovery';

/** Watches `input.jobIds`, retries their failures idempotently, and escalates what retrying cannot fix. */
export async function recoverBatchJobsWorkflow(
  input: RecoverBatchJobsInput,
): Promise<RecoverBatchJobsResult> {
  const recovery = startRecovery(input);
  setHandler(statusQuery, () => recovery.status());
  setHandler(jobStateChangedSignal, (hint) => recovery.jobStateChanged(hint));
  setHandler(watchedJobsChangedSignal, (news) => recovery.watcherNews(news));
  setHandler(retryAnsweredSignal, (answer) => recovery.retryAnswered(answer));
  setHandler(resolveEscalationUpdate, (decision) => recovery.resolveEscalation(decision), {
    validator: (decision: ResolveEscalationInput) => recovery.validateDecision(decision),
  });
  setHandler(retryNowUpdate, (request) => recovery.retryNow(request), {
    validator: (request: RetryNowInput) => recovery.validateRetryNow(request),
  });

  try {
    recovery.publish();
    while (recovery.hasOpenJobs()) {
      if (recovery.shouldContinueAsNew()) {
        await recovery.settleHandOvers();
        await condition(allHandlersFinished);
        log.info('Continuing as new', { historyLength: workflowInfo().historyLength });
        await continueAsNew<typeof recoverBatchJobsWorkflow>(recovery.continueAsNewInput());
      }
      recovery.beginTurn();
      await recovery.escalateExpired();
      await recovery.applyRetryResults();
      await recovery.handOverRetries();
      recovery.publish();
      if (!recovery.hasOpenJobs()) break;
      await recovery.handleSnapshots(await recovery.waitForChange());
      recovery.publish();
    }
  } catch (err) {
    // Cancelled in Temporal terms (a parent sees a CancelledFailure); the jobs' last states stay readable through
    // the status query and the search attribute.
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => recovery.cancel());
    throw err;
  }
  await recovery.settleHandOvers();
  await recovery.leave();
  // Let an update that finished the last job return its answer before the workflow completes.
  await condition(allHandlersFinished);
  return recovery.result();
}

/** Validates the input; invalid input fails the workflow at once (non-retryable): no amount of waiting fixes it. */
function startRecovery(input: RecoverBatchJobsInput): JobRecovery {
  if (input === null || typeof input !== 'object') {
    throw ApplicationFailure.create({
      message: 'input must be an object with jobIds',
      type: ErrorType.InvalidInput,
      nonRetryable: true,
    });
  }
  const ids = normalizeJobIds(input.jobIds);
  const policy = resolvePolicy(input.policy);
  const problems = [
    ...(ids.ok ? [] : [ids.summary]),
    ...(policy.ok ? [] : policy.problems),
    ...taskQueuesProblems(input.taskQueues),
    ...removedInputFieldProblems(input),
  ];
  if (!ids.ok || !policy.ok || problems.length > 0) {
    throw ApplicationFailure.create({
      message: `invalid recoverBatchJobsWorkflow input: ${problems.join('; ')}`,
      type: ids.ok ? ErrorType.InvalidInput : ErrorType.InvalidJobId,
      nonRetryable: true,
      details: [{ problems }],
    });
  }
  return new JobRecovery(input, ids.jobIds, policy.policy);
}
