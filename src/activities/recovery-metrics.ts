/**
 * The package's own counters, recorded from activities through the SDK's metric meter, so they leave the
 * process through the same exporter as the SDK's metrics (Prometheus, see src/runtime/metrics.ts). Inside an
 * activity the meter is the activity's own (it adds `namespace`, `task_queue` and `activity_type`); outside
 * one (plain unit tests) nothing is recorded.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, noopMetricMeter, type MetricMeter } from '@temporalio/common';
import type { BatchApi } from '../batch/batch-api';
import { JOBS_RECOVERED_METRIC } from '../shared/constants';
import type { TencentApiErrorDetails } from '../shared/errors';
import type { EscalationNotice } from '../shared/recovery-types';

/** Metric names, as exported (the Prometheus exporter adds no prefix or suffix to custom metrics). */
export const RECOVERY_METRICS = {
  /** Counter: jobs RetryJobs accepted (one per job ID in an accepted call). */
  retriesSent: 'tencent_batch_retries_sent',
  /** Counter: failures found already answered when the activity re-read them (outcome ALREADY_RETRIED). */
  retriesAlreadyApplied: 'tencent_batch_retries_already_applied',
  /** Counter, label `reason`: jobs listed in escalation notices (counted once per notice, not per attempt). */
  escalations: 'tencent_batch_escalations',
  /** Counter: jobs that reached SUCCEED after at least one retry (recorded by the workflow, not an activity). */
  jobsRecovered: JOBS_RECOVERED_METRIC,
  /** Counter, labels `action` and `code` (`details[0].code` of the classified failure): failed Batch calls. */
  apiErrors: 'tencent_batch_api_errors',
} as const;

/** Where counters are recorded; the default is the current activity's meter. */
export type MetricMeterSource = () => MetricMeter;

/** The current activity's meter, or a no-op outside an activity. */
export const activityMetricMeter: MetricMeterSource = () => {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
};

function add(meter: MetricMeterSource, name: string, value: number, tags?: Record<string, string>): void {
  if (value <= 0) return;
  meter().createCounter(name).add(value, tags);
}

/** Counts `ALREADY_RETRIED` outcomes of one `retryFailedJobs` result. */
export function recordRetryOutcomes(meter: MetricMeterSource, outcomes: { outcome: string }[]): void {
  add(
    meter,
    RECOVERY_METRICS.retriesAlreadyApplied,
    outcomes.filter((o) => o.outcome === 'ALREADY_RETRIED').length,
  );
}

/** Counts the jobs of one escalation notice by reason. Call once per notice (first attempt only). */
export function recordEscalations(meter: MetricMeterSource, notice: EscalationNotice): void {
  const byReason = new Map<string, number>();
  for (const job of notice.jobs) byReason.set(job.reason, (byReason.get(job.reason) ?? 0) + 1);
  for (const [reason, count] of byReason) add(meter, RECOVERY_METRICS.escalations, count, { reason });
}

/**
 * The Batch client with counters around it: accepted RetryJobs (by job) and failed calls (by action and
 * code). The client layer itself stays unaware of metrics; its failures pass through unchanged.
 */
export function countingBatchApi(api: BatchApi, meter: MetricMeterSource = activityMetricMeter): BatchApi {
  const counted =
    <I, O>(action: string, call: (input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      try {
        return await call(input);
      } catch (err) {
        add(meter, RECOVERY_METRICS.apiErrors, 1, { action, code: errorCode(err) });
        throw err;
      }
    };
  return {
    describeJobs: counted('DescribeJobs', (i) => api.describeJobs(i)),
    describeJob: counted('DescribeJob', (i) => api.describeJob(i)),
    describeTask: counted('DescribeTask', (i) => api.describeTask(i)),
    retryJobs: counted('RetryJobs', async (input: { jobIds: string[] }) => {
      const answer = await api.retryJobs(input);
      add(meter, RECOVERY_METRICS.retriesSent, input.jobIds.length);
      return answer;
    }),
    submitJob: counted('SubmitJob', (i) => api.submitJob(i)),
    terminateJob: counted('TerminateJob', (i) => api.terminateJob(i)),
    deleteJob: counted('DeleteJob', (i) => api.deleteJob(i)),
  };
}

/** `details[0].code` of a classified failure; its `type` or `UNKNOWN` otherwise (a bug in the client layer). */
function errorCode(err: unknown): string {
  if (!(err instanceof ApplicationFailure)) return 'UNKNOWN';
  const details = err.details?.[0] as Partial<TencentApiErrorDetails> | undefined;
  return typeof details?.code === 'string' ? details.code : (err.type ?? 'UNKNOWN');
}
