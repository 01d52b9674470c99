/**
 * rate-wave: a wave of 500 jobs failing in the same second, watched as 500 workflows of 1 job and as 10
 * workflows of 50, on two worker processes (src/worker.ts), against the emulator at the API's own rate limits
 * (RetryJobs 2/s, DescribeJobs 2/s). From the emulator's ledger: the most RetryJobs in any second, throttled
 * calls, how long the wave took from the failure to the last retry, how much of that went into seeing the
 * failures, and whether every job was retried exactly once; from Temporal: every workflow's result.
 *
 *   npm run bench:rate-wave [-- --layouts 500x1,10x50 --poll-interval 10s --input '{"label":"wave"}']
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_RATE_LIMITS, type RunningEmulator } from '../src/emulator';
import { MAX_JOB_IDS_PER_REQUEST } from '../src/shared/constants';
import type { RecoverBatchJobsResult } from '../src/shared/recovery-types';
import { parseExtraInput, progress, readOptions, reproduceCommand, runBenchmark } from './lib/bench-cli';
import { withCleanupScope } from './lib/cleanup';
import {
  failsWhenToldThenSucceeds,
  layoutLabel,
  nextWholeSecond,
  parseLayout,
  type Layout,
} from './lib/jobs';
import {
  actionFigures,
  appliedRetries,
  firstFailedReads,
  jobIdsOf,
  jobsRead,
  throttledCount,
  type ActionFigures,
} from './lib/ledger-figures';
import { DEFAULT_TASK_QUEUE_PARTITIONS } from '../src/devenv/cluster-config';
import { INTERNATIONAL_API_RATE_LIMITS } from '../src/shared/api-budget-types';
import {
  cpuCores,
  formatQuantiles,
  machineCores,
  serverFigures,
  takeMark,
  workflowTaskFigures,
  type ServerFigures,
  type WorkflowTaskFigures,
} from './lib/phase-metrics';
import {
  historiesOnQueues,
  recoveryResults,
  terminateEverythingOnQueues,
  workflowTasksByType,
  type SharedInput,
} from './lib/recoveries';
import { budgetTaskQueueOf } from './lib/worker-env';
import { describeMachine, markdownTable, writeReport, type ReportHeader } from './lib/report';
import { max, min, percentile, round } from './lib/stats';
import { taskQueueRateFor } from '../src/runtime/recovery-workers';
import { lineChart, type Series } from './lib/svg-chart';
import { isFailed, recordFailure, startScenario, type FailedScenario } from './lib/scenario';
import { startBenchTemporal, type BenchTemporal } from './lib/temporal-server';
import { waitUntil } from './lib/waiting';

const OPTIONS = {
  jobs: 500,
  /** Layouts of the wave's jobs over workflows, `<workflows>x<jobs each>`; their product must be `jobs`. */
  layouts: '500x1,10x50',
  /** Runs of each layout, one after the other: a single wave's figures move with the machine's load. */
  runs: 3,
  workers: 2,
  /** Shorter than the 1m default so a scenario fits in a minute; detection scales with it (see the report). */
  pollInterval: '10s',
  /** The default 30s ±20% backoff would add 24–36 s per job by design; 1s with no jitter shows the machinery. */
  backoff: '1s',
  /** How long the workflows may take to read every job once before the wave starts anyway. */
  setupSeconds: 60,
  /** Bound on one wave: from the failure to the last job's retry. */
  waveTimeoutSeconds: 180,
  /** Bound on the workflows ending after the wave (the retried jobs rerun 2 s, then a poll sees SUCCEED). */
  settleTimeoutSeconds: 90,
  /** JSON object merged into every workflow input (e.g. '{"policy":{"pollInterval":"30s"}}'). */
  input: '',
};

