/**
 * Whether a chaos run met the dangerous moments it claims, read from the emulator's ledger and the owners' own
 * records rather than from what the run meant to do:
 * - a kill during RetryJobs: the killed worker ran a RetryJobs activity (the server's view) while the API held a
 *   RetryJobs call, one that arrived before the kill and was answered after it; proven complete when the call's
 *   jobs show ALREADY_RETRIED in their owners' timelines after the kill (the activity's next attempt ran, found the
 *   retry applied, and sent nothing);
 * - an apply-then-drop on RetryJobs: a call the API applied and then dropped the answer of.
 */
import type { LedgerEntry } from '../../src/emulator';
import type { JobStatus } from '../../src/shared/recovery-types';
import type { KillRecord } from './chaos-events';

/** The RetryJobs call a kill landed in. */
export interface HeldRetryJobsCall {
  requestId: string;
  arrivedAt: string;
  answeredAt: string;
  jobIds: string[];
  /** Jobs of the call whose owner recorded ALREADY_RETRIED after the kill. */
  alreadyRetriedJobs: number;
}

/** What the ledger and the timelines show. */
export interface RetryJobsEvidence {
  /** Kills of a worker running a RetryJobs activity while the API held a RetryJobs call. */
  killsDuringRetryJobs: number;
  /** Of those kills, the ones whose call's jobs all show ALREADY_RETRIED after the kill. */
  killsAnsweredByAlreadyRetried: number;
  /** RetryJobs calls applied and then left without an answer. */
  applyThenDrop: number;
  /** One per kill, in order: the held call it landed in, or null. */
  heldCalls: (HeldRetryJobsCall | null)[];
}

/** Reads the evidence of the run's RetryJobs moments. */
export function retryJobsEvidence(
  kills: readonly KillRecord[],
  ledger: readonly LedgerEntry[],
  jobs: readonly JobStatus[],
): RetryJobsEvidence {
  const retryCalls = ledger.filter((entry) => entry.action === 'RetryJobs');
  const byJob = new Map(jobs.map((job) => [job.jobId, job]));
  const heldCalls = kills.map((kill) => {
    if (!kill.retryJobsInFlight) return null;
    const call = retryCalls.find((e) => arrivedAt(e) <= kill.atEpochMs && kill.atEpochMs < answeredAt(e));
    return call ? heldCall(call, kill, byJob) : null;
  });
  const landed = heldCalls.filter((call): call is HeldRetryJobsCall => call !== null);
  return {
    killsDuringRetryJobs: landed.length,
    killsAnsweredByAlreadyRetried: landed.filter(
      (call) => call.jobIds.length > 0 && call.alreadyRetriedJobs === call.jobIds.length,
    ).length,
    applyThenDrop: retryCalls.filter((e) => e.outcome === 'fault:apply-then-drop' && e.applied === true)
      .length,
    heldCalls,
  };
}

function heldCall(
  call: LedgerEntry,
  kill: KillRecord,
  byJob: ReadonlyMap<string, JobStatus>,
): HeldRetryJobsCall {
  const jobIds = jobIdsOf(call);
  const alreadyRetried = jobIds.filter((jobId) =>
    (byJob.get(jobId)?.timeline ?? []).some(
      (entry) => entry.event === 'ALREADY_RETRIED' && Date.parse(entry.at) >= kill.atEpochMs,
    ),
  );
  return {
    requestId: call.requestId,
    arrivedAt: new Date(arrivedAt(call)).toISOString(),
    answeredAt: new Date(answeredAt(call)).toISOString(),
    jobIds,
    alreadyRetriedJobs: alreadyRetried.length,
  };
}

/** A `latency` fault holds the request before it is handled (and ledgered); `slow-answer` holds the answer after. */
function arrivedAt(entry: LedgerEntry): number {
  return entry.outcome === 'fault:latency' ? entry.at - (entry.latencyMs ?? 0) : entry.at;
}

function answeredAt(entry: LedgerEntry): number {
  return entry.outcome === 'fault:slow-answer' ? entry.at + (entry.latencyMs ?? 0) : entry.at;
}

function jobIdsOf(entry: LedgerEntry): string[] {
  const params = entry.params as { JobIds?: unknown } | undefined;
  return Array.isArray(params?.JobIds)
    ? params.JobIds.filter((id): id is string => typeof id === 'string')
    : [];
}
