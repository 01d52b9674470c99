/**
 * poll-cost: what waiting costs. Jobs that keep RUNNING are watched in several layouts (1 workflow of 1 job, of
 * 100, of 1,000; 10 workflows of 100 and 100 workflows of 10); over a bounded window, every Tencent API call (from the emulator's
 * ledger) and every Temporal history event of every workflow on the run's task queues (the recovery workflows
 * and the package's helper workflows: the RetryJobs dispatcher, the shared job watcher) are counted, per
 * job-hour, as measured: at the default 1-minute poll interval, over a window that holds the watcher's hourly
 * rebuild of its polls. The layouts run side by side (each with its own emulator, task queues and worker), so
 * the run takes one window, not one per layout.
 *
 *   npm run bench:poll-cost [-- --layouts 1x1,1x100,1x1000,10x100,100x10 --poll-interval 60s --window-seconds 3900]
 */
import { MAX_JOB_IDS_PER_REQUEST } from '../src/shared/constants';
import { parseDurationMs } from '../src/shared/duration';
import { parseExtraInput, progress, readOptions, reproduceCommand, runBenchmark } from './lib/bench-cli';
import { withCleanupScope } from './lib/cleanup';
import { KEEPS_RUNNING, layoutLabel, parseLayout, type Layout } from './lib/jobs';
import { jobsRead } from './lib/ledger-figures';
import {
  cancelRecoveries,
  eventTimeMs,
  historiesOnQueues,
  terminateEverythingOnQueues,
  type RunHistory,
} from './lib/recoveries';
import { describeMachine, markdownTable, writeReport, type ReportHeader } from './lib/report';
import { isFailed, recordFailure, startScenario, type FailedScenario, type Scenario } from './lib/scenario';
import { round } from './lib/stats';
import { startBenchTemporal, type BenchTemporal } from './lib/temporal-server';
import { waitUntil } from './lib/waiting';
import { setTimeout as delay } from 'node:timers/promises';

const OPTIONS = {
  layouts: '1x1,1x100,1x1000,10x100,100x10',
  /** The policy's default: the figures are what a default deployment pays, not scaled from a shorter interval. */
  pollInterval: '60s',
  /**
   * The measuring window, shared by all layouts: 65 minutes, so it holds the watcher's hourly rebuild of its
   * polls (counted in `watcher_polls_started_in_window`) and every poll round in between.
   */
  windowSeconds: 3900,
  /** How long the workflows may take to read every job once before the window starts anyway. */
  setupSeconds: 180,
  workers: 1,
  /** JSON object merged into every workflow input (e.g. '{"policy":{"pollInterval":"30s"}}'). */
  input: '',
  /** File name of the results in bench/results/ (without extension), e.g. to keep a variant next to the default. */
  out: 'poll-cost',
};

const HOUR_MS = 3_600_000;

/** What a reader needs to know about one layout. */
interface PollCostFigures {
  layout: string;
  workflows: number;
  jobs_per_workflow: number;
  jobs: number;
  window_seconds: number;
  poll_interval_seconds: number;
  /** Whether a shared job watcher workflow ran (the package's coalesced polling). */
  shared_watcher: boolean;
  jobs_read_before_window: number;
  api_calls: number;
  api_calls_by_action: Record<string, number>;
  api_calls_throttled: number;
  describe_calls_per_poll_interval: number;
  /**
   * DescribeJobs one poll round asks for: ⌈jobs/100⌉ when the shared watcher reads them together, else one
   * ⌈jobs/100⌉ per workflow.
   */
  describe_calls_per_interval_wanted: number;
  /** Fewer calls were made than the rounds ask for: the describe queue's rate limit, not the interval, set the pace. */
  rate_bound: boolean;
  /** DescribeJobs per interval if all jobs were read together, 100 per call. */
  describe_calls_per_interval_if_fully_shared: number;
  history_events: number;
  history_events_by_workflow_type: Record<string, number>;
  /** Events already in the histories when the window opened: the one-off cost of starting and first reads. */
  history_events_before_window: number;
  /**
   * `awaitJobChanges` polls the watcher started in the window: ⌈jobs/100⌉ for each rebuild of its poll set (hourly)
   * and none between (a poll's retries are the rounds). Shows the hourly work fell inside the window.
   */
  watcher_polls_started_in_window: number;
  measured: { api_calls_per_job_hour: number | undefined; history_events_per_job_hour: number | undefined };
}