/** What a reader needs to know about one wave. */
interface WaveFigures {
  /** 1, 2, 3…: which run of this layout. */
  run: number;
  layout: string;
  workflows: number;
  jobs_per_workflow: number;
  jobs: number;
  worker_processes: number;
  limit_rps: number;
  max_retry_rps: number;
  request_limit_exceeded: number;
  describe_request_limit_exceeded: number;
  /** Task-queue partitions of the scenario's queues: the dev server's default (no dynamic config). */
  temporal_partitions: number;
  /** Per Tencent action: its limit, the most requests in any one-second window, RequestLimitExceeded answers. */
  actions: Record<string, ActionFigures>;
  retry_calls: number;
  jobs_per_retry_call: number | undefined;
  wave_seconds: number | undefined;
  /** From the wave's EndTime to the first job seen FAILED. */
  first_observed_seconds: number | undefined;
  detect_seconds: number | undefined;
  /** From the last job seen FAILED to the last retry: what the package adds once the wave is read. */
  retry_seconds_after_observed: number | undefined;
  /** From the first job seen FAILED to the last retry: reading the rest of the wave as well. */
  retry_seconds_after_first_observed: number | undefined;
  observed_to_retried_seconds: { p50: number | undefined; max: number | undefined };
  detect_seconds_per_workflow_results: number | undefined;
  /** RetryJobs and DescribeJobs calls per second the run allowed: the budget's and the task queues' lower rate. */
  retry_rate_in_force_rps: number;
  describe_rate_in_force_rps: number;
  /** The least `retry_seconds_after_observed` could be at the rates in force (see the report). */
  floor_seconds: number;
  /** Workflow tasks the workers ran during the wave, per job of the wave. */
  workflow_tasks_per_job: number | undefined;
  /** Workflow tasks completed during the wave by workflow type, from the histories (where the tasks went). */
  workflow_tasks_by_type: Record<string, number>;
  naive_baseline_seconds_computed: number;
  meets_10s_target: boolean | undefined;
  jobs_read_before_wave: number;
  jobs_observed_failed: number;
  jobs_retried: number;
  jobs_retried_exactly_once: number;
  jobs_retried_more_than_once: number;
  workflows_succeeded: number;
  wave_completed: boolean;
  /** The machine while the wave ran (from the failure until every job was retried, or the timeout). */
  during_wave: WorkflowTaskFigures &
    ServerFigures & {
      seconds: number;
      workers_cpu_cores: number | undefined;
      dev_server_cpu_cores: number | undefined;
      /** Every process on the machine, ours and others' (the machine is shared). */
      machine_busy_cores: number | undefined;
    };
  /** Seconds since the wave's EndTime → jobs seen FAILED / jobs retried so far (for the chart). */
  timeline: { observed: [number, number][]; retried: [number, number][] };
}

runBenchmark(async () => {
  const options = readOptions(OPTIONS);
  const layouts = options.layouts.split(',').map(parseLayout);
  for (const layout of layouts) {
    if (layout.workflows * layout.jobsPerWorkflow !== options.jobs) {
      throw new Error(`layout ${layoutLabel(layout)} does not hold ${options.jobs} jobs`);
    }
  }
  const extraInput = parseExtraInput(options.input);
  const header: ReportHeader = {
    name: 'rate-wave',
    title: `rate-wave: ${options.jobs} jobs failing at once`,
    command: reproduceCommand('rate-wave'),
    startedAt: new Date(),
    machine: describeMachine(),
    configuration: {
      ...options,
      emulator_rate_limits:
        'API defaults for every action (RetryJobs 2/s, DescribeJobs 2/s, DescribeJob 2/s, DescribeTask 3/s)',
      worker_rate_limits:
        'worker defaults: TENCENT_BATCH_API_RATE_LIMITS international (the same figures), task queues at half',
      policy: policyOf(options),
      job_script:
        'RUNNING from creation; forced FAILED (exit 137) at the wave; after RetryJobs runs 2 s and succeeds',
      temporal: 'dev server (temporal CLI start-dev, in-memory SQLite, default 4 partitions per task queue)',
    },
  };
  const temporal = await startBenchTemporal('rate-wave');
  const all: (WaveFigures | FailedScenario)[] = [];
  let index = 0;
  for (let run = 1; run <= options.runs; run += 1) {
    for (const layout of layouts) {
      progress(`run ${run}, scenario ${layoutLabel(layout)}`);
      const scenarioIndex = index++;
      const result = await recordFailure(layout, () =>
        withCleanupScope(() => runScenario(temporal, layout, scenarioIndex, run, { ...options, extraInput })),
      );
      if (isFailed(result)) progress(`${result.layout} failed: ${result.failed}`);
      all.push(isFailed(result) ? { ...result, run } : result);
    }
  }
  const figures = all.filter((f): f is WaveFigures => !isFailed(f));
  const failures = all.filter(isFailed);
  const written = await writeReport(header, { scenarios: all }, reportBody(figures, failures, options), [
    { file: 'rate-wave.svg', svg: waveChart(figures.filter((f) => f.run === 1)) },
  ]);
  progress(`wrote ${written.join(', ')}`);
});

