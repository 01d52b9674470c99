import { statusQuery } from '../shared/messages';
import type { RecoveryStatus } from '../shared/recovery-types';
import { jobReadsQuery } from '../shared/watcher-types';
import type { RecoveryClient } from './recovery-client';
import { withWatcherReads, type WatcherReads } from './watcher-reads';

/** How long a job watcher may take to tell of its reads: the status is complete without them. */
const WATCHER_READS_TIMEOUT_MS = 5_000;

/**
 * The recovery's live status (the `status` query): overall state, per-job phase, last known Batch state,
 * retries, last failure, next check, pending escalations. Each job's `lastReadAt` includes the job watchers' reads
 * that found no change, which the workflow never hears of; a watcher that does not answer leaves the workflow's
 * own. Works on closed workflows too, while the namespace keeps them, as long as a recovery worker runs. Throws
 * the SDK's `WorkflowNotFoundError` for an unknown ID.
 */
export async function getRecoveryStatus(client: RecoveryClient, workflowId: string): Promise<RecoveryStatus> {
  const status = await client.workflow.getHandle(workflowId).query(statusQuery);
  if (status.jobWatchers === undefined) return status;
  const jobIds = status.jobs.filter((job) => job.phase !== 'DONE').map((job) => job.jobId);
  const reads = await Promise.all(status.jobWatchers.map((id) => readWatcher(client, id, jobIds)));
  return withWatcherReads(
    status,
    reads.filter((r): r is WatcherReads => r !== undefined),
  );
}

/** What a running job watcher tells of the reads of `jobIds`; nothing when it is not running or does not answer. */
async function readWatcher(
  client: RecoveryClient,
  watcherId: string,
  jobIds: string[],
): Promise<WatcherReads | undefined> {
  const deadline = Date.now() + WATCHER_READS_TIMEOUT_MS;
  try {
    return await client.workflow.connection.withDeadline(deadline, async () => {
      const watcher = await client.workflow.getHandle(watcherId).describe();
      if (watcher.status.name !== 'RUNNING') return undefined;
      // The query goes to the run described: a run names its poll activities afresh.
      const jobs = await client.workflow.getHandle(watcherId, watcher.runId).query(jobReadsQuery, { jobIds });
      return { jobs, pendingActivities: watcher.raw.pendingActivities ?? [] };
    });
  } catch {
    return undefined;
  }
}
