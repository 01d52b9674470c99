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
import { chunk, shardOf } from '../shared/job-id';
import {
  watchedJobsChangedSignal,
  type JobRead,
  type JobReadsRequest,
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

/** The carried input stays this far below Temporal's 2 MB payload limit (settings and JSON quoting included). */
const CARRIED_INPUT_MAX_CHARS = 1_800_000;

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
  /** The poll activity reading each job now, by ID: a client finds the reads that saw no change in it. */
  private readonly pollOfJob = new Map<string, string>();
  /** Poll activities scheduled by this run, which names them in order. */
  private pollsScheduled = 0;

  constructor(private readonly input: JobWatcherInput) {
    this.describeQueue = input.describeTaskQueue ?? DEFAULT_DESCRIBE_TASK_QUEUE;
    this.readJobStates = proxyActivities<Activities>(readStatesOptions(this.describeQueue)).readJobStates;
    this.pollSetLifetimeMs = input.pollSetLifetimeMs ?? DEFAULT_POLL_SET_LIFETIME_MS;
    this.shards = input.shards ?? 1;
    this.pollTimeoutMs = this.pollSetLifetimeMs + Math.min(5 * 60_000, this.pollSetLifetimeMs);
    this.registry = WatchRegistry.fromCarried(input.owners ?? [], input.reads);
  }

  /** The owners' signal. */
  register(request: WatchRequest): void {
    this.registry.register(request, Date.now());
  }

  /** The client's query: the reads of those of `jobIds` this watcher watches. */
  jobReads({ jobIds }: JobReadsRequest): JobRead[] {
    const watched = new Set(this.registry.jobIds());
    return jobIds
      .filter((jobId) => watched.has(jobId))
      .map((jobId) => {
        const readAtMs = this.registry.lastReadMs([jobId]);
        const pollActivityId = this.pollOfJob.get(jobId);
        return {
          jobId,
          ...(readAtMs > 0 ? { readAt: new Date(readAtMs).toISOString() } : {}),
          ...(pollActivityId ? { pollActivityId } : {}),
        };
      });
  }

  timeToContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  }

  /** Waits for the reports in flight (before continuing as new: what was read must reach its owners). */
  async reportsSent(): Promise<void> {
    await this.reports;
  }

  /**
   * The next run's input: the same settings, with the registrations and as many reads as fit carried over (a run
   * whose first look ran into continue-as-new must not start it over).
   */
  continueAsNewInput(): JobWatcherInput {
    const owners = this.registry.toCarried();
    const readsChars = CARRIED_INPUT_MAX_CHARS - JSON.stringify(owners).length;
    const reads = this.registry.toCarriedReads(Math.max(0, readsChars));
    return { ...this.input, owners, reads };
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
    let nextPending = 0;
    const reading = new Set<string>();
    const taken = new Set<string>();
    // One pass over the unseen jobs per first look: a cursor, not a filter of the whole list per part.
    const nextPart = (): string[] => {
      if (this.timeToContinue()) return [];
      asked = [...asked, ...this.registry.takeAskedFor()];
      if (asked.length === 0 && nextPending >= pending.length) {
        pending = this.registry.unseenJobIds();
        nextPending = 0;
        taken.clear();
      }
      const part = new Set<string>();
      // An asked-for job being read waits for the next part: it was asked for after that read began.
      const askedLater: string[] = [];
      for (const id of asked) {
        if (reading.has(id) || part.size >= MAX_JOB_IDS_PER_REQUEST) askedLater.push(id);
        else part.add(id);
      }
      asked = askedLater;
      while (part.size < MAX_JOB_IDS_PER_REQUEST && nextPending < pending.length) {
        const id = pending[nextPending++] as string;
        if (!reading.has(id) && !taken.has(id)) part.add(id);
      }
      part.forEach((id) => taken.add(id));
      return [...part];
    };
    let lanes = 0;
    const lane = async (): Promise<void> => {
      for (let part = nextPart(); part.length > 0; part = nextPart()) {
        part.forEach((id) => reading.add(id));
        const read = await this.readOnce(part);
        part.forEach((id) => reading.delete(id));
        if (read) onRead(part);
      }
    };
    const startLane = () => {
      lanes++;
      void lane().finally(() => lanes--);
    };
    // The shards of a queue share the budget: together they keep about READ_LANES reads in flight.
    const maxLanes = Math.ceil(READ_LANES / this.shards);
    for (let i = 0; i < maxLanes; i++) startLane();
    // A lane ends once it finds nothing left to read. A read asked for after that gets a lane of its own, so it asks
    // the budget for a slot at once instead of waiting for a read in flight to come back first.
    for (;;) {
      await condition(() => lanes === 0 || (lanes < maxLanes && this.registry.hasAskedFor()));
      if (lanes === 0) return;
      startLane();
    }
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
    try {
      while (ids.length > 0) {
        const intervalMs = this.registry.pollIntervalMs(this.shards);
        const waitMs = Math.max(notBeforeMs, this.registry.lastReadMs(ids) + intervalMs) - Date.now();
        if (waitMs > 0) await sleep(waitMs);
        const { awaitJobChanges } = proxyActivities<Activities>({
          ...pollOptions(intervalMs, this.pollTimeoutMs, this.describeQueue),
          activityId: this.nextPollId(ids),
        });
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
    } finally {
      // A poll set covers each job with one part at a time: no other poll reads these jobs now.
      part.forEach((id) => this.pollOfJob.delete(id));
    }
  }

  /** Names the next poll activity (deterministically) as the one reading `ids`. */
  private nextPollId(ids: readonly string[]): string {
    this.pollsScheduled += 1;
    const activityId = `poll-${this.pollsScheduled}`;
    ids.forEach((id) => this.pollOfJob.set(id, activityId));
    return activityId;
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
    const handOvers = handOverRequests(changes, this.shards);
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
   * The hand-overs whose signal did not reach a running dispatcher (none runs yet for that queue and shard, or it
   * could not be signalled) go by signal-with-start, in this report's turn. Returns what was handed over; a
   * hand-over the server refused for minutes is left to the owners, who are told of the failures as of any other
   * and decide them themselves.
   */
  private async startDispatchers(
    handOvers: Map<string, WatcherHandOver[]>,
    signalled: Promise<Set<string>>,
  ): Promise<WatcherHandOver[]> {
    const delivered = await signalled;
    const handedOver: WatcherHandOver[] = [];
    for (const [dispatcherWorkflowId, queued] of handOvers) {
      if (delivered.has(dispatcherWorkflowId)) {
        handedOver.push(...queued);
        continue;
      }
      try {
        await requestRetries({
          dispatcherTaskQueue: workflowInfo().taskQueue,
          dispatcher: { retryTaskQueue: queued[0]?.retryTaskQueue ?? '' },
          deliveries: [{ dispatcherWorkflowId, requests: queued.map((h) => h.request) }],
        });
        handedOver.push(...queued);
      } catch (err) {
        log.warn('Could not hand retries to the dispatcher; their owners decide them', {
          dispatcherWorkflowId,
          failures: queued.reduce((n, h) => n + h.request.failures.length, 0),
          error: describeActivityError(err),
        });
      }
    }
    return handedOver;
  }
}

/**
 * The retries due on standing orders, per dispatcher (retry queue and the jobs' shard of `shards`), grouped per
 * owner as an owner groups its own.
 */
function handOverRequests(changes: [string, OwnerNews][], shards: number): Map<string, WatcherHandOver[]> {
  const byDispatcher = new Map<string, WatcherHandOver[]>();
  for (const [requesterWorkflowId, { dueRetries }] of changes) {
    const dueByDispatcher = new Map<string, { retryTaskQueue: string; due: typeof dueRetries }>();
    for (const d of dueRetries) {
      const dispatcher = retryDispatcherWorkflowId(
        d.retryTaskQueue,
        shardOf(d.failure.jobId, shards),
        shards,
      );
      const entry = dueByDispatcher.get(dispatcher) ?? { retryTaskQueue: d.retryTaskQueue, due: [] };
      entry.due.push(d);
      dueByDispatcher.set(dispatcher, entry);
    }
    for (const [dispatcher, { retryTaskQueue, due }] of dueByDispatcher) {
      const failures = due.map((d) => ({ ...d.failure, notBeforeMs: d.notBeforeMs }));
      const requests = groupByNotBefore(failures).map(({ failures: grouped, notBeforeMs }) => ({
        request: { requesterWorkflowId, requestId: uuid4(), failures: grouped, notBeforeMs },
        retryTaskQueue,
      }));
      byDispatcher.set(dispatcher, [...(byDispatcher.get(dispatcher) ?? []), ...requests]);
    }
  }
  return byDispatcher;
}

/**
 * Signals each running dispatcher its hand-overs, all at once; resolves with the dispatchers reached. Not
 * cancellable, like the report it belongs to.
 */
function signalDispatchers(handOvers: Map<string, WatcherHandOver[]>): Promise<Set<string>> {
  return CancellationScope.nonCancellable(async () => {
    const reached = new Set<string>();
    await Promise.all(
      [...handOvers].map(async ([dispatcherWorkflowId, queued]) => {
        try {
          await getExternalWorkflowHandle(dispatcherWorkflowId).signal(retryRequestedSignal, {
            requests: queued.map((h) => h.request),
          });
          reached.add(dispatcherWorkflowId);
        } catch (err) {
          log.info('The dispatcher could not be signalled; starting it with the hand-over', {
            dispatcherWorkflowId,
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
  start(jobIds: readonly string[]): void {
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