runBenchmark(async () => {
  const options = readOptions(OPTIONS);
  const layouts = options.layouts.split(',').map(parseLayout);
  const pollIntervalMs = parseDurationMs(options.pollInterval);
  if (pollIntervalMs === undefined)
    throw new Error(`--poll-interval ${options.pollInterval} is not a duration`);
  const extraInput = parseExtraInput(options.input);
  const header: ReportHeader = {
    name: options.out,
    title: `poll-cost: API calls and history events while waiting${options.input ? ` (input ${options.input})` : ''}`,
    command: reproduceCommand('poll-cost'),
    startedAt: new Date(),
    machine: describeMachine(),
    configuration: {
      ...options,
      emulator_rate_limits: 'API defaults: DescribeJobs 2/s, RetryJobs 2/s',
      worker_rate_limits: 'worker defaults: TENCENT_BATCH_API_RATE_LIMITS international (DescribeJobs 2/s)',
      policy: { pollInterval: options.pollInterval },
      job_script: 'RUNNING from creation for a day (nothing changes during the run)',
      temporal: 'dev server (temporal CLI start-dev, in-memory SQLite, default 4 partitions per task queue)',
    },
  };
  const temporal = await startBenchTemporal('poll-cost');
  const figures = await withCleanupScope(() =>
    Promise.all(
      layouts.map(async (layout, index) => {
        const result = await recordFailure(layout, () =>
          measureLayout(temporal, layout, index, pollIntervalMs, { ...options, extraInput }),
        );
        if (isFailed(result)) progress(`${result.layout} failed: ${result.failed}`);
        return result;
      }),
    ),
  );
  const written = await writeReport(header, { layouts: figures }, reportBody(figures, pollIntervalMs));
  progress(`wrote ${written.join(', ')}`);
});

async function measureLayout(
  temporal: BenchTemporal,
  layout: Layout,
  index: number,
  pollIntervalMs: number,
  options: typeof OPTIONS & { extraInput: Record<string, unknown> },
): Promise<PollCostFigures> {
  const label = layoutLabel(layout);
  const scenario = await startScenario(temporal, {
    name: `poll${index + 1}`,
    layout,
    workerProcesses: options.workers,
    script: KEEPS_RUNNING,
    input: { ...options.extraInput, policy: { pollInterval: options.pollInterval } },
    emulator: { seed: index + 1 },
  });
  const { emulator, jobs } = scenario;
  progress(
    `${label}: ${scenario.recoveries.length} workflows started; waiting for every job to be read once`,
  );
  await waitUntil(
    () => jobsRead(emulator.ledger, jobs, scenario.startedAt).size === jobs.length,
    options.setupSeconds * 1000,
    500,
  );
  const readBeforeWindow = jobsRead(emulator.ledger, jobs, scenario.startedAt).size;
  // One more interval: the first reads' own bookkeeping (first-look rounds, registrations) stays out of the window.
  await delay(pollIntervalMs);

  progress(
    `${label}: ${readBeforeWindow}/${jobs.length} jobs read; measuring for ${options.windowSeconds} s`,
  );
  const before = await historiesOnQueues(temporal.client, scenario.queues);
  const windowStart = emulator.emulatedNow();
  const windowStartWallClock = new Date();
  await delay(options.windowSeconds * 1000);
  const windowEnd = emulator.emulatedNow();
  const after = await historiesOnQueues(temporal.client, scenario.queues);
  const watcherPolls = watcherPollsStartedSince(after, windowStartWallClock);
  const figures = costFigures(scenario, layout, pollIntervalMs, {
    windowStart,
    windowEnd,
    before,
    after,
    readBeforeWindow,
    watcherPolls,
  });
  progress(`${label}: ${JSON.stringify(figures)}`);
  await cancelRecoveries(scenario.recoveries, 30_000);
  await terminateEverythingOnQueues(temporal.client, scenario.queues);
  return figures;
}

