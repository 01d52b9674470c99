/**
 * The targeted mutants of `npm run test:mutants`: each breaks one guard of the retry path or the API budget, and
 * names the fast tests that must notice. A mutant that survives is either equivalent (its entry says why, in
 * `survivorReason`) or a gap in those tests.
 */

/** The jest projects of jest.config.js a mutant's tests may run in. */
export type JestProject = 'dev-server' | 'postgresql';

export interface Mutant {
  /** Unique, kebab-case; `--only <id>` runs this one. */
  id: string;
  /** Repository-relative path of the file mutated (a copy of it: the working tree is never touched). */
  file: string;
  /** Exact text to replace; must occur exactly once in `file`. */
  search: string;
  replace: string;
  /** One line: which guard this breaks, and what could then go wrong. */
  description: string;
  /** Repository-relative test files that must fail with the mutant in place. */
  tests: string[];
  /** Jest `-t`: runs only the matching tests of `tests` (keeps slow files fast). */
  testNamePattern?: string;
  /** @default 'dev-server' */
  project?: JestProject;
  /** Why this mutant is equivalent (no test can tell it from the original), when it survives. */
  survivorReason?: string;
}

const RETRY_ACTIVITY = 'src/activities/retry-failed-jobs.ts';
const DISPATCH_QUEUE = 'src/workflows/retry-dispatch-queue.ts';
const DISPATCHER_WORKFLOW = 'src/workflows/retry-jobs-dispatcher-workflow.ts';
const BUDGET_BOOK = 'src/workflows/api-budget-book.ts';
const BUDGET_WORKFLOW = 'src/workflows/tencent-api-budget-workflow.ts';
const BUDGET_ACTIVITY = 'src/activities/api-budget.ts';
const SEND_AT_SLOT = 'src/batch/send-at-slot.ts';
const JOB_TRACKER = 'src/workflows/job-tracker.ts';
const JOB_WATCHER = 'src/workflows/job-watcher.ts';

const RETRY_ACTIVITY_TESTS = ['test/unit/retry-failed-jobs.test.ts'];
const DISPATCH_QUEUE_TESTS = ['test/unit/retry-dispatch-queue.test.ts'];
const DISPATCHER_WORKFLOW_TESTS = ['test/workflows/retry-jobs-dispatcher.test.ts'];
const BUDGET_BOOK_TESTS = ['test/unit/api-budget-book.test.ts'];
const BUDGET_WORKFLOW_TESTS = ['test/workflows/tencent-api-budget.test.ts'];
const BUDGET_ACTIVITY_TESTS = ['test/unit/api-budget.test.ts'];
const SEND_AT_SLOT_TESTS = ['test/batch/send-at-slot.test.ts'];
const JOB_TRACKER_TESTS = ['test/unit/job-tracker.test.ts'];
const JOB_WATCHER_TESTS = ['test/e2e/job-watcher.e2e.test.ts'];

