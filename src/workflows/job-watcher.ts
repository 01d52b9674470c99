/**
 * One run of `jobStateWatcherWorkflow`: the registrations (a {@link WatchRegistry}) and the steps that read job
 * states and tell owners what changed. The watcher reads and tells, and hands over the retries its owners decided
 * in advance (their standing orders); owners decide everything else.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DispatchActivities } from '../activities/request-retries';
import { DESCRIBE_JOBS_SPACING_MS } from '../shared/api-budget-types';
import type { JobSnapshot } from '../shared/batch-types';
import { retryRequestedSignal } from '../shared/dispatcher-types';
import {
  DEFAULT_DESCRIBE_TASK_QUEUE,
  MAX_JOB_IDS_PER_REQUEST,
  retryDispatcherWorkflowId,
} from '../shared/constants';
import { chunk } from '../shared/job-id';
import {
  watchedJobsChangedSignal,
  type JobWatcherInput,
  type WatchRequest,
  type WatchedJobsChanged,
  type WatcherHandOver,
} from '../shared/watcher-types';
import { PLATFORM_TROUBLE_PAUSE_MS, describeActivityError, refusedForGood } from './activity-errors';
import { SIGNAL_ACTIVITY_OPTIONS, pollOptions, readStatesOptions } from './activity-options';
import { groupByNotBefore } from './hand-over-groups';
import { fanOutSignal } from './signal-workflows';
import { WatchRegistry, type OwnerNews } from './watch-registry';

const { requestRetries } = proxyLocalActivities<DispatchActivities>(SIGNAL_ACTIVITY_OPTIONS);

/**
 * A burst of new registrations (a pipeline starting 500 workflows) shares its first look. A look an owner asked for
 * (it was told a job changed) does not wait: the job's retry waits for this read.
 */
const FIRST_LOOK_GATHER_MS = 200;

/**
 * First reads in flight at once: enough to keep DescribeJobs at the budget's pace while each read's answer comes
 * back, few enough that a read an owner asks for waits behind at most this many (100,000 new jobs are 1,000 reads,
 * which all at once would wait in the budget past their timeouts).
 */
const READ_LANES = 4;

/** How long one set of polls runs before the watcher rebuilds it (drops stale registrations and their jobs). */
const DEFAULT_POLL_SET_LIFETIME_MS = 60 * 60_000;

/** Continue as new well before the server's suggestion, so the carried registrations stay small per run. */
const MAX_HISTORY_EVENTS = 10_000;

export class JobWatcher {
  readonly registry: WatchRegistry;
  /**
   * The reports in flight, one after another. Never two local activities at once, and nothing waits on one to
   * schedule a poll: on replay a local activity's result is applied when it is scheduled (its marker is already in
   * history), earlier than it arrived in the first run, so commands that followed results arriving in some order
   * could come out in another one (a nondeterminism bench:chaos found with two reports at once).
   */
  private reports: Promise<void> = Promise.resolve();
  private readonly describeQueue: string;
  private readonly readJobStates: Activities['readJobStates'];
  private readonly pollSetLifetimeMs: number;
  /** How many watchers share the describe queue's budget. */
  private readonly shards: number;
  /** A poll outlives its set a little, so that the set's own timer, not the poll's timeout, ends it. */
  private readonly pollTimeoutMs: number;

  constructor(private readonly input: JobWatcherInput) {
    this.describeQueue = input.describeTaskQueue ?? DEFAULT_DESCRIBE_TASK_QUEUE;
    this.readJobStates = proxyActivities<Activities>(readStatesOptions(this.describeQueue)).readJobStates;
    this.pollSetLifetimeMs = input.pollSetLifetimeMs ?? DEFAULT_POLL_SET_LIFETIME_MS;
    this.shards = input.shards ?? 1;
    this.pollTimeoutMs = this.pollSetLifetimeMs + Math.min(5 * 60_000, this.pollSetLifetimeMs);
    this.registry = WatchRegistry.fromCarried(input.owners ?? []);
  }

  /** The owners' signal. */
  register(request: WatchRequest): void {
    this.registry.register(request, Date.now());
  }

  timeToContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  }

  /** Waits for the reports in flight (before continuing as new: what was read must reach its owners). */
  async reportsSent(): Promise<void> {
    await this.reports;
  }

  /** The next run's input: the same settings, with the registrations carried over. */
  continueAsNewInput(): JobWatcherInput {
    return { ...this.input, owners: this.registry.toCarried() };
  }

  /** Drops registrations not renewed in time. */
  expireStale(): void {
    const expired = this.registry.expire(Date.now());
    if (expired.length > 0) log.info('Dropped registrations not renewed in time', { owners: expired });
  }

  /** Waits until someone registers, or it is time to continue as new. */
  async awaitOwners(): Promise<void> {
    await condition(() => !this.registry.isEmpty() || this.timeToContinue());
  }

  /**
   * Reads every job the watcher never read (or was asked to read again), gathered for a moment unless an owner
   * asked: a few reads of up to 100 jobs at a time, the jobs owners asked for first, until none is
   * left or it is time to continue as new. `onRead` gets each part once read.
   */
  async firstLook(onRead: (part: string[]) => void = () => undefined): Promise<void> {
    let asked = this.registry.takeAskedFor();
    if (asked.length === 0) await sleep(FIRST_LOOK_GATHER_MS);
    let pending: string[] = [];
    const reading = new Set<string>();
    const nextPart = (): string[] => {
      if (this.timeToContinue()) return [];
      asked = [...asked, ...this.registry.takeAskedFor()];
      if (asked.length === 0 && pending.length === 0) pending = this.registry.unseenJobIds();
      const part = [...new Set([...asked, ...pending])]
        .filter((id) => !reading.has(id))
        .slice(0, MAX_JOB_IDS_PER_REQUEST);
      const taken = new Set(part);
      asked = asked.filter((id) => !taken.has(id));
      pending = pending.filter((id) => !taken.has(id));
      return part;
    };
    const lane = async (): Promise<void> => {
      for (let part = nextPart(); part.length > 0; part = nextPart()) {
        part.forEach((id) => reading.add(id));
        const read = await this.readOnce(part);
        part.forEach((id) => reading.delete(id));
        if (read) onRead(part);
      }
    };
    // The shards of a queue share the budget: together they keep about READ_LANES reads in flight.
    await Promise.all(Array.from({ length: Math.ceil(READ_LANES / this.shards) }, lane));
  }

  /** Polls every watched job until the poll set's lifetime ends, nobody is left, or it is time to continue. */
  async pollForAWhile(): Promise<void> {
    this.registry.forgetUnwatched();
    const until = Date.now() + this.pollSetLifetimeMs;
    const polls = new PollSet(
      (part, notBeforeMs) => this.pollPart(part, notBeforeMs),
      DESCRIBE_JOBS_SPACING_MS * this.shards,
    );
    polls.start(this.registry.jobIds());
    for (;;) {
      const woken = await condition(
        () => this.registry.unseenJobIds().length > 0 || this.registry.isEmpty() || this.timeToContinue(),
        until - Date.now(),
      );
      if (!woken || this.registry.isEmpty() || this.timeToContinue()) break;
      await this.firstLook((part) => polls.start(part));
    }
    await polls.stop();
  }

  /**
   * One read of `part` (≤ 100 jobs), told to the owners meanwhile (the next read does not wait for that); a failed
   * one pauses before the jobs, still unseen, are read again. Whether the read succeeded.
   */
  private async readOnce(part: string[]): Promise<boolean> {
    const read = await this.readJobStates({ jobIds: part }).catch((error: unknown) => ({ error }));
    if ('error' in read) {
      await this.pauseAfterFailedRead(part, read.error);
      return false;
    }
    void this.report(read.jobs);
    return true;
  }

  /**
   * Polls one part (≤ 100 jobs) until nobody watches its jobs or the scope is cancelled; reports each change. Each
   * poll starts one interval after the part's last read (and not before `notBeforeMs`), so parts read at the
   * budget's pace keep that pace.
   */
  private async pollPart(part: string[], notBeforeMs: number): Promise<void> {
    let ids = part;
    while (ids.length > 0) {
      const intervalMs = this.registry.pollIntervalMs(this.shards);
      const waitMs = Math.max(notBeforeMs, this.registry.lastReadMs(ids) + intervalMs) - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      const { awaitJobChanges } = proxyActivities<Activities>(
        pollOptions(intervalMs, this.pollTimeoutMs, this.describeQueue),
      );
      const read = await awaitJobChanges({ known: this.registry.seenStates(ids) }).catch(
        (error: unknown) => ({ error }),
      );
      if ('error' in read) {
        if (isCancellation(read.error)) return;
        // The poll set stopping during the pause rejects it with a cancellation, which ends this poll.
        await this.pauseAfterFailedRead(ids, read.error);
      } else {
        // Telling the owners goes on meanwhile.
        void this.report(read.jobs);
      }
      const watched = new Set(this.registry.jobIds());
      ids = ids.filter((id) => watched.has(id));
    }
  }

  /**
   * A read failed: platform trouble (credentials refused for minutes, a permission or the endpoint misconfigured,
   * the API down), never the jobs'. The owners are not told: their jobs simply keep the state last read, and are
   * read again after a pause, so that a failure that comes back at once (not retried by its activity) cannot
   * spin. Operators see it in the worker's log, the API error metrics and `/healthz`.
   */
  private async pauseAfterFailedRead(jobIds: string[], error: unknown): Promise<void> {
    log.warn('Job states could not be read; reading them again after a pause', {
      jobs: jobIds.length,
      pauseMs: PLATFORM_TROUBLE_PAUSE_MS,
      notRetried: refusedForGood(error),
      error: describeActivityError(error),
    });
    await sleep(PLATFORM_TROUBLE_PAUSE_MS);
  }

  /**
   * Hands the retries a read made due on standing orders to their dispatchers at once, with a signal of this
   * workflow's own (a command: it does not wait for the reports in flight, whose local activities go one after
   * another), then tells every owner what the read changed for it, all in one activity. Owners that ended
   * without unregistering are dropped; when the signals could not be sent (the server unreachable for minutes),
   * the owners are marked as not told, so the jobs are read and told again.
   */
  private report(jobs: JobSnapshot[]): Promise<void> {
    const changes = [...this.registry.changesFor(jobs, Date.now())];
    if (changes.length === 0) return this.reports;
    const handOvers = handOverRequests(changes);
    const signalled = signalDispatchers(handOvers);
    this.reports = this.reports.then(async () => {
      // Not cancellable: a poll set being torn down (rebuild, continue-as-new) must still deliver what it read.
      const handedOver = await CancellationScope.nonCancellable(() =>
        this.startDispatchers(handOvers, signalled),
      );
      await this.tell(changes, handedOver);
    });
    return this.reports;
  }

  private async tell(changes: [string, OwnerNews][], handedOver: WatcherHandOver[]): Promise<void> {
    const messages = changes.map(([workflowId, { snapshots }]) => {
      const message: WatchedJobsChanged = { snapshots };
      const mine = handedOver.filter((h) => h.request.requesterWorkflowId === workflowId);
      if (mine.length > 0) message.handedOver = mine;
      return { workflowId, message };
    });
    try {
      const gone = await CancellationScope.nonCancellable(() =>
        fanOutSignal(watchedJobsChangedSignal, messages),
      );
      for (const ownerWorkflowId of gone) this.registry.drop(ownerWorkflowId);
      if (gone.length > 0) log.info('Dropped the registrations of workflows that are gone', { owners: gone });
    } catch (err) {
      for (const [owner, { snapshots }] of changes)
        this.registry.untell(
          owner,
          snapshots.map((s) => s.jobId),
        );
      log.warn('Could not tell owners what changed; reading their jobs again', {
        owners: changes.length,
        error: describeActivityError(err),
      });
    }
  }

  /**
   * The hand-overs whose signal did not reach a running dispatcher (none runs yet on that queue, or it could not
   * be signalled) go by signal-with-start, in this report's turn. Returns what was handed over; a hand-over the
   * server refused for minutes is left to the owners, who are told of the failures as of any other and decide
   * them themselves.
   */
  private async startDispatchers(
    handOvers: Map<string, WatcherHandOver[]>,
    signalled: Promise<Set<string>>,
  ): Promise<WatcherHandOver[]> {
    const delivered = await signalled;
    const handedOver: WatcherHandOver[] = [];
    for (const [retryTaskQueue, queued] of handOvers) {
      if (delivered.has(retryTaskQueue)) {
        handedOver.push(...queued);
        continue;
      }
      try {
        await requestRetries({
          dispatcherWorkflowId: retryDispatcherWorkflowId(retryTaskQueue),
          dispatcherTaskQueue: workflowInfo().taskQueue,
          dispatcher: { retryTaskQueue },
          requests: queued.map((h) => h.request),
        });
        handedOver.push(...queued);
      } catch (err) {
        log.warn('Could not hand retries to the dispatcher; their owners decide them', {
          retryTaskQueue,
          failures: queued.reduce((n, h) => n + h.request.failures.length, 0),
          error: describeActivityError(err),
        });
      }
    }
    return handedOver;
  }
}