/** The measuring window: its ends on the ledger's clock, and the histories at both ends. */
interface Window {
  windowStart: number;
  windowEnd: number;
  before: readonly RunHistory[];
  after: readonly RunHistory[];
  /** Jobs some DescribeJobs had read when the window opened. */
  readBeforeWindow: number;
  watcherPolls: number;
}

/** `awaitJobChanges` activities the layout's job watcher scheduled since `since` (every run of it). */
function watcherPollsStartedSince(runs: readonly RunHistory[], since: Date): number {
  return runs
    .filter((run) => run.type === 'jobStateWatcherWorkflow')
    .flatMap((run) => run.events)
    .filter(
      (event) =>
        event.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitJobChanges' &&
        eventTimeMs(event) >= since.getTime(),
    ).length;
}

function costFigures(
  scenario: Scenario,
  layout: Layout,
  pollIntervalMs: number,
  { windowStart, windowEnd, before, after, readBeforeWindow, watcherPolls }: Window,
): PollCostFigures {
  const calls = scenario.emulator.ledger.entries({ since: windowStart, until: windowEnd });
  const byAction: Record<string, number> = {};
  for (const call of calls) byAction[call.action] = (byAction[call.action] ?? 0) + 1;
  const eventsBefore = new Map(before.map((run) => [`${run.workflowId}/${run.runId}`, run.events.length]));
  const eventsByType: Record<string, number> = {};
  for (const run of after) {
    const grown = run.events.length - (eventsBefore.get(`${run.workflowId}/${run.runId}`) ?? 0);
    eventsByType[run.type] = (eventsByType[run.type] ?? 0) + grown;
  }
  const historyEvents = Object.values(eventsByType).reduce((sum, n) => sum + n, 0);
  const windowMs = windowEnd - windowStart;
  const jobs = scenario.jobs.length;
  const jobHours = (jobs * windowMs) / HOUR_MS;
  const perJobHour = (n: number): number | undefined => (jobHours > 0 ? n / jobHours : undefined);
  const sharedWatcher = after.some((run) => run.type === 'jobStateWatcherWorkflow');
  const perRound = (n: number): number => Math.ceil(n / MAX_JOB_IDS_PER_REQUEST);
  const wanted = sharedWatcher ? perRound(jobs) : layout.workflows * perRound(layout.jobsPerWorkflow);
  const describeCalls = byAction['DescribeJobs'] ?? 0;
  const describePerInterval = (describeCalls * pollIntervalMs) / windowMs;
  const rateBound = describePerInterval < 0.9 * wanted;
  return {
    layout: layoutLabel(layout),
    workflows: layout.workflows,
    jobs_per_workflow: layout.jobsPerWorkflow,
    jobs,
    window_seconds: round(windowMs / 1000, 1) ?? 0,
    poll_interval_seconds: pollIntervalMs / 1000,
    shared_watcher: sharedWatcher,
    jobs_read_before_window: readBeforeWindow,
    api_calls: calls.length,
    api_calls_by_action: byAction,
    api_calls_throttled: calls.filter((call) => call.outcome === 'RequestLimitExceeded').length,
    describe_calls_per_poll_interval: round(describePerInterval, 2) ?? 0,
    describe_calls_per_interval_wanted: wanted,
    rate_bound: rateBound,
    describe_calls_per_interval_if_fully_shared: Math.ceil(jobs / MAX_JOB_IDS_PER_REQUEST),
    history_events: historyEvents,
    history_events_by_workflow_type: eventsByType,
    history_events_before_window: before.reduce((sum, run) => sum + run.events.length, 0),
    watcher_polls_started_in_window: watcherPolls,
    measured: {
      api_calls_per_job_hour: round(perJobHour(calls.length), 3),
      history_events_per_job_hour: round(perJobHour(historyEvents), 3),
    },
  };
}

