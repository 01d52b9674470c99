/**
 * Messages of `recoverBatchJobsWorkflow`, by name. `define*` only builds a typed name, so clients and the
 * workflow share these definitions; callers in other languages use the names.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  DecisionAck,
  JobStateChangedSignal,
  RecoveryStatus,
  ResolveEscalationInput,
  RetryNowInput,
} from './recovery-types';

/** Per-job status: phase, last known state, retries, last failure, next check. */
export const statusQuery = defineQuery<RecoveryStatus>('status');

/** A job changed state (e.g. a Batch event notification): re-read job states now instead of at the next poll. */
export const jobStateChangedSignal = defineSignal<[JobStateChangedSignal]>('jobStateChanged');

/** An operator's decision on escalated jobs: retry with more attempts, abandon, or mark resolved. */
export const resolveEscalationUpdate = defineUpdate<DecisionAck, [ResolveEscalationInput]>(
  'resolveEscalation',
);

/** Skip the backoff of jobs waiting to be retried and retry them now. */
export const retryNowUpdate = defineUpdate<DecisionAck, [RetryNowInput]>('retryNow');