function policyOf(options: typeof OPTIONS): SharedInput['policy'] {
  return { pollInterval: options.pollInterval, backoff: { initialInterval: options.backoff, jitter: 0 } };
}

async function runScenario(
  temporal: BenchTemporal,
  layout: Layout,
  index: number,
  run: number,
  options: typeof OPTIONS & { extraInput: Record<string, unknown> },
): Promise<WaveFigures> {
  const label = layoutLabel(layout);
  const scenario = await startScenario(temporal, {
    name: `wave${index + 1}`,
    layout,
    workerProcesses: options.workers,
    script: failsWhenToldThenSucceeds(2),
    input: { ...options.extraInput, policy: policyOf(options) },
    // The API's own limits (RetryJobs 2/s, DescribeJobs 2/s) and the worker's defaults: the figures must hold
    // against them.
    emulator: { seed: index + 1 },
  });
  const { emulator, jobs, recoveries, startedAt } = scenario;
  progress(`${label}: ${recoveries.length} workflows started; waiting for every job to be read once`);
  const readBeforeWave = await waitForFirstReads(emulator, jobs, startedAt, options.setupSeconds);

  const beforeWave = await takeMark(scenario.workers, temporal, emulator);
  const failedAt = await failAtOnce(emulator, jobs);
  const waveEndTime = Math.min(...jobs.map((job) => Date.parse(emulator.getJob(job)?.endTime ?? '')));
  progress(`${label}: wave failed at ${new Date(waveEndTime).toISOString()}; waiting for the retries`);
  const waveCompleted = await waitUntil(
    () => appliedRetries(emulator.ledger, jobs).size === jobs.length,
    options.waveTimeoutSeconds * 1000,
    500,
  );
  const afterWave = await takeMark(scenario.workers, temporal, emulator);
  progress(`${label}: ${waveCompleted ? 'every job retried' : 'wave timed out'}; waiting for the results`);
  const results = waveCompleted ? await recoveryResults(recoveries, options.settleTimeoutSeconds * 1000) : [];
  const tasksByType = workflowTasksByType(
    await historiesOnQueues(temporal.client, scenario.queues, [budgetTaskQueueOf(scenario.queues)]),
    beforeWave.at,
    afterWave.at,
  );
  await terminateEverythingOnQueues(temporal.client, scenario.queues);
  const figures = waveFigures(
    emulator,
    { run, layout, workerProcesses: options.workers, jobs, failedAt, waveEndTime },
    {
      results,
      readBeforeWave,
      waveCompleted,
      tasksByType,
      duringWave: {
        seconds: round((afterWave.at - beforeWave.at) / 1000, 1) ?? 0,
        workers_cpu_cores: cpuCores(
          beforeWave,
          afterWave,
          scenario.workers.map((w) => w.name),
        ),
        dev_server_cpu_cores: cpuCores(beforeWave, afterWave, ['dev-server']),
        machine_busy_cores: machineCores(beforeWave, afterWave),
        ...workflowTaskFigures(beforeWave, afterWave),
        ...serverFigures(beforeWave, afterWave),
      },
    },
  );
  progress(`${label}: ${JSON.stringify({ ...figures, timeline: undefined })}`);
  return figures;
}