export const MUTANTS: readonly Mutant[] = [
  // The idempotent RetryJobs activity: one call per observed failure, never a second.
  {
    id: 'retry-ignores-end-time',
    file: RETRY_ACTIVITY,
    search: ': s.endTime === observed.endTime;',
    replace: ': true;',
    description:
      'The same-failure check ignores EndTime: a job that failed again since (newer EndTime) is retried as the failure observed.',
    // The e2e makes that moment happen against the emulator (answer lost, job failed again before the next attempt).
    tests: [...RETRY_ACTIVITY_TESTS, 'test/e2e/recovery-path.e2e.test.ts'],
    testNamePattern: "^retryFailedJobs |leaves a job's next failure to its owner",
  },
  {
    id: 'retry-ignores-missing-end-time',
    file: RETRY_ACTIVITY,
    search: 'observed.noEndTime ? s.endTime === undefined :',
    replace: 'observed.noEndTime ? true :',
    description:
      'A failure observed without an EndTime matches whatever the job shows now, even a newer failure that has one.',
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'retry-retries-job-not-failed',
    file: RETRY_ACTIVITY,
    search: "if (s.state === 'FAILED' && sameFailure) return true;",
    replace: 'if (sameFailure) return true;',
    description:
      'The not-FAILED check is gone: a job running again (or succeeded) that still shows the observed EndTime is retried.',
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'retry-sends-already-retried',
    file: RETRY_ACTIVITY,
    search: '        endTime: s.endTime,\n      });\n      return false;',
    replace: '        endTime: s.endTime,\n      });\n      return true;',
    description:
      'ALREADY_RETRIED is recorded but the job is sent anyway: a failure an earlier attempt answered gets a second RetryJobs.',
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'retry-treats-transient-errors-as-refusals',
    file: RETRY_ACTIVITY,
    search: 'if (!isRefusal(err)) throw err;',
    replace: '',
    description:
      'Throttling and transport errors are handled as a refusal of the jobs instead of thrown for Temporal to retry: jobs still FAILED end NOT_RETRIABLE.',
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'retry-refuses-lone-survivor',
    file: RETRY_ACTIVITY,
    search:
      'const [jobId] = remaining as [string];\n        if (remaining.length < group.length) return send(remaining);',
    replace: 'const [jobId] = remaining as [string];',
    description:
      "After a refused call, the one job still in its failure is marked NOT_RETRIABLE with another job's refusal instead of sent alone.",
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'retry-refuses-full-call',
    file: RETRY_ACTIVITY,
    search: 'if (failures.length > MAX_JOB_IDS_PER_REQUEST)',
    replace: 'if (failures.length >= MAX_JOB_IDS_PER_REQUEST)',
    description:
      'The input limit is off by one: a full call of 100 failures (what the dispatcher sends in a wave) is refused as invalid input.',
    tests: RETRY_ACTIVITY_TESTS,
  },

  // The dispatcher's queue: each request once, calls of at most 100 distinct jobs, one call per job at a time.
  {
    id: 'queue-no-request-dedupe',
    file: DISPATCH_QUEUE,
    search: "if (this.takenIds.has(request.requestId)) return 'duplicate';",
    replace: '',
    description: 'A request delivered twice (a retried signal-with-start) is queued and sent twice.',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'queue-refuses-full-request',
    file: DISPATCH_QUEUE,
    search: 'request.failures.length > MAX_JOB_IDS_PER_REQUEST',
    replace: 'request.failures.length >= MAX_JOB_IDS_PER_REQUEST',
    description: 'The size check is off by one: a request of exactly 100 failures is refused as wrong-size.',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'queue-overfills-call',
    file: DISPATCH_QUEUE,
    search: 'const fits = jobs.size + request.failures.length <= MAX_JOB_IDS_PER_REQUEST;',
    replace: 'const fits = true;',
    description:
      'Batching ignores the 100-job cap: requests are taken while fewer than 100 jobs are in, so one call can carry up to 199.',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'queue-same-job-twice-in-call',
    file: DISPATCH_QUEUE,
    search:
      'if (fits && this.canGo(entry, nowMs, dueFillCall) && !request.failures.some((f) => jobs.has(f.jobId))) {',
    replace: 'if (fits && this.canGo(entry, nowMs, dueFillCall)) {',
    description:
      'Two waiting requests for the same job go into one call (which the activity refuses whole, as a job listed twice).',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'queue-ignores-calls-in-flight',
    file: DISPATCH_QUEUE,
    search: 'return ready && !this.inFlight(entry);',
    replace: 'return ready;',
    description:
      'A request for a job whose call is in flight goes out at once: two calls in flight could both see the job FAILED.',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'queue-ignores-backoff',
    file: DISPATCH_QUEUE,
    search: 'return Math.max(request.notBeforeMs ?? arrivedAtMs, arrivedAtMs + this.gatherWindowMs);',
    replace: 'return arrivedAtMs + this.gatherWindowMs;',
    description:
      'A request handed over during its backoff goes out before the backoff ends: the policy would not have retried yet.',
    tests: DISPATCH_QUEUE_TESTS,
  },

  // The dispatcher workflow: what a continue-as-new must carry.
  {
    id: 'dispatcher-forgets-request-ids',
    file: DISPATCHER_WORKFLOW,
    search: 'return { ...this.input, ...this.queue.toCarried() };',
    replace: 'return { ...this.input, pending: this.queue.toCarried().pending };',
    description:
      'Continue-as-new drops the request IDs already taken: a request delivered again after it is sent a second time.',
    tests: DISPATCHER_WORKFLOW_TESTS,
    testNamePattern: 'carries the requests not sent yet',
  },
  {
    id: 'dispatcher-drops-pending-requests',
    file: DISPATCHER_WORKFLOW,
    search: 'return { ...this.input, ...this.queue.toCarried() };',
    replace: 'return { ...this.input, recentRequestIds: this.queue.toCarried().recentRequestIds };',
    description:
      'Continue-as-new drops the requests not sent yet: their failures are never retried and their requesters never answered.',
    tests: DISPATCHER_WORKFLOW_TESTS,
    testNamePattern: 'carries the requests not sent yet',
  },

  // The budget's ledger: never more slots than the limit in any window of one second plus the margin.
  {
    id: 'book-rounds-rate-up',
    file: BUDGET_BOOK,
    search: 'const perWindow = rate >= 1 ? Math.floor(rate) : 1;',
    replace: 'const perWindow = rate >= 1 ? Math.ceil(rate) : 1;',
    description: 'A fractional rate in force (2.5/s after a slowdown) grants 3 calls per window.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-window-without-margin',
    file: BUDGET_BOOK,
    search: 'const windowMs = (rate >= 1 ? 1_000 : 1_000 / rate) + SLOT_MARGIN_MS;',
    replace: 'const windowMs = rate >= 1 ? 1_000 : 1_000 / rate;',
    description:
      'Windows lose their margin: a call sent late within the tolerance puts limit + 1 calls into one API second.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-window-off-by-one',
    file: BUDGET_BOOK,
    search: 'const bounding = granted[granted.length - perWindow];',
    replace: 'const bounding = granted[granted.length - perWindow - 1];',
    description:
      'The slot limit + 1 back bounds the new one instead of the slot limit back: limit + 1 per window.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-no-window-bound',
    file: BUDGET_BOOK,
    search: 'return bounding === undefined ? slot : Math.max(slot, bounding + windowMs);',
    replace: 'return slot;',
    description:
      'Slots are ordered but not spaced: a burst of requests gets all its slots in the same instant.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-forgets-slots-early',
    file: BUDGET_BOOK,
    search: '(this.granted[request.action] ?? []).filter((t) => t > nowMs - FORGET_AFTER_MS)',
    replace: '(this.granted[request.action] ?? []).filter((t) => t > nowMs - 1_000)',
    description:
      'Slots are forgotten after 1 s instead of 10 s: below 1 call/s, a slot 2 s old no longer keeps the next a window away.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-recovers-above-limit',
    file: BUDGET_BOOK,
    search: 'return Math.min(1, slowdown.factor * 2 ** steps);',
    replace: 'return slowdown.factor * 2 ** steps;',
    description:
      'Recovery after a slowdown is not capped: a minute without refusals later the rate in force is above the limit.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'book-forgets-slots-on-continue',
    file: BUDGET_BOOK,
    search: 'if (recent.length > 0) granted[action] = recent;',
    replace: '',
    description:
      "Continue-as-new forgets the slots granted: the next run can put a second limit's worth of calls into the current window.",
    tests: BUDGET_BOOK_TESTS,
  },

  // The budget workflow: requests validated before history, refusals reported by the API slow it down.
  {
    id: 'budget-workflow-admits-oversized-request',
    file: BUDGET_WORKFLOW,
    search: 'request.calls < 1 || request.calls > MAX_CALLS_PER_REQUEST',
    replace: 'request.calls < 1',
    description:
      "A request for more than 100 calls is admitted: one caller can reserve minutes of an action's budget at once.",
    tests: BUDGET_WORKFLOW_TESTS,
  },
  {
    id: 'budget-workflow-ignores-refusals',
    file: BUDGET_WORKFLOW,
    search: 'book.refused(action, Date.now());',
    replace: 'void 0;',
    description:
      "RequestLimitExceeded reports are dropped: the budget never slows down while another service spends the account's limit.",
    tests: BUDGET_WORKFLOW_TESTS,
  },

  // The activities' side of the budget: every call waits for a slot of its own, in time.
  {
    id: 'budget-activity-calls-without-grant',
    file: BUDGET_ACTIVITY,
    search: 'const slot = await budget.take(action, readyAheadMs, background);',
    replace: 'const slot: number | undefined = Date.now();',
    description:
      'Batch calls go out without asking the budget: no limit holds, in one process or across many.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'budget-activity-calls-before-slot',
    file: BUDGET_ACTIVITY,
    search: 'if (startAt > Date.now()) await pauseHeartbeating(startAt - Date.now());',
    replace: '',
    description:
      'take() does not wait for its slot: a call goes out when granted, not when due, so a burst of grants is a burst of calls.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'budget-activity-uses-late-slot',
    file: BUDGET_ACTIVITY,
    search: 'if (Date.now() - slot <= SLOT_LATE_TOLERANCE_MS) {',
    replace: 'if (true) {',
    description: 'A slot already past its tolerance is used anyway: the late call can crowd the next window.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'grant-lead-raised-by-stall',
    file: BUDGET_ACTIVITY,
    search: 'if (grantCameLate) this.set(',
    replace: 'this.set(',
    description:
      'A slot missed because the process stalled doubles the lead: calls then wait seconds behind their slots after a stall.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'grant-lead-no-time-decay',
    file: BUDGET_ACTIVITY,
    search: 'const decayed = this.ms * 2 ** (-(this.now() - this.setAt) / LEAD_HALF_LIFE_MS);',
    replace: 'const decayed = this.ms;',
    description:
      'A raised lead falls only with answers: a process that asks rarely keeps a stall at start for minutes.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'budget-activity-throttle-fails-call',
    file: BUDGET_ACTIVITY,
    search: 'if (!(err instanceof ApplicationFailure && err.type === ErrorType.Throttled)) throw err;',
    replace: 'throw err;',
    description:
      'A RequestLimitExceeded answer fails the activity attempt instead of slowing the budget and waiting for a later slot.',
    tests: BUDGET_ACTIVITY_TESTS,
  },
  {
    id: 'budget-call-not-at-slot',
    file: BUDGET_ACTIVITY,
    search: 'const { answer, readyAfterMs } = await sendAtSlot(slot, SLOT_LATE_TOLERANCE_MS, call);',
    replace: 'const { answer, readyAfterMs } = { answer: await call(), readyAfterMs: undefined };',
    description:
      'A budgeted call is not held to its slot at the wire: a request delayed after its slot (a slow credential lookup, a busy process) still goes out and can crowd the next window.',
    tests: SEND_AT_SLOT_TESTS,
  },
  {
    id: 'budget-call-never-ready-ahead',
    file: BUDGET_ACTIVITY,
    search: 'const slot = await budget.take(action, readyAheadMs, background);',
    replace: 'const slot = await budget.take(action, 0, background);',
    description:
      'Calls start at their slots whatever their requests take to get ready: when every request is slower than the tolerance, none is ever sent.',
    tests: SEND_AT_SLOT_TESTS,
  },
  {
    id: 'agent-sends-past-tolerance',
    file: SEND_AT_SLOT,
    search: 'if (lateMs <= 0) return addRequest(request, options);',
    replace: 'return addRequest(request, options);',
    description: "The Batch client's agent sends a request past its slot's tolerance.",
    tests: SEND_AT_SLOT_TESTS,
  },
  {
    id: 'agent-sends-before-slot',
    file: SEND_AT_SLOT,
    search: 'if (earlyMs > 0) setTimeout(sendOrDrop, earlyMs);',
    replace: 'if (earlyMs > 0) sendOrDrop();',
    description: "The Batch client's agent sends a request ready early at once, before its slot.",
    tests: SEND_AT_SLOT_TESTS,
  },

  // A failure's first hand-over: the one call that may skip the activity's read.
  {
    id: 'retry-skips-read-on-any-call',
    file: RETRY_ACTIVITY,
    search: 'return now.getTime() - readAtMs <= FRESH_READ_MS;',
    replace: 'return true;',
    description:
      'Every first attempt skips the read, also for failures handed over before or read long ago: a call whose answer was lost is made a second time.',
    tests: RETRY_ACTIVITY_TESTS,
  },
  {
    id: 'hand-over-not-marked',
    file: 'src/workflows/job-recovery.ts',
    search: 'this.tracker.markHandedOver(due.map((f) => f.jobId));',
    replace: '',
    description:
      'The owner never marks a failure handed over: a failure postponed or unanswered is handed over again as a first hand-over, and its call skips the read.',
    tests: ['test/workflows/recover-batch-jobs.time-skipping.test.ts'],
    testNamePattern: 'postpones a retry that RetryJobs refused as a whole',
  },

  // The owner's policy and the watcher's reports.
  {
    id: 'backoff-from-the-read',
    file: JOB_TRACKER,
    search: 'job.nextRetryAt = iso(backoffEndMs(failure.endTime, nowMs, delay));',
    replace: 'job.nextRetryAt = iso(nowMs + delay);',
    description:
      'The backoff counts from when the failure was read, not from its EndTime: a failure read late waits its whole backoff again.',
    tests: JOB_TRACKER_TESTS,
  },
  {
    id: 'order-on-first-read',
    file: 'src/workflows/watch-registry.ts',
    search: 'known.state !== undefined && owner.orders ? dueOnOrder',
    replace: 'owner.orders ? dueOnOrder',
    description:
      'The watcher carries out a standing order on its first read of a job: a failure its owner may know and have handed over already is handed over again.',
    tests: ['test/unit/standing-orders.test.ts'],
  },
  {
    id: 'order-not-moved-on',
    file: 'src/workflows/watch-registry.ts',
    search: 'else orders.jobs[snapshot.jobId] = [retries + 1, left - 1];',
    replace: '',
    description:
      "A standing order carried out stays as it was: the next failure is retried with the first backoff again, and past the owner's retries.",
    tests: ['test/unit/standing-orders.test.ts'],
  },
  {
    id: 'second-first-hand-over-skips-read',
    file: DISPATCH_QUEUE,
    search: 'return stripped ? { ...request, failures } : request;',
    replace: 'return request;',
    description:
      'A failure handed over for the first time twice (a stale standing order crossing the owner) goes out twice without reading the job first.',
    tests: ['test/unit/standing-orders.test.ts'],
  },
  {
    id: 'watcher-reports-at-once',
    file: JOB_WATCHER,
    search: 'this.reports = this.reports.then(async () => {',
    replace: 'this.reports = Promise.resolve().then(async () => {',
    description:
      'The watcher runs two reports at once: a report that starts the dispatcher (a local activity) is replayed out of order with the other, and the commands that follow them too.',
    tests: JOB_WATCHER_TESTS,
    testNamePattern: 'two parts',
  },
  {
    id: 'book-background-queues',
    file: BUDGET_BOOK,
    search: 'if (request.background && nextSlot() - earliest > BACKGROUND_HORIZON_WINDOWS * windowMs) {',
    replace: 'if (false) {',
    description:
      'Polls book slots like any call: a first read or a read a signal asked for queues behind every poll due.',
    tests: BUDGET_BOOK_TESTS,
  },
  {
    id: 'first-look-asked-not-first',
    file: JOB_WATCHER,
    search: '      for (const id of asked) {\n',
    // The unseen jobs fill the part before the asked-for ones.
    replace:
      '      while (part.size < MAX_JOB_IDS_PER_REQUEST && nextPending < pending.length) part.add(pending[nextPending++] as string);\n      for (const id of asked) {\n',
    description:
      'A job an owner asks to have read (a jobStateChanged signal) waits behind the rest of a first look in progress.',
    tests: ['test/e2e/watcher-reads.e2e.test.ts'],
    testNamePattern: 'asks for ahead',
  },
  {
    id: 'asked-read-waits-for-lane',
    file: JOB_WATCHER,
    search:
      '      await condition(() => lanes === 0 || (lanes < maxLanes && this.registry.hasAskedFor()));\n',
    // Only the lanes a look starts with read: once they have ended, a read asked for waits for the last one.
    replace: '      await condition(() => lanes === 0);\n',
    description:
      'A job an owner asks to have read while another asked-for read waits for its answer is read only after that answer.',
    tests: ['test/e2e/watcher-reads.e2e.test.ts'],
    testNamePattern: 'waits for its answer',
  },
  {
    id: 'full-call-waits-gather',
    file: DISPATCH_QUEUE,
    search: 'const ready = this.readyAtMs(entry) <= nowMs || (dueFillCall && this.isDue(entry, nowMs));',
    replace: 'const ready = this.readyAtMs(entry) <= nowMs;',
    description:
      'Requests due now that fill a call still wait the gather window, a workflow timer the server fires a second later at the earliest.',
    tests: DISPATCH_QUEUE_TESTS,
  },
  {
    id: 'shard-ignored',
    file: 'src/shared/job-id.ts',
    search: 'return shards <= 1 ? 0 : fnv1a(jobId) % shards;',
    replace: 'return 0;',
    description: 'Every job goes to the first shard: one watcher and one dispatcher still carry everything.',
    tests: ['test/unit/shards.test.ts'],
  },
  {
    id: 'dispatcher-shard-ignored',
    file: 'src/workflows/dispatcher-link.ts',
    search: "shardOf(failures[0]?.jobId ?? '', this.target.shards),",
    replace: '0,',
    description: "An owner hands every retry to the first dispatcher shard, whatever its jobs' shard.",
    tests: ['test/e2e/watcher-reads.e2e.test.ts'],
    testNamePattern: 'dispatcher shards',
  },
  {
    id: 'watcher-reads-not-carried',
    file: 'src/workflows/job-watcher.ts',
    search: 'return { ...this.input, owners, reads };',
    replace: 'return { ...this.input, owners };',
    description: 'A watcher continues as new without what it read: every run starts its first look over.',
    tests: ['test/e2e/recovery-rules.e2e.test.ts'],
    testNamePattern: 'job watcher continued as new',
  },
];
