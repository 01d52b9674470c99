/**
 * reaction: how long from a job entering FAILED (its EndTime in the emulator) to the RetryJobs call that answers
 * it (its time in the ledger), p50 and p99, when the failure is found by polling at the default 1-minute
 * interval, and when the caller reports it at once with the `jobStateChanged` signal (`notifyJobStateChanged`
 * from the client helpers, as a Batch event notification handler would).
 *
 *   npm run bench:reaction [-- --jobs 100 --spread-seconds 180 --modes poll,signal]
 */
import { setTimeout as delay } from 'node:timers/promises';
import { notifyJobStateChanged } from '../src/client';
import type { RunningEmulator } from '../src/emulator';
import { INTERNATIONAL_API_RATE_LIMITS } from '../src/shared/api-budget-types';
import { DEFAULT_POLICY } from '../src/shared/recovery-policy';
import { parseExtraInput, progress, readOptions, reproduceCommand, runBenchmark } from './lib/bench-cli';
import { withCleanupScope } from './lib/cleanup';
import { failsWhenToldThenSucceeds, layoutLabel, nextWholeSecond, parseLayout } from './lib/jobs';
import {
  actionFigures,
  appliedRetries,
  firstFailedReads,
  jobsRead,
  type ActionFigures,
} from './lib/ledger-figures';
import { cancelRecoveries, terminateEverythingOnQueues } from './lib/recoveries';
import { describeMachine, markdownTable, writeReport, type ReportHeader } from './lib/report';
import { startScenario, type Scenario } from './lib/scenario';
import { max, percentile, round, seededRandom } from './lib/stats';
import { lineChart } from './lib/svg-chart';
import { startBenchTemporal, type BenchTemporal } from './lib/temporal-server';
import { waitUntil } from './lib/waiting';

const OPTIONS = {
  /** Jobs per mode; at least 100 so that p99 is not simply the maximum. */
  jobs: 100,
  layout: '20x5',
  /** Failures fall on random whole seconds over this span (about one every 2 s). */
  spreadSeconds: 180,
  modes: 'poll,signal',
  /** The product's default poll interval: what the poll mode measures. */
  pollInterval: '1m',
  /** Small, so the figures show detection and dispatch; the default 30 s ±20% would add 24–36 s by design. */
  backoff: '1s',
  /** How long after the last failure its retry may take before the mode ends anyway. */
  tailSeconds: 90,
  setupSeconds: 60,
  seed: 7,
  /** JSON object merged into every workflow input (e.g. '{"policy":{"pollInterval":"30s"}}'). */
  input: '',
};

type Mode = 'poll' | 'signal';

/** What a reader needs to know about one mode. */
interface ReactionFigures {
  mode: Mode;
  jobs: number;
  layout: string;
  jobs_retried: number;
  reaction_ms: { p50: number | undefined; p99: number | undefined; max: number | undefined };
  /** From the EndTime to the first DescribeJobs that returned the job FAILED. */
  detection_ms: { p50: number | undefined; p99: number | undefined };
  /** From that read to the RetryJobs call (backoff, dispatcher, rate-limited retry queue). */
  dispatch_ms: { p50: number | undefined; p99: number | undefined };
  /** The slowest failures, to see where the tail comes from (times in ms after the EndTime). */
  slowest: { jobId: string; workflowId: string; endTime: string; first_read_ms?: number; retry_ms: number }[];
  /** Every job's reaction, sorted (for the chart). */
  reactions_ms: number[];
  /** Every action's calls against its limit, the window slack included. */
  actions: Record<string, ActionFigures>;
}

runBenchmark(async () => {
  const options = readOptions(OPTIONS);
  const modes = options.modes.split(',').map(parseMode);
  const extraInput = parseExtraInput(options.input);
  const header: ReportHeader = {
    name: 'reaction',
    title: 'reaction: from FAILED to RetryJobs, by polling and by signal',
    command: reproduceCommand('reaction'),
    startedAt: new Date(),
    machine: describeMachine(),
    configuration: {
      ...options,
      policy: policyOf(options),
      emulator_rate_limits: 'API defaults: DescribeJobs 2/s, RetryJobs 2/s',
      worker_rate_limits:
        'worker defaults: TENCENT_BATCH_API_RATE_LIMITS international (DescribeJobs 2/s, RetryJobs 2/s)',
      worker_processes: 1,
      job_script:
        'RUNNING from creation; forced FAILED at its scheduled second; after RetryJobs runs 2 s and succeeds',
      temporal: 'dev server (temporal CLI start-dev, in-memory SQLite, default 4 partitions per task queue)',
    },
  };
  const temporal = await startBenchTemporal('reaction');
  const figures: ReactionFigures[] = [];
  for (const mode of modes) {
    progress(`mode ${mode}`);
    figures.push(await withCleanupScope(() => measureMode(temporal, mode, { ...options, extraInput })));
  }
  const byMode = new Map(figures.map((f) => [f.mode, f]));
  const summary = {
    reaction_p50_ms_poll: byMode.get('poll')?.reaction_ms.p50,
    reaction_p99_ms_poll: byMode.get('poll')?.reaction_ms.p99,
    reaction_p50_ms_signal: byMode.get('signal')?.reaction_ms.p50,
    reaction_p99_ms_signal: byMode.get('signal')?.reaction_ms.p99,
  };
  const written = await writeReport(header, { ...summary, modes: figures }, reportBody(figures, options), [
    { file: 'reaction.svg', svg: reactionChart(figures) },
  ]);
  progress(`wrote ${written.join(', ')}`);
});