/** Waits until every job was read once (so the wave hits workflows that are watching); returns how many were. */
async function waitForFirstReads(
  emulator: RunningEmulator,
  jobs: readonly string[],
  since: number,
  timeoutSeconds: number,
): Promise<number> {
  await waitUntil(
    () => jobsRead(emulator.ledger, jobs, since).size === jobs.length,
    timeoutSeconds * 1000,
    500,
  );
  return jobsRead(emulator.ledger, jobs, since).size;
}

/**
 * Fails every job at the start of the next whole second, so that their EndTime (second precision) is the
 * moment they failed. Returns when each job failed, on the ledger's clock.
 */
async function failAtOnce(emulator: RunningEmulator, jobs: readonly string[]): Promise<Map<string, number>> {
  const waveAt = nextWholeSecond(emulator.emulatedNow(), 200);
  await delay(waveAt - emulator.emulatedNow());
  const failedAt = new Map<string, number>();
  for (const job of jobs) {
    failedAt.set(job, emulator.emulatedNow());
    emulator.setJobState(job, 'FAILED', { exitCode: 137, reason: 'spot instance reclaimed' });
  }
  return failedAt;
}

/** How a wave was set up. */
interface Wave {
  run: number;
  layout: Layout;
  workerProcesses: number;
  jobs: readonly string[];
  /** When each job was forced FAILED, on the ledger's clock. */
  failedAt: ReadonlyMap<string, number>;
  /** The jobs' EndTime (all the same: they failed within one second), epoch ms. */
  waveEndTime: number;
}

/** What was seen outside the ledger. */
interface WaveOutcome {
  results: readonly (RecoverBatchJobsResult | { error: string })[];
  readBeforeWave: number;
  waveCompleted: boolean;
  tasksByType: Record<string, number>;
  duringWave: WaveFigures['during_wave'];
}

