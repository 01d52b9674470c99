/**
 * Activities of the recovery workflow, built by a factory that receives their dependencies: the worker passes
 * the real Tencent Batch client, tests pass fakes typed against the same interfaces. Workflows import this
 * module as a type only.
 */
import type { BatchApi } from '../batch/batch-api';
import type { EscalationNotice } from '../shared/recovery-types';
import { Context } from '@temporalio/activity';
import { awaitJobChanges, type AwaitJobChangesInput } from './await-job-changes';
import { describeJobFailures, type DescribeJobFailuresInput } from './describe-job-failures';
import { notifyEscalation, type EscalationChannels } from './notify-escalation';
import {
  activityMetricMeter,
  countingBatchApi,
  recordEscalations,
  recordRetryOutcomes,
  type MetricMeterSource,
} from './recovery-metrics';
import { readJobSnapshots } from './job-snapshots';
import { budgetedBatchApi, type ApiBudget } from './api-budget';
import { retryFailedJobs, type RetryFailedJobsInput } from './retry-failed-jobs';

export type { AwaitJobChangesInput, AwaitJobChangesOutput } from './await-job-changes';
export type { DescribeJobFailuresInput } from './describe-job-failures';
export type { EscalationChannels, EscalationWebhookBody } from './notify-escalation';
export type { RetryFailedJobsInput, RetryFailedJobsOutput } from './retry-failed-jobs';
export { RECOVERY_METRICS, type MetricMeterSource } from './recovery-metrics';
export {
  API_BUDGET_METRICS,
  budgetedBatchApi,
  createTemporalApiBudget,
  type ApiBudget,
  type TemporalApiBudgetOptions,
} from './api-budget';

/** Input of `readJobStates`. */
export interface ReadJobStatesInput {
  jobIds: string[];
}

/** What the activities need from the outside world. */
export interface ActivityDependencies {
  /** Tencent Cloud Batch, through the classified client layer. */
  batchApi: BatchApi;
  /**
   * When each Batch call may be sent: `createTemporalApiBudget(...)`, one budget per Tencent account shared by
   * every worker process.
   */
  apiBudget: ApiBudget;
  /** Escalation channels besides the log. */
  escalation?: EscalationChannels;
  /** @default () => new Date() */
  now?: () => Date;
  /** Where the package's counters go (see RECOVERY_METRICS). @default the current activity's metric meter */
  metricMeter?: MetricMeterSource;
}

/** Builds the activity implementations; the returned object's keys are the activity type names. */
export function createActivities(deps: ActivityDependencies) {
  const now = deps.now ?? (() => new Date());
  const meter = deps.metricMeter ?? activityMetricMeter;
  const api = countingBatchApi(budgetedBatchApi(deps.batchApi, deps.apiBudget, meter), meter);
  // Polls give way in the budget to every call that cannot wait.
  const pollApi = countingBatchApi(
    budgetedBatchApi(deps.batchApi, deps.apiBudget, meter, { background: true }),
    meter,
  );
  return {
    /** One poll of job states; fails with a BENIGN JobsUnchanged while nothing changed (ApiBudgetBusy: not read). */
    awaitJobChanges: (input: AwaitJobChangesInput) => awaitJobChanges(pollApi, input, now),
    /** One read of job states (one DescribeJobs per 100 jobs): the job watcher's poll, and a look on request. */
    readJobStates: async (input: ReadJobStatesInput) => ({
      jobs: await readJobSnapshots(api, input.jobIds, now),
    }),
    /** StateReason, failed tasks and exit codes of failed jobs. */
    describeJobFailures: (input: DescribeJobFailuresInput) => describeJobFailures(api, input, now),
    /** Idempotent RetryJobs: one call per observed failure at most. */
    retryFailedJobs: async (input: RetryFailedJobsInput) => {
      const output = await retryFailedJobs(api, input, now);
      recordRetryOutcomes(meter, output.outcomes);
      return output;
    },
    /** Log line + optional webhook for escalated jobs. */
    notifyEscalation: (notice: EscalationNotice) => {
      // Counted with the log line, on the first attempt: a webhook retry is the same escalation.
      if (Context.current().info.attempt === 1) recordEscalations(meter, notice);
      return notifyEscalation(deps.escalation ?? {}, notice, now);
    },
  };
}

/** The activity implementations' type, for `proxyActivities<Activities>()`. */
export type Activities = ReturnType<typeof createActivities>;