/** The retries due on standing orders, per retry queue, grouped per owner as an owner groups its own. */
function handOverRequests(changes: [string, OwnerNews][]): Map<string, WatcherHandOver[]> {
  const byQueue = new Map<string, WatcherHandOver[]>();
  for (const [requesterWorkflowId, { dueRetries }] of changes) {
    for (const queue of new Set(dueRetries.map((d) => d.retryTaskQueue))) {
      const due = dueRetries
        .filter((d) => d.retryTaskQueue === queue)
        .map((d) => ({ ...d.failure, notBeforeMs: d.notBeforeMs }));
      const requests = groupByNotBefore(due).map(({ failures, notBeforeMs }) => ({
        request: { requesterWorkflowId, requestId: uuid4(), failures, notBeforeMs },
        retryTaskQueue: queue,
      }));
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), ...requests]);
    }
  }
  return byQueue;
}

/**
 * Signals each queue's running dispatcher its hand-overs, all at once; resolves with the queues reached. Not
 * cancellable, like the report it belongs to.
 */
function signalDispatchers(handOvers: Map<string, WatcherHandOver[]>): Promise<Set<string>> {
  return CancellationScope.nonCancellable(async () => {
    const reached = new Set<string>();
    await Promise.all(
      [...handOvers].map(async ([retryTaskQueue, queued]) => {
        try {
          await getExternalWorkflowHandle(retryDispatcherWorkflowId(retryTaskQueue)).signal(
            retryRequestedSignal,
            {
              requests: queued.map((h) => h.request),
            },
          );
          reached.add(retryTaskQueue);
        } catch (err) {
          log.info('The dispatcher could not be signalled; starting it with the hand-over', {
            retryTaskQueue,
            error: describeActivityError(err),
          });
        }
      }),
    );
    return reached;
  });
}

