/**
 * A recovery's status with the job watchers' reads of its jobs. A watcher's poll that sees no change fails on
 * purpose (`JobsUnchanged`), so its read reaches neither the watcher's state nor the recovery's: the last of them
 * is the poll activity's last failed attempt, among the watcher's pending activities. Pure, so it is tested on
 * its own.
 */
import type { google, temporal } from '@temporalio/proto';
import { ErrorType } from '../shared/errors';
import type { RecoveryStatus } from '../shared/recovery-types';
import type { JobRead } from '../shared/watcher-types';

/** What one job watcher tells of a recovery's jobs. */
export interface WatcherReads {
  /** Its answer to `jobReadsQuery`. */
  jobs: readonly JobRead[];
  /** Its pending activities (`describe().raw.pendingActivities`), among them its polls. */
  pendingActivities: readonly temporal.api.workflow.v1.IPendingActivityInfo[];
}

/**
 * `status` with each open job's `lastReadAt` moved to the latest read the watchers tell of, when that is later.
 * The input is not changed.
 */
export function withWatcherReads(status: RecoveryStatus, watchers: readonly WatcherReads[]): RecoveryStatus {
  const latestMs = new Map<string, number>();
  for (const watcher of watchers) {
    for (const [jobId, readMs] of watcherReadsMs(watcher)) {
      latestMs.set(jobId, Math.max(readMs, latestMs.get(jobId) ?? readMs));
    }
  }
  return {
    ...status,
    jobs: status.jobs.map((job) => {
      const readMs = latestMs.get(job.jobId);
      // A job done is watched no more: a read after the one that ended it says nothing of it.
      if (readMs === undefined || job.phase === 'DONE') return job;
      if (job.lastReadAt !== undefined && Date.parse(job.lastReadAt) >= readMs) return job;
      return { ...job, lastReadAt: new Date(readMs).toISOString() };
    }),
  };
}

/** Per job, the latest read one watcher tells of: its own record, or its poll's last read without change. */
function watcherReadsMs({ jobs, pendingActivities }: WatcherReads): Map<string, number> {
  const unchangedMs = unchangedPollsMs(pendingActivities);
  const reads = new Map<string, number>();
  for (const { jobId, readAt, pollActivityId } of jobs) {
    const times = [
      readAt === undefined ? undefined : Date.parse(readAt),
      pollActivityId === undefined ? undefined : unchangedMs.get(pollActivityId),
    ].filter((ms): ms is number => ms !== undefined && !Number.isNaN(ms));
    if (times.length > 0) reads.set(jobId, Math.max(...times));
  }
  return reads;
}

/** Per poll activity whose last attempt found no change, when that attempt finished. */
function unchangedPollsMs(
  pendingActivities: readonly temporal.api.workflow.v1.IPendingActivityInfo[],
): Map<string, number> {
  const polls = new Map<string, number>();
  for (const { activityId, lastFailure, lastAttemptCompleteTime } of pendingActivities) {
    if (!activityId || !lastAttemptCompleteTime) continue;
    if (lastFailure?.applicationFailureInfo?.type !== ErrorType.JobsUnchanged) continue;
    polls.set(activityId, timestampMs(lastAttemptCompleteTime));
  }
  return polls;
}

function timestampMs({ seconds, nanos }: google.protobuf.ITimestamp): number {
  // `seconds` is a Long, which converts through its decimal text.
  return Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1_000_000);
}