function parseMode(text: string): Mode {
  if (text === 'poll' || text === 'signal') return text;
  throw new Error(`--modes takes poll and/or signal, got ${JSON.stringify(text)}`);
}

function policyOf(options: typeof OPTIONS): {
  pollInterval: string;
  backoff: { initialInterval: string; jitter: number };
} {
  return { pollInterval: options.pollInterval, backoff: { initialInterval: options.backoff, jitter: 0 } };
}

async function measureMode(
  temporal: BenchTemporal,
  mode: Mode,
  options: typeof OPTIONS & { extraInput: Record<string, unknown> },
): Promise<ReactionFigures> {
  const layout = parseLayout(options.layout);
  if (layout.workflows * layout.jobsPerWorkflow !== options.jobs) {
    throw new Error(`layout ${options.layout} does not hold ${options.jobs} jobs`);
  }
  const scenario = await startScenario(temporal, {
    name: `reaction-${mode}`,
    layout,
    workerProcesses: 1,
    script: failsWhenToldThenSucceeds(2),
    input: { ...options.extraInput, policy: policyOf(options) },
  });
  const { emulator, jobs } = scenario;
  await waitUntil(
    () => jobsRead(emulator.ledger, jobs, scenario.startedAt).size === jobs.length,
    options.setupSeconds * 1000,
    500,
  );
  const schedule = failureSchedule(jobs, emulator.emulatedNow(), options.spreadSeconds, options.seed);
  progress(`${mode}: failing ${jobs.length} jobs over ${options.spreadSeconds} s`);
  const endTimes = await failOnSchedule(temporal, scenario, schedule, mode);
  const lastFailure = Math.max(...endTimes.values());
  await waitUntil(
    () => appliedRetries(emulator.ledger, jobs).size === jobs.length,
    lastFailure + options.tailSeconds * 1000 - emulator.emulatedNow(),
    500,
  );
  const figures = reactionFigures(emulator, mode, options.layout, endTimes, scenario.ownerOf);
  progress(`${mode}: ${JSON.stringify({ ...figures, reactions_ms: undefined })}`);
  await cancelRecoveries(scenario.recoveries, 30_000);
  await terminateEverythingOnQueues(temporal.client, scenario.queues);
  return figures;
}

/**
 * When each job fails: a random whole second (so its EndTime, which has second precision, is exact) within
 * `spreadSeconds` after the next whole second; reproducible from `seed`. Sorted by time.
 */
function failureSchedule(
  jobs: readonly string[],
  nowMs: number,
  spreadSeconds: number,
  seed: number,
): { jobId: string; at: number }[] {
  const random = seededRandom(seed);
  const start = nextWholeSecond(nowMs, 1000);
  return jobs
    .map((jobId) => ({ jobId, at: start + Math.floor(random() * spreadSeconds) * 1000 }))
    .sort((a, b) => a.at - b.at);
}

/**
 * Forces each job FAILED at its time; in signal mode also tells its workflow at once, as a Batch event handler
 * would. Returns each job's EndTime (epoch ms).
 */
async function failOnSchedule(
  temporal: BenchTemporal,
  scenario: Scenario,
  schedule: readonly { jobId: string; at: number }[],
  mode: Mode,
): Promise<Map<string, number>> {
  const { emulator } = scenario;
  const endTimes = new Map<string, number>();
  const signals: Promise<void>[] = [];
  for (const { jobId, at } of schedule) {
    const wait = at - emulator.emulatedNow();
    if (wait > 0) await delay(wait);
    emulator.setJobState(jobId, 'FAILED', { exitCode: 137, reason: 'spot instance reclaimed' });
    endTimes.set(jobId, Date.parse(emulator.getJob(jobId)?.endTime ?? ''));
    const workflowId = scenario.ownerOf.get(jobId);
    if (mode === 'signal' && workflowId) {
      signals.push(notifyJobStateChanged(temporal.client, workflowId, { jobId, state: 'FAILED' }));
    }
  }
  await Promise.all(signals);
  return endTimes;
}

