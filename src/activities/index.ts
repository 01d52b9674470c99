/**
 * Activities of the recovery workflow, built by a factory that receives their dependencies: the worker passes
 * the real Tencent Batch client, tests pass fakes typed against the same interfaces. Workflows import this
 * module as a type only.
 */
import type { BatchApi } from '../batch/batch-api';
import type { EscalationNotice } from '../shared/recovery-types';
import { awaitJobChanges, type AwaitJobChangesInput } from './await-job-changes';
import { describeJobFailures, type DescribeJobFailuresInput } from './describe-job-failures';
import { notifyEscalation, type EscalationChannels } from './notify-escalation';
import { retryFailedJobs, type RetryFailedJobsInput } from './retry-failed-jobs';

export type { AwaitJobChangesInput, AwaitJobChangesOutput } from './await-job-changes';
export type { DescribeJobFailuresInput } from './describe-job-failures';
export type { EscalationChannels, EscalationWebhookBody } from './notify-escalation';
export type { RetryFailedJobsInput, RetryFailedJobsOutput } from './retry-failed-jobs';

/** What the activities need from the outside world. */
export interface ActivityDependencies {
  /** Tencent Cloud Batch, through the classified client layer. */
  batchApi: BatchApi;
  /** Escalation channels besides the log. */
  escalation?: EscalationChannels;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Builds the activity implementations; the returned object's keys are the activity type names. */
export function createActivities(deps: ActivityDependencies) {
  const now = deps.now ?? (() => new Date());
  const api = deps.batchApi;
  return {
    /** One poll of job states; fails with a BENIGN JobsUnchanged while nothing changed. */
    awaitJobChanges: (input: AwaitJobChangesInput) => awaitJobChanges(api, input, now),
    /** StateReason, failed tasks and exit codes of failed jobs. */
    describeJobFailures: (input: DescribeJobFailuresInput) => describeJobFailures(api, input, now),
    /** Idempotent RetryJobs: one call per observed failure at most. */
    retryFailedJobs: (input: RetryFailedJobsInput) => retryFailedJobs(api, input, now),
    /** Log line + optional webhook for escalated jobs. */
    notifyEscalation: (notice: EscalationNotice) => notifyEscalation(deps.escalation ?? {}, notice, now),
  };
}

/** The activity implementations' type, for `proxyActivities<Activities>()`. */
export type Activities = ReturnType<typeof createActivities>;