function waveFigures(
  emulator: RunningEmulator,
  { run, layout, workerProcesses, jobs, failedAt, waveEndTime }: Wave,
  { results, readBeforeWave, waveCompleted, tasksByType, duringWave }: WaveOutcome,
): WaveFigures {
  const ledger = emulator.ledger;
  const firstRead = firstFailedReads(ledger, failedAt);
  const retries = appliedRetries(ledger, jobs);
  // The retry that answers the wave's failure (keyed, like the product, by the failure's EndTime).
  const waveRetryAt = new Map<string, number>();
  for (const [job, list] of retries) {
    const answer = list.find((r) => Date.parse(r.failureEndTime) === waveEndTime);
    if (answer) waveRetryAt.set(job, answer.at);
  }
  const seconds = (ms: number): number => (ms - waveEndTime) / 1000;
  const lastRetry = max([...waveRetryAt.values()]);
  const lastRead = max([...firstRead.values()]);
  const firstReadAt = min([...firstRead.values()]);
  const waveSeconds = lastRetry === undefined ? undefined : seconds(lastRetry);
  const detectSeconds = lastRead === undefined ? undefined : seconds(lastRead);
  const firstObservedSeconds = firstReadAt === undefined ? undefined : seconds(firstReadAt);
  const afterObserved =
    waveSeconds !== undefined && detectSeconds !== undefined ? waveSeconds - detectSeconds : undefined;
  const afterFirstObserved =
    waveSeconds !== undefined && firstObservedSeconds !== undefined
      ? waveSeconds - firstObservedSeconds
      : undefined;
  const perJobAfterObserved = [...waveRetryAt].flatMap(([job, at]) => {
    const read = firstRead.get(job);
    return read === undefined ? [] : [(at - read) / 1000];
  });
  const retryCalls = ledger.entries({ action: 'RetryJobs' });
  const appliedCalls = retryCalls.filter((e) => (e.appliedEffects?.retried?.length ?? 0) > 0);
  const succeeded = results.filter((r) => 'overall' in r && r.overall === 'SUCCEEDED');
  const observedAtByWorkflow = results.flatMap((r) =>
    'jobs' in r ? r.jobs.flatMap((j) => (j.lastFailure ? [Date.parse(j.lastFailure.observedAt)] : [])) : [],
  );
  const workflowLastObserved = max(observedAtByWorkflow);
  const limit = INTERNATIONAL_API_RATE_LIMITS.RetryJobs;
  const retryRate = rateInForce(limit);
  const describeRate = rateInForce(INTERNATIONAL_API_RATE_LIMITS.DescribeJobs);
  // Once the first failure is seen, the other jobs still need reading and every job a retry, 100 per call: the
  // last read and the last call come (calls − 1) / rate after the first at best.
  const calls = Math.ceil(jobs.length / MAX_JOB_IDS_PER_REQUEST);
  const floorSeconds = Math.max((calls - 1) / describeRate, (calls - 1) / retryRate);
  return {
    run,
    layout: layoutLabel(layout),
    workflows: layout.workflows,
    jobs_per_workflow: layout.jobsPerWorkflow,
    jobs: jobs.length,
    worker_processes: workerProcesses,
    limit_rps: limit,
    max_retry_rps: ledger.maxPerWindow('RetryJobs', 1000, 'all'),
    request_limit_exceeded: throttledCount(ledger, 'RetryJobs'),
    describe_request_limit_exceeded: throttledCount(ledger, 'DescribeJobs'),
    temporal_partitions: DEFAULT_TASK_QUEUE_PARTITIONS,
    actions: actionFigures(ledger, INTERNATIONAL_API_RATE_LIMITS),
    retry_calls: retryCalls.length,
    jobs_per_retry_call:
      appliedCalls.length === 0
        ? undefined
        : round(appliedCalls.reduce((n, e) => n + jobIdsOf(e).length, 0) / appliedCalls.length, 1),
    wave_seconds: round(waveSeconds),
    first_observed_seconds: round(firstObservedSeconds),
    detect_seconds: round(detectSeconds),
    retry_seconds_after_observed: round(afterObserved),
    retry_seconds_after_first_observed: round(afterFirstObserved),
    observed_to_retried_seconds: {
      p50: round(percentile(perJobAfterObserved, 50)),
      max: round(max(perJobAfterObserved)),
    },
    detect_seconds_per_workflow_results:
      workflowLastObserved === undefined ? undefined : round(seconds(workflowLastObserved)),
    retry_rate_in_force_rps: retryRate,
    describe_rate_in_force_rps: describeRate,
    floor_seconds: round(floorSeconds) ?? floorSeconds,
    workflow_tasks_per_job: round(duringWave.workflow_tasks / jobs.length, 2),
    workflow_tasks_by_type: tasksByType,
    naive_baseline_seconds_computed: jobs.length / limit,
    meets_10s_target: afterObserved === undefined ? undefined : afterObserved <= 10,
    jobs_read_before_wave: readBeforeWave,
    jobs_observed_failed: firstRead.size,
    jobs_retried: waveRetryAt.size,
    jobs_retried_exactly_once: [...retries.values()].filter((list) => list.length === 1).length,
    jobs_retried_more_than_once: [...retries.values()].filter((list) => list.length > 1).length,
    workflows_succeeded: succeeded.length,
    wave_completed: waveCompleted,
    during_wave: duringWave,
    timeline: {
      observed: cumulative([...firstRead.values()].map(seconds)),
      retried: cumulative([...waveRetryAt.values()].map(seconds)),
    },
  };
}

/** The calls per second one action is allowed: the API budget's limit, or the task queue's rate if lower. */
function rateInForce(limit: number): number {
  return Math.min(limit, taskQueueRateFor(limit));
}

/** Sorted times → [time, how many so far] steps, starting from (0, 0). */
function cumulative(times: number[]): [number, number][] {
  const sorted = [...times].sort((a, b) => a - b);
  return [[0, 0], ...sorted.map((t, i): [number, number] => [round(t, 3) ?? t, i + 1])];
}