function reportBody(all: readonly (PollCostFigures | FailedScenario)[], pollIntervalMs: number): string {
  const seconds = pollIntervalMs / 1000;
  const figures = all.filter((f): f is PollCostFigures => !isFailed(f));
  const failures = all.filter(isFailed).map((f) => `- **${f.layout}** could not be measured: ${f.failed}`);
  const rows = figures.map((f) => [
    f.layout,
    f.jobs,
    f.shared_watcher ? 'yes' : 'no',
    `${f.api_calls} (${f.api_calls_throttled} throttled)`,
    `${f.describe_calls_per_poll_interval} of ${f.describe_calls_per_interval_wanted} wanted${f.rate_bound ? ' (rate-bound)' : ''}`,
    f.history_events,
    f.watcher_polls_started_in_window,
    f.measured.api_calls_per_job_hour,
    f.measured.history_events_per_job_hour,
    f.history_events_before_window,
  ]);
  const byType = figures.map(
    (f) =>
      `- **${f.layout}**: ${Object.entries(f.history_events_by_workflow_type)
        .map(([type, n]) => `${type} ${n}`)
        .join(
          ', ',
        )}; API calls ${JSON.stringify(f.api_calls_by_action)}; ${f.jobs_read_before_window}/${f.jobs} jobs read before the window.`,
  );
  return `
## Results

Layouts (workflows × jobs each): ${all.map((f) => f.layout).join(', ')}; measured side by side, each with its own
emulator, task queues and worker, in a ${figures[0]?.window_seconds ?? '?'} s window at ${seconds} s polls.

${failures.join('\n')}

${markdownTable(
  [
    'layout (workflows × jobs)',
    'jobs',
    'shared watcher',
    'API calls in window',
    `DescribeJobs per ${seconds} s`,
    'history events in window',
    'watcher polls started in window',
    `**api_calls_per_job_hour** @${seconds}s`,
    `**history_events_per_job_hour** @${seconds}s`,
    'events before window (one-off)',
  ],
  rows,
)}

Where the window's history events went (by workflow type), and the API calls by action:

${byType.join('\n')}

## How the figures are made

- API calls: every ledger entry of the emulator in the window (all actions, throttled ones included).
- History events: every workflow run on the layout's three task queues (\`workflow.list({ query:
  "TaskQueue='…' OR …" })\`), the recovery workflows and the helper workflows alike, each run's \`fetchHistory()\`
  counted at both ends of the window; the sum of what each grew (a run that started in the window counts whole).
- Per job-hour: count ÷ (jobs × window in hours), at the poll interval the run used (${seconds} s), as measured:
  nothing is scaled or extrapolated.
- The window (${figures[0]?.window_seconds ?? '?'} s) is long enough to hold the watcher's hourly rebuild of its polls:
  "watcher polls started in window" counts the \`awaitJobChanges\` activities its history scheduled in the window
  (⌈jobs/100⌉ per rebuild; 0 would mean the rebuild fell outside). Recovery workflows renew their registration
  every 2 h (src/shared/watcher-types.ts), outside a window this long.
- "DescribeJobs per ${seconds} s": the calls made per interval next to those the rounds want (⌈jobs/100⌉ when the
  shared watcher reads all jobs together, one ⌈n/100⌉ per workflow when each polls its own); fewer than wanted
  ("rate-bound") means the describe task queue's limit set the pace.
- "Events before window": what the histories held when the window opened (starting the workflows, first reads,
  registrations): a one-off cost per workflow, not per hour.
`;
}
