/**
 * `jobStateWatcherWorkflow`: one per namespace and describe queue. Recovery workflows register the jobs they
 * still watch; the watcher reads all of them together, up to 100 per DescribeJobs call (the describe queue's
 * rate limit paces the calls), and signals each owner only the jobs that changed. 500 workflows watching one job
 * each cost 5 calls per poll instead of 500: with DescribeJobs at 2/s, a wave of failures is seen in seconds.
 *
 * It polls the way a recovery workflow polls on its own: one `awaitJobChanges` activity per 100 jobs, whose
 * retries are the polls, so waiting adds no history. A part that sees a change reports it and polls again on its
 * own; the others keep polling. New registrations get one read of their jobs (a first look) and a poll of their
 * own; every hour all polls are rebuilt into full parts without the jobs nobody watches any more.
 *
 * Owners decide everything (retry, escalate); the watcher only reads and tells. A lost registration costs at most
 * one refresh period (owners renew it every 2 h, and at once when their jobs change); a registration of a
 * workflow that ended is dropped when signalling it fails, or after its TTL.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
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
import { describeActivityError, refusedForGood } from './activity-errors';
import { pollOptions, readStatesOptions } from './activity-options';
import { WatchRegistry } from './watch-registry';

/** A burst of new registrations (a pipeline starting 500 workflows) shares its first look. */
const FIRST_LOOK_GATHER_MS = 1_000;

/** How long one set of polls runs before the watcher rebuilds it (drops stale registrations and their jobs). */
const DEFAULT_POLL_SET_LIFETIME_MS = 60 * 60_000;

/** Continue as new well before the server's suggestion, so the carried registrations stay small per run. */
const MAX_HISTORY_EVENTS = 10_000;

export async function jobStateWatcherWorkflow(input: JobWatcherInput = {}): Promise<void> {
  const describeQueue = input.describeTaskQueue ?? DEFAULT_DESCRIBE_TASK_QUEUE;
  const { readJobStates } = proxyActivities<Activities>(readStatesOptions(describeQueue));
  const pollSetLifetimeMs = input.pollSetLifetimeMs ?? DEFAULT_POLL_SET_LIFETIME_MS;
  // A poll outlives its set a little, so that the set's own timer, not the poll's timeout, ends it.
  const pollTimeoutMs = pollSetLifetimeMs + Math.min(5 * 60_000, pollSetLifetimeMs);
  const registry = WatchRegistry.fromCarried(input.owners ?? []);
  setHandler(watchJobsSignal, (request) => registry.register(request, Date.now()));

  const timeToContinue = (): boolean =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= MAX_HISTORY_EVENTS;

  const tell = async (ownerWorkflowId: string, message: WatchedJobsChanged): Promise<void> => {
    try {
      // Not cancellable: a poll set being torn down (rebuild, continue-as-new) must still deliver what it read.
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(ownerWorkflowId).signal(watchedJobsChangedSignal, message),
      );
    } catch (err) {
      // The server could not deliver it: the owner ended (completed, terminated) without unregistering.
      registry.drop(ownerWorkflowId);
      log.info('Dropped the registration of a workflow that is gone', {
        ownerWorkflowId,
        error: String(err),
      });
    }
  };

  /** Tells every owner what a read of `jobIds` changed for it, or, if the read was refused for good, why. */
  const report = async (
    jobIds: string[],
    read: { jobs: JobSnapshot[] } | { error: unknown },
  ): Promise<void> => {
    const messages = new Map<string, WatchedJobsChanged>();
    if ('jobs' in read) {
      for (const [owner, changed] of registry.changesFor(read.jobs))
        messages.set(owner, { snapshots: changed });
    } else if (!refusedForGood(read.error)) {
      // Throttled or faulty for minutes, a poll's lifetime ended, or its cancellation was under way: these jobs
      // are read again next time.
      log.debug('Job states not read this time', { error: describeActivityError(read.error) });
    } else {
      // Refused for good (credentials, permissions): the owners must escalate; they register again once a person
      // has acted, and until then nobody polls for them.
      const error = describeActivityError(read.error);
      for (const [owner, ids] of registry.ownersOf(jobIds)) {
        messages.set(owner, { snapshots: [], error: { ...error, jobIds: ids } });
        registry.drop(owner);
      }
    }
    await Promise.all([...messages].map(([owner, message]) => tell(owner, message)));
  };

  /** One read of `jobIds` now (one activity per 100, run together). */
  const readNow = async (jobIds: string[]): Promise<void> => {
    await Promise.all(
      chunk(jobIds, MAX_JOB_IDS_PER_REQUEST).map(async (part) => {
        const read = await readJobStates({ jobIds: part }).catch((error: unknown) => ({ error }));
        await report(part, read);
      }),
    );
  };

  /** Polls one part (≤ 100 jobs) until nobody watches its jobs or the scope is cancelled; reports each change. */
  const pollPart = async (part: string[]): Promise<void> => {
    const { awaitJobChanges } = proxyActivities<Activities>(
      pollOptions(registry.pollIntervalMs(), pollTimeoutMs, describeQueue),
    );
    let ids = part;
    while (ids.length > 0) {
      try {
        await report(ids, await awaitJobChanges({ known: registry.seenStates(ids) }));
      } catch (error) {
        if (isCancellation(error)) return;
        await report(ids, { error });
      }
      const watched = new Set(registry.jobIds());
      ids = ids.filter((id) => watched.has(id));
    }
  };

  /** Polls every watched job until the poll set's lifetime ends, nobody is left, or it is time to continue. */
  const pollForAWhile = async (): Promise<void> => {
    registry.forgetUnwatched();
    const until = Date.now() + pollSetLifetimeMs;
    const polled = new Set<string>();
    const running: Promise<void>[] = [];
    const scope = new CancellationScope();
    const startPolling = (jobIds: string[]): void => {
      jobIds.forEach((id) => polled.add(id));
      for (const part of chunk(jobIds, MAX_JOB_IDS_PER_REQUEST)) {
        const polling = scope.run(() => pollPart(part));
        // Handled at once: a rejection left for the final allSettled would fail the workflow task meanwhile.
        running.push(
          polling.catch((err: unknown) => {
            if (!isCancellation(err)) log.error('A poll of job states stopped', { error: String(err) });
          }),
        );
      }
    };
    startPolling(registry.jobIds());
    for (;;) {
      const woken = await condition(
        () => registry.unseenJobIds().length > 0 || registry.isEmpty() || timeToContinue(),
        until - Date.now(),
      );
      if (!woken || registry.isEmpty() || timeToContinue()) break;
      await sleep(FIRST_LOOK_GATHER_MS);
      const unseen = registry.unseenJobIds();
      await readNow(unseen);
      startPolling(unseen.filter((id) => !polled.has(id)));
    }
    scope.cancel();
    await Promise.allSettled(running);
  };

  while (!timeToContinue()) {
    const expired = registry.expire(Date.now());
    if (expired.length > 0) log.info('Dropped registrations not renewed in time', { owners: expired });
    if (registry.isEmpty()) {
      await condition(() => !registry.isEmpty() || timeToContinue());
    } else if (registry.unseenJobIds().length > 0) {
      await sleep(FIRST_LOOK_GATHER_MS);
      await readNow(registry.unseenJobIds());
    } else {
      await pollForAWhile();
    }
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof jobStateWatcherWorkflow>({ ...input, owners: registry.toCarried() });
}