function waveChart(figures: readonly WaveFigures[]): string {
  const series: Series[] = figures.flatMap((f) => [
    { name: `${f.layout} seen FAILED`, points: f.timeline.observed, step: true },
    { name: `${f.layout} retried`, points: f.timeline.retried, step: true },
  ]);
  const floor = figures[0]?.floor_seconds;
  return lineChart({
    title: `${figures[0]?.jobs ?? 500} jobs failing at once: seen and retried over time`,
    xLabel: "seconds since the jobs' EndTime",
    yLabel: 'jobs',
    series,
    references: floor === undefined ? [] : [{ axis: 'x', value: floor, label: `floor ${floor} s` }],
  });
}

function reportBody(
  figures: readonly WaveFigures[],
  failures: readonly FailedScenario[],
  options: typeof OPTIONS,
): string {
  const rows = figures.map((f) => [
    f.run,
    f.layout,
    f.max_retry_rps,
    f.limit_rps,
    f.request_limit_exceeded,
    `${f.retry_calls} (${f.jobs_per_retry_call ?? '—'} jobs each)`,
    f.detect_seconds,
    f.retry_seconds_after_observed,
    f.wave_seconds,
    f.floor_seconds,
    f.workflow_tasks_per_job,
    `${f.naive_baseline_seconds_computed} (computed)`,
    `${f.jobs_retried_exactly_once}/${f.jobs}`,
    `${f.workflows_succeeded}/${f.workflows}`,
  ]);
  const verdicts = [
    ...failures.map((f) => `- **${f.layout}** could not run: ${f.failed}`),
    ...figures.map((f) => verdict(f, options)),
  ];
  return `
## Results

${markdownTable(
  [
    'run',
    'layout (workflows × jobs)',
    'max_retry_rps',
    'limit_rps',
    'RequestLimitExceeded (RetryJobs)',
    'RetryJobs calls',
    'detect_seconds',
    'retry_seconds_after_observed',
    'wave_seconds',
    'floor_seconds',
    'workflow_tasks_per_job',
    'naive baseline, s',
    'retried exactly once',
    'workflows SUCCEEDED',
  ],
  rows,
)}

${verdicts.join('\n')}

The machine while each wave ran (from the failure until every job was retried): CPU of both worker processes
together and of the dev server (/proc), and the workflow tasks the workers ran (their Prometheus endpoints).

${markdownTable(
  [
    'run',
    'layout',
    'seconds',
    'workers CPU, cores',
    'dev server CPU, cores',
    'whole machine busy, cores',
    'workflow tasks',
    'WFT schedule-to-start p50/p95/p99, ms',
    'WFT execution p50/p95/p99, ms',
    'server persistence requests/s; latency p50/p95/p99, ms',
  ],
  figures.map((f) => {
    const w = f.during_wave;
    return [
      f.run,
      f.layout,
      w.seconds,
      w.workers_cpu_cores,
      w.dev_server_cpu_cores,
      w.machine_busy_cores,
      w.workflow_tasks,
      formatQuantiles(w.wft_schedule_to_start_ms),
      formatQuantiles(w.wft_execution_ms),
      `${w.persistence_requests_per_second ?? '—'}; ${formatQuantiles(w.persistence_latency_ms)}`,
    ];
  }),
)}

![jobs seen FAILED and retried over time](rate-wave.svg)

## Definitions

- Times are on one clock: the emulator runs at time scale 1, so a job's EndTime and the ledger's request times
  (real epoch ms) can be subtracted. All jobs are forced FAILED at the start of one whole second, so their
  EndTime (second precision) is the moment they failed.
- \`max_retry_rps\`: \`ledger.maxPerWindow('RetryJobs', 1000, 'all')\`, every RetryJobs that reached the API in
  any sliding one-second window, refused ones included. \`limit_rps\`: the API's limit, the worker's default
  RetryJobs budget. RequestLimitExceeded: ledger entries of RetryJobs with that outcome.
- \`actions.<Action>\`: the same for every action the package calls (\`limit_rps\`, \`max_per_window\`,
  \`request_limit_exceeded\`, \`requests\`), on the dev server's default partitions (\`temporal_partitions\`), and
  \`min_window_slack_ms\`: the least time between a call and the one \`limit_rps\` calls after it, less one second
  (how much of the API budget's window margin the calls left unused; negative would be a window over the limit).
- \`detect_seconds\`: from the wave's EndTime to the moment the **last** job of the wave was first returned FAILED
  by a DescribeJobs (the first admitted, successful DescribeJobs naming the job after it failed; the emulator's
  state is a function of time, so that answer said FAILED). It is bounded below by the poll interval
  (${options.pollInterval} here; up to 60 s more at the default 1m) plus the describe queue's pace.
  \`detect_seconds_per_workflow_results\` in the JSON is the same from the workflows' own records
  (\`lastFailure.observedAt\`, when the read returned), as a cross-check.
- \`wave_seconds\`: from the wave's EndTime to the ledger time of the last RetryJobs that the API applied to a
  wave failure (\`appliedEffects.retried\` with that EndTime).
- \`first_observed_seconds\`: the same for the **first** job of the wave seen FAILED.
- \`retry_seconds_after_observed\` = \`wave_seconds\` − \`detect_seconds\`: from the **last** job of the wave seen
  FAILED to the last retry, what the package adds once the wave is read (deciding, handing over, waiting out the
  backoff, the calls at the rate in force). It includes the configured backoff (${options.backoff}, no jitter); the
  default 30 s ±20% would add 24–36 s per job on purpose.
- \`retry_seconds_after_first_observed\` = \`wave_seconds\` − \`first_observed_seconds\`: the same from the
  **first** job seen FAILED, so it also counts reading the rest of the wave (the watcher's parts of 100 jobs are
  polled on their own schedules, up to one poll interval apart).
- \`floor_seconds\` = (⌈jobs / 100⌉ − 1) / the lower of \`describe_rate_in_force_rps\` and
  \`retry_rate_in_force_rps\`: after the first read, the other ⌈jobs/100⌉ − 1 DescribeJobs and RetryJobs calls
  (100 jobs each) at the rates the run allowed (each the API budget's limit, ${DEFAULT_RATE_LIMITS.RetryJobs}/s
  for RetryJobs, or its task queue's rate if lower), backoff not counted.
- \`workflow_tasks_per_job\`: workflow tasks the two worker processes ran during the wave (their
  \`temporal_workflow_task_execution_latency\` count), divided by the wave's jobs.
- \`run\`: each layout runs ${options.runs} times, one after another, on the same dev server.
- Naive baseline (computed, not run): one workflow and one RetryJobs call per job → jobs / limit seconds.
- Retried exactly once: jobs with exactly one applied retry in the ledger; workflows SUCCEEDED: results of every
  recovery workflow (\`overall\`).
`;
}