/**
 * The polls of one poll set: one per part of ≤ 100 jobs, all cancelled together when the set ends. The parts
 * started together start their polls a budget's spacing apart, so a rebuilt set does not read every part at once.
 */
class PollSet {
  private readonly polled = new Set<string>();
  private readonly running: Promise<void>[] = [];
  private readonly scope = new CancellationScope();

  constructor(
    private readonly pollPart: (part: string[], notBeforeMs: number) => Promise<void>,
    /** How far apart the parts started together start polling. */
    private readonly spacingMs: number,
  ) {}

  /** Starts polling the jobs among `jobIds` that this set does not poll yet. */
  start(jobIds: string[]): void {
    const fresh = jobIds.filter((id) => !this.polled.has(id));
    fresh.forEach((id) => this.polled.add(id));
    const now = Date.now();
    chunk(fresh, MAX_JOB_IDS_PER_REQUEST).forEach((part, i) => {
      const polling = this.scope.run(() => this.pollPart(part, now + i * this.spacingMs));
      // Handled at once: a rejection left for the final allSettled would fail the workflow task meanwhile.
      this.running.push(
        polling.catch((err: unknown) => {
          if (!isCancellation(err)) log.error('A poll of job states stopped', { error: String(err) });
        }),
      );
    });
  }

  async stop(): Promise<void> {
    this.scope.cancel();
    await Promise.allSettled(this.running);
  }
}
