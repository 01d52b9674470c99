/**
 * `jobStateWatcherWorkflow`: one per namespace and describe queue. Recovery workflows register the jobs they
 * still watch; the watcher reads all of them together, up to 100 per DescribeJobs call (the describe queue's
 * rate limit paces the calls), and signals each owner only the jobs that changed. 500 workflows watching one job
 * each cost 5 calls per poll instead of 500: with DescribeJobs at 2/s, a wave of failures is seen in seconds.
 *
 * Owners decide everything (retry, escalate); the watcher only reads and tells. A lost registration costs at most
 * one refresh period (owners renew it every 2 h, and at once when their jobs change); a registration of a
 * workflow that ended is dropped when signalling it fails, or after its TTL.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { JobSnapshot } from '../shared/batch-types';
import { DEFAULT_DESCRIBE_TASK_QUEUE, MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import { chunk } from '../shared/job-id';
import {
  watchJobsSignal,
  watchedJobsChangedSignal,
  type JobWatcherInput,
  type WatchedJobsChanged,
} from '../shared/watcher-types';
import { describeActivityError, ranOutOfTime } from './activity-errors';
import { readStatesOptions } from './activity-options';
import { WatchRegistry } from './watch-registry';

/** A burst of new registrations (a pipeline starting 500 workflows) shares its first look. */
const FIRST_LOOK_GATHER_MS = 1_000;

/** Continue as new well before the server's suggestion, so the carried registrations stay small per run. */
const MAX_HISTORY_EVENTS = 10_000;

export async function jobStateWatcherWorkflow(input: JobWatcherInput = {}): Promise<void> {
  const { readJobStates } = proxyActivities<Activities>(
    readStatesOptions(input.describeTaskQueue ?? DEFAULT_DESCRIBE_TASK_QUEUE),
  );
  const registry = WatchRegistry.fromCarried(input.owners ?? []);
  setHandler(watchJobsSignal, (request) => registry.register(request, Date.now()));

  const timeToContinue = (): boolean =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= MAX_HISTORY_EVENTS;

  const tell = async (ownerWorkflowId: string, message: WatchedJobsChanged): Promise<void> => {
    try {
      await getExternalWorkflowHandle(ownerWorkflowId).signal(watchedJobsChangedSignal, message);
    } catch (err) {
      // The owner ended (completed, terminated) without unregistering: stop watching for it.
      registry.drop(ownerWorkflowId);
      log.info('Dropped the registration of a workflow that is gone', {
        ownerWorkflowId,
        error: String(err),
      });
    }
  };

  /** Reads `jobIds` (one activity per 100, run together) and tells every owner what changed for it. */
  const pollRound = async (jobIds: string[]): Promise<void> => {
    const parts = chunk(jobIds, MAX_JOB_IDS_PER_REQUEST);
    const settled = await Promise.allSettled(parts.map((part) => readJobStates({ jobIds: part })));
    const snapshots: JobSnapshot[] = [];
    const messages = new Map<string, WatchedJobsChanged>();
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        snapshots.push(...result.value.jobs);
      } else if (ranOutOfTime(result.reason)) {
        // Throttled or faulty for minutes: nothing to tell; the next round reads these jobs again.
        log.warn('Could not read job states this round', { error: describeActivityError(result.reason) });
      } else {
        // Refused for good (credentials, permissions): the owners must escalate; they register again once a
        // person has acted, and until then nobody polls for them.
        const error = describeActivityError(result.reason);
        for (const [owner, ids] of registry.ownersOf(parts[i] ?? [])) {
          messages.set(owner, { snapshots: [], error: { ...error, jobIds: ids } });
          registry.drop(owner);
        }
      }
    });
    for (const [owner, changed] of registry.changesFor(snapshots)) {
      messages.set(owner, { ...messages.get(owner), snapshots: changed });
    }
    await Promise.all([...messages].map(([owner, message]) => tell(owner, message)));
  };

  let lastFullRoundMs = Number.NEGATIVE_INFINITY;
  while (!timeToContinue()) {
    const expired = registry.expire(Date.now());
    if (expired.length > 0) log.info('Dropped registrations not renewed in time', { owners: expired });
    if (registry.isEmpty()) {
      await condition(() => !registry.isEmpty() || timeToContinue());
      continue;
    }
    const untilFullRound = lastFullRoundMs + registry.pollIntervalMs() - Date.now();
    if (untilFullRound > 0) {
      // Until the next full poll, only jobs an owner has never seen get read (a first look, soon).
      const unseen = await condition(
        () => registry.unseenJobIds().length > 0 || registry.isEmpty(),
        untilFullRound,
      );
      if (unseen && !registry.isEmpty()) {
        await sleep(FIRST_LOOK_GATHER_MS);
        await pollRound(registry.unseenJobIds());
      }
      continue;
    }
    lastFullRoundMs = Date.now();
    await pollRound(registry.jobIds());
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof jobStateWatcherWorkflow>({ ...input, owners: registry.toCarried() });
}
