import Long from 'long';
import type { temporal } from '@temporalio/proto';
import { withWatcherReads, type WatcherReads } from '../../src/client/watcher-reads';
import type { JobStatus, RecoveryStatus } from '../../src/shared/recovery-types';

const T0 = Date.parse('2026-11-25T00:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString();

function job(jobId: string, overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    jobId,
    phase: 'WATCHING',
    lastKnownState: 'RUNNING',
    lastStateChangeAt: at(T0),
    lastReadAt: at(T0),
    retries: 0,
    retriesLeft: 3,
    repeatedFailures: 0,
    timeline: [],
    timelineDropped: 0,
    ...overrides,
  };
}

function status(...jobs: JobStatus[]): RecoveryStatus {
  return {
    overall: 'WATCHING',
    startedAt: at(T0),
    deadline: at(T0 + 86_400_000),
    jobWatchers: ['watcher'],
    jobs,
  };
}

/** A poll activity whose last attempt failed with `type` and finished at `finishedMs`. */
function poll(
  activityId: string,
  type: string,
  finishedMs: number,
): temporal.api.workflow.v1.IPendingActivityInfo {
  return {
    activityId,
    lastFailure: { message: 'no change', applicationFailureInfo: { type } },
    lastAttemptCompleteTime: { seconds: Long.fromNumber(Math.floor(finishedMs / 1000)), nanos: 250_000_000 },
  };
}

const lastReads = (merged: RecoveryStatus): (string | undefined)[] => merged.jobs.map((j) => j.lastReadAt);

describe('a status with the job watchers’ reads', () => {
  it("moves a job's last read to its poll's last attempt that found no change", () => {
    const watcher: WatcherReads = {
      jobs: [{ jobId: 'job-aaaaaaaa', readAt: at(T0 + 1_000), pollActivityId: 'poll-2' }],
      pendingActivities: [
        poll('poll-1', 'JobsUnchanged', T0 + 90_000),
        poll('poll-2', 'JobsUnchanged', T0 + 60_000),
      ],
    };
    expect(lastReads(withWatcherReads(status(job('job-aaaaaaaa')), [watcher]))).toEqual([at(T0 + 60_250)]);
  });

  it("takes the watcher's own read when its poll has not found a job unchanged yet", () => {
    const watcher: WatcherReads = {
      jobs: [{ jobId: 'job-aaaaaaaa', readAt: at(T0 + 5_000), pollActivityId: 'poll-1' }],
      pendingActivities: [],
    };
    expect(lastReads(withWatcherReads(status(job('job-aaaaaaaa')), [watcher]))).toEqual([at(T0 + 5_000)]);
  });

  it('ignores a poll attempt that failed for any other reason than finding no change', () => {
    const watcher: WatcherReads = {
      jobs: [{ jobId: 'job-aaaaaaaa', pollActivityId: 'poll-1' }],
      pendingActivities: [poll('poll-1', 'ApiBudgetBusy', T0 + 60_000)],
    };
    expect(lastReads(withWatcherReads(status(job('job-aaaaaaaa')), [watcher]))).toEqual([at(T0)]);
  });

  it('never moves a last read back, nor that of a job done', () => {
    const watcher: WatcherReads = {
      jobs: [
        { jobId: 'job-aaaaaaaa', readAt: at(T0 + 1_000) },
        { jobId: 'job-bbbbbbbb', readAt: at(T0 + 1_000) },
      ],
      pendingActivities: [],
    };
    const merged = withWatcherReads(
      status(
        job('job-aaaaaaaa', { lastReadAt: at(T0 + 2_000) }),
        job('job-bbbbbbbb', { phase: 'DONE', outcome: 'SUCCEEDED' }),
      ),
      [watcher],
    );
    expect(lastReads(merged)).toEqual([at(T0 + 2_000), at(T0)]);
  });

  it('takes the latest read among the watcher shards, and leaves the status it was given as it was', () => {
    const given = status(job('job-aaaaaaaa'), job('job-bbbbbbbb', { lastReadAt: undefined }));
    const merged = withWatcherReads(given, [
      { jobs: [{ jobId: 'job-aaaaaaaa', readAt: at(T0 + 3_000) }], pendingActivities: [] },
      {
        jobs: [{ jobId: 'job-bbbbbbbb', pollActivityId: 'poll-7' }],
        pendingActivities: [poll('poll-7', 'JobsUnchanged', T0 + 7_000)],
      },
    ]);
    expect(lastReads(merged)).toEqual([at(T0 + 3_000), at(T0 + 7_250)]);
    expect(lastReads(given)).toEqual([at(T0), undefined]);
  });
});