/** One line per wave: did it meet the target, within the limit, exactly once? */
function verdict(f: WaveFigures, options: typeof OPTIONS): string {
  if (!f.wave_completed)
    return `- **${f.layout}**, run ${f.run}: the wave did not finish within ${options.waveTimeoutSeconds} s: ${f.jobs_observed_failed}/${f.jobs} jobs seen FAILED, ${f.jobs_retried}/${f.jobs} retried.`;
  const target = f.meets_10s_target ? 'meets' : 'misses';
  return (
    `- **${f.layout}**, run ${f.run}: ${f.retry_seconds_after_observed} s from the last failure seen to the last retry (${f.retry_seconds_after_first_observed} s from the first; ${target} the 10 s target; floor ${f.floor_seconds} s; ` +
    `per job ${f.observed_to_retried_seconds.p50} s median, ${f.observed_to_retried_seconds.max} s worst), ` +
    `at most ${f.max_retry_rps} RetryJobs in any second for a limit of ${f.limit_rps}, ${f.request_limit_exceeded} throttled; ` +
    `${f.jobs_retried_more_than_once} jobs retried twice; ${f.workflows_succeeded}/${f.workflows} workflows SUCCEEDED; ` +
    `DescribeJobs throttled ${f.describe_request_limit_exceeded} times.`
  );
}