function reactionFigures(
  emulator: RunningEmulator,
  mode: Mode,
  layout: string,
  endTimes: ReadonlyMap<string, number>,
  ownerOf: ReadonlyMap<string, string>,
): ReactionFigures {
  const jobs = [...endTimes.keys()];
  const firstRead = firstFailedReads(emulator.ledger, endTimes);
  const samples: ReactionFigures['slowest'] = [];
  const reactions: number[] = [];
  const detections: number[] = [];
  const dispatches: number[] = [];
  for (const [jobId, retries] of appliedRetries(emulator.ledger, jobs)) {
    const endTime = endTimes.get(jobId) as number;
    const retry = retries.find((r) => Date.parse(r.failureEndTime) === endTime);
    if (!retry) continue;
    reactions.push(retry.at - endTime);
    const read = firstRead.get(jobId);
    samples.push({
      jobId,
      workflowId: ownerOf.get(jobId) ?? '',
      endTime: new Date(endTime).toISOString(),
      ...(read === undefined ? {} : { first_read_ms: read - endTime }),
      retry_ms: retry.at - endTime,
    });
    if (read !== undefined) {
      detections.push(read - endTime);
      dispatches.push(retry.at - read);
    }
  }
  const p = (values: number[], q: number): number | undefined => round(percentile(values, q), 0);
  return {
    mode,
    jobs: jobs.length,
    layout: layoutLabel(parseLayout(layout)),
    jobs_retried: reactions.length,
    reaction_ms: { p50: p(reactions, 50), p99: p(reactions, 99), max: round(max(reactions), 0) },
    detection_ms: { p50: p(detections, 50), p99: p(detections, 99) },
    dispatch_ms: { p50: p(dispatches, 50), p99: p(dispatches, 99) },
    slowest: samples.sort((a, b) => b.retry_ms - a.retry_ms).slice(0, 5),
    reactions_ms: [...reactions].sort((a, b) => a - b),
    actions: actionFigures(emulator.ledger, INTERNATIONAL_API_RATE_LIMITS),
  };
}

/** The share of jobs retried within x seconds of failing, per mode (an empirical CDF). */
function reactionChart(figures: readonly ReactionFigures[]): string {
  return lineChart({
    title: 'Reaction: share of failures retried within x seconds',
    xLabel: 'seconds from EndTime to RetryJobs (log scale)',
    yLabel: '% of failures',
    xScale: 'log',
    series: figures.map((f) => ({
      name:
        f.mode === 'poll'
          ? `polling every ${DEFAULT_POLICY.pollIntervalMs / 1000} s`
          : 'jobStateChanged signal',
      step: true,
      points: f.reactions_ms.map((ms, i): [number, number] => [ms / 1000, ((i + 1) / f.jobs) * 100]),
    })),
  });
}

function reportBody(figures: readonly ReactionFigures[], options: typeof OPTIONS): string {
  const rows = figures.map((f) => [
    f.mode === 'poll' ? `poll (every ${options.pollInterval})` : 'signal (jobStateChanged)',
    `${f.jobs_retried}/${f.jobs}`,
    f.reaction_ms.p50,
    f.reaction_ms.p99,
    f.reaction_ms.max,
    `${f.detection_ms.p50} / ${f.detection_ms.p99}`,
    `${f.dispatch_ms.p50} / ${f.dispatch_ms.p99}`,
  ]);
  return `
## Results

${markdownTable(
  [
    'mode',
    'retried',
    'reaction p50, ms',
    'reaction p99, ms',
    'max, ms',
    'detection p50 / p99, ms',
    'dispatch p50 / p99, ms',
  ],
  rows,
)}

\`reaction_p99_ms_poll\` and \`reaction_p99_ms_signal\` (and the p50s) are at the top of reaction.json.

![share of failures retried within x seconds](reaction.svg)

## How the figures are made

- ${options.jobs} jobs in ${options.layout.replace('x', ' workflows × ')} jobs, all RUNNING and read once before the
  first failure; each job is forced FAILED at a random whole second within ${options.spreadSeconds} s (seed
  ${options.seed}), so its EndTime (second precision) is exact. Each mode runs with its own emulator, task queues
  and worker process.
- Reaction: from the job's EndTime to the ledger time of the RetryJobs the API applied to that failure. The
  emulator runs at time scale 1, so both are on one clock.
- Detection: EndTime → the first DescribeJobs that returned the job FAILED; dispatch: that read → RetryJobs.
- **The backoff is ${options.backoff} with no jitter**, not the product's default 30 s ±20%, so that the figures show
  detection and dispatch; with the default backoff every figure grows by 24–36 s, on purpose (a wave of
  failures is spread out and a transient cause has time to clear). The ${options.backoff} is inside every figure above.
- Poll mode: the default poll interval (${options.pollInterval}); a failure waits for the next read of its job, so
  detection is spread over the interval. Signal mode: right after forcing the failure, the benchmark calls
  \`notifyJobStateChanged\` (src/client) for it, as a handler of Batch event notifications would; the workflow
  reads its jobs at once (still through the rate-limited describe queue) instead of at the next poll.
- p99 is the nearest-rank 99th percentile of ${options.jobs} failures per mode.
`;
}
