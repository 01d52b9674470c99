/**
 * scale: 1,000, 5,000, 10,000 (workflows of 10 jobs) and 100,000 (1,000 workflows of 100, eight watcher shards)
 * concurrently watched jobs on this 2-core machine, at the product's defaults (1-minute polls, DescribeJobs 2/s). Per level: the worker process's CPU time per second and
 * RSS, the dev server's CPU, workflow task latency from the worker's Prometheus endpoint (SDK metrics
 * `temporal_workflow_task_schedule_to_start_latency`, `temporal_workflow_task_execution_latency`), the describe
 * queue's backlog, and how often each job is actually read — while the workflows start (ramp) and once they
 * all wait (steady).
 *
 *   npm run bench:scale [-- --levels 1000,5000,10000,100000 --jobs-per-workflow 10,10,10,100 --steady-seconds 90]
 */
import { setTimeout as delay } from 'node:timers/promises';
import v8 from 'node:v8';
import { DESCRIBE_JOBS_SPACING_MS, INTERNATIONAL_API_RATE_LIMITS } from '../src/shared/api-budget-types';
import { getRecoveryStatus } from '../src/client/recovery-status';
import { MAX_JOB_IDS_PER_REQUEST } from '../src/shared/constants';
import { DEFAULT_POLICY } from '../src/shared/recovery-policy';
import { parseExtraInput, progress, readOptions, reproduceCommand, runBenchmark } from './lib/bench-cli';
import { withCleanupScope } from './lib/cleanup';
import { KEEPS_RUNNING, type Layout } from './lib/jobs';
import { answeredOk, jobIdsOf, jobsRead } from './lib/ledger-figures';
import {
  cpuCores,
  formatQuantiles,
  histogramBetween,
  machineCores,
  quantilesOf,
  serverFigures,
  takeMark,
  workflowTaskFigures,
  type Mark,
  type Quantiles,
  type ServerFigures,
  type WorkflowTaskFigures,
} from './lib/phase-metrics';
import { cpuPerSecond, startProcessSampler, type ProcessSample } from './lib/process-stats';
import { metricValue, observations } from './lib/prometheus';
import { terminateEverythingOnQueues, type SharedInput } from './lib/recoveries';
import { describeMachine, markdownTable, writeReport, type ReportHeader } from './lib/report';
import {
  isFailed,
  recordFailure,
  type FailedScenario,
  prepareScenario,
  startScenarioWorkflows,
  type PreparedScenario,
  type Scenario,
  type ScenarioSpec,
} from './lib/scenario';
import { max, round } from './lib/stats';
import { lineChart, type Series } from './lib/svg-chart';
import { startBenchTemporal, type BenchTemporal } from './lib/temporal-server';
import { waitUntil } from './lib/waiting';

const OPTIONS = {
  levels: '1000,5000,10000,100000',
  /** Jobs per workflow at each level (the last figure goes for any level after it). */
  jobsPerWorkflow: '10,10,10,100',
  /** Watcher shards at each level: one per this many jobs (`taskQueues.shards`). */
  jobsPerWatcher: 12_500,
  /**
   * Bound on the ramp (from the first start to every job read once), at least: each level gets twice its first reads
   * at the budget's pace on top.
   */
  rampTimeoutSeconds: 180,
  /** The steady window, once every job has been read: two poll intervals, so most jobs are read twice in it. */
  steadySeconds: 120,
  /** Worker processes (src/worker.ts); one makes the per-process figures direct. */
  workers: 1,
  /** JSON object merged into every workflow input (e.g. '{"policy":{"pollInterval":"30s"}}'). */
  input: '',
};

const SAMPLE_INTERVAL_MS = 2_000;

/** DescribeJobs' API limit, and the pace the API budget grants it at. */
const API_RPS = INTERNATIONAL_API_RATE_LIMITS.DescribeJobs;
const BUDGET_RPS = 1_000 / DESCRIBE_JOBS_SPACING_MS;

function rampFloorSeconds(jobs: number, callsPerSecond: number): number {
  return Math.ceil(jobs / MAX_JOB_IDS_PER_REQUEST) / callsPerSecond;
}

/** One phase of one level. */
interface PhaseFigures extends WorkflowTaskFigures, ServerFigures {
  seconds: number;
  /** All worker processes together. */
  worker_cpu_cores: number | undefined;
  dev_server_cpu_cores: number | undefined;
  /** Every process on the machine, ours and others' (the machine is shared with other work). */
  machine_busy_cores: number | undefined;
  describe_activities: number;
  describe_schedule_to_start_ms: Quantiles;
  describe_calls_per_second: number;
  describe_throttled: number;
  /** The least time between a DescribeJobs call and the one the limit after it, minus one second (see the ledger). */
  describe_min_window_slack_ms: number | null;
  /** Job reads (one job named in a successful DescribeJobs) per second. */
  job_reads_per_second: number;
}

/** What a reader needs to know about one level. */
interface LevelFigures {
  jobs: number;
  workflows: number;
  jobs_per_workflow: number;
  watcher_shards: number;
  start_seconds: number;
  ramp_seconds: number | undefined;
  /** Reading every job once at the API's DescribeJobs limit: ⌈jobs/100⌉ calls at 2/s. */
  ramp_floor_seconds: number;
  /** The same at the budget's pace (2 calls per window of one second plus its 300 ms margin). */
  ramp_floor_budget_seconds: number;
  jobs_read_in_ramp: number;
  ramp: PhaseFigures;
  steady: PhaseFigures;
  /**
   * How often each job was read in the steady phase: jobs ÷ job reads per second. (A median of the gaps between two
   * reads of one job would favour short gaps when the period nears the phase's length.)
   */
  steady_poll_period_seconds: number | undefined;
  /** What the status of sampled recoveries says of when their jobs were last read. */
  status_last_read: StatusLastRead;
  worker_rss_mib_end: number | undefined;
  worker_rss_mib_peak: number | undefined;
  dev_server_rss_mib_end: number | undefined;
  sticky_cache_size_end: number | undefined;
  /** Workflow task pollers of the worker (`temporal_num_pollers`): the normal queue's and the sticky queue's. */
  workflow_task_pollers: { normal: number | undefined; sticky: number | undefined };
  /** Worker CPU (cores) over time since the level's first start, for the chart. */
  cpu_timeline: [number, number][];
  rss_timeline: [number, number][];
}

runBenchmark(async () => {
  const options = readOptions(OPTIONS);
  const levels = options.levels.split(',').map(Number);
  const extraInput = parseExtraInput(options.input);
  const header: ReportHeader = {
    name: 'scale',
    title: 'scale: 1,000 to 100,000 watched jobs on one 2-core machine',
    command: reproduceCommand('scale'),
    startedAt: new Date(),
    machine: describeMachine(),
    configuration: {
      ...options,
      policy: 'defaults (poll every 1m)',
      emulator_rate_limits: 'API defaults: DescribeJobs 2/s, RetryJobs 2/s',
      worker_rate_limits: 'worker defaults: TENCENT_BATCH_API_RATE_LIMITS international (DescribeJobs 2/s)',
      worker_metrics: 'TENCENT_BATCH_RECOVERY_METRICS_ADDRESS on a free port (SDK Prometheus exporter)',
      job_script: 'RUNNING from creation for a day (nothing changes during the run)',
      temporal:
        'dev server (temporal CLI start-dev, in-memory SQLite, default 4 partitions per task queue), same machine',
      bench_process_heap_limit_mib: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),
    },
  };
  const temporal = await startBenchTemporal('scale');
  const all: (LevelFigures | FailedScenario)[] = [];
  const perWorkflow = options.jobsPerWorkflow.split(',').map(Number);
  for (const [i, jobs] of levels.entries()) {
    progress(`level ${jobs} jobs`);
    const jobsPerWorkflow = perWorkflow[Math.min(i, perWorkflow.length - 1)] as number;
    const layout = { workflows: Math.ceil(jobs / jobsPerWorkflow), jobsPerWorkflow };
    const shards = Math.ceil(jobs / options.jobsPerWatcher);
    const input = shards > 1 ? { ...extraInput, taskQueues: { shards } } : (extraInput as SharedInput);
    const result = await recordFailure(layout, () =>
      withCleanupScope(() => measureLevel(temporal, layout, shards, { ...options, extraInput: input })),
    );
    if (isFailed(result)) progress(`${jobs} jobs failed: ${result.failed}`);
    all.push(result);
  }
  const figures = all.filter((f): f is LevelFigures => !isFailed(f));
  const failures = all.filter(isFailed);
  const written = await writeReport(header, { levels: all }, reportBody(figures, failures), [
    { file: 'scale-cpu.svg', svg: timelineChart(figures, 'cpu') },
    { file: 'scale-rss.svg', svg: timelineChart(figures, 'rss') },
  ]);
  progress(`wrote ${written.join(', ')}`);
});

async function measureLevel(
  temporal: BenchTemporal,
  layout: Layout,
  shards: number,
  options: typeof OPTIONS & { extraInput: SharedInput },
): Promise<LevelFigures> {
  const jobCount = layout.workflows * layout.jobsPerWorkflow;
  const spec: ScenarioSpec = {
    name: `scale${jobCount}`,
    layout,
    workerProcesses: options.workers,
    script: KEEPS_RUNNING,
    input: { ...options.extraInput },
  };
  const prepared = await prepareScenario(temporal, spec);
  const processes = new Map(prepared.workers.map((w) => [w.name, w.pid]));
  if (temporal.serverPid !== undefined) processes.set('dev-server', temporal.serverPid);
  const sampler = startProcessSampler(processes, SAMPLE_INTERVAL_MS);
  try {
    const mark = (): Promise<Mark> => takeMark(prepared.workers, temporal, prepared.emulator);
    const marks = [await mark()];
    const scenario = await startScenarioWorkflows(temporal, prepared, spec);
    const startSeconds = (Date.now() - (marks[0]?.at ?? 0)) / 1000;
    progress(`${jobCount}: ${layout.workflows} workflows started in ${startSeconds.toFixed(1)} s; ramping`);
    const ramped = await waitUntil(
      () =>
        jobsRead(scenario.emulator.ledger, scenario.jobs, scenario.startedAt).size === scenario.jobs.length,
      Math.max(options.rampTimeoutSeconds, 2 * rampFloorSeconds(jobCount, BUDGET_RPS)) * 1000,
      1_000,
    );
    const readInRamp = jobsRead(scenario.emulator.ledger, scenario.jobs, scenario.startedAt).size;
    marks.push(await mark());
    progress(`${jobCount}: ${readInRamp}/${jobCount} jobs read; steady for ${options.steadySeconds} s`);
    await delay(options.steadySeconds * 1000);
    const lastRead = await statusLastRead(temporal, scenario);
    marks.push(await mark());
    const [start, rampEnd, steadyEnd] = marks as [Mark, Mark, Mark];
    const figures = levelFigures(prepared, layout, shards, sampler.samples, {
      marks: { start, rampEnd, steadyEnd },
      startSeconds,
      ramped,
      readInRamp,
      lastRead,
    });
    progress(
      `${jobCount}: ${JSON.stringify({ ...figures, cpu_timeline: undefined, rss_timeline: undefined })}`,
    );
    await terminateEverythingOnQueues(temporal.client, prepared.queues);
    return figures;
  } finally {
    sampler.stop();
  }
}

/** How a level went, besides what the samples and scrapes hold. */
interface LevelRun {
  marks: { start: Mark; rampEnd: Mark; steadyEnd: Mark };
  /** Client-side time to start every workflow. */
  startSeconds: number;
  /** Whether every job was read within the ramp's bound. */
  ramped: boolean;
  readInRamp: number;
  lastRead: StatusLastRead;
}

/**
 * What the status (`getRecoveryStatus`) of a sample of the level's recoveries says of when their jobs were last
 * read, against the emulator's ledger at the same moment.
 */
interface StatusLastRead {
  sampled_jobs: number;
  /** Sampled jobs whose status gives no `lastReadAt`. */
  without_last_read: number;
  /** The oldest `lastReadAt` among them, seconds before the status was taken. */
  max_age_seconds: number | undefined;
  /** How far the status's `lastReadAt` lags the ledger's last successful DescribeJobs of the job, at most. */
  max_behind_ledger_seconds: number | undefined;
}

/** Recoveries whose status the level samples, spread over its workflows. */
const STATUS_SAMPLE = 20;

async function statusLastRead(temporal: BenchTemporal, scenario: Scenario): Promise<StatusLastRead> {
  const step = Math.max(1, Math.floor(scenario.recoveries.length / STATUS_SAMPLE));
  const sampled = scenario.recoveries.filter((_, i) => i % step === 0).slice(0, STATUS_SAMPLE);
  const takenAt = Date.now();
  const statuses = await Promise.all(sampled.map((r) => getRecoveryStatus(temporal.client, r.workflowId)));
  const ledgerLast = new Map<string, number>();
  for (const entry of scenario.emulator.ledger.entries({
    action: 'DescribeJobs',
    since: scenario.startedAt,
  })) {
    if (!answeredOk(entry)) continue;
    for (const jobId of jobIdsOf(entry))
      ledgerLast.set(jobId, Math.max(entry.at, ledgerLast.get(jobId) ?? 0));
  }
  const jobs = statuses.flatMap((status) => status.jobs);
  const readMs = jobs.flatMap((job) =>
    job.lastReadAt === undefined ? [] : [[job.jobId, Date.parse(job.lastReadAt)] as const],
  );
  return {
    sampled_jobs: jobs.length,
    without_last_read: jobs.length - readMs.length,
    max_age_seconds: round(max(readMs.map(([, ms]) => (takenAt - ms) / 1000)), 1),
    max_behind_ledger_seconds: round(
      max(readMs.map(([jobId, ms]) => Math.max(0, (ledgerLast.get(jobId) ?? 0) - ms) / 1000)),
      1,
    ),
  };
}

function levelFigures(
  prepared: PreparedScenario,
  layout: Layout,
  shards: number,
  samples: ReadonlyMap<string, readonly ProcessSample[]>,
  { marks, startSeconds, ramped, readInRamp, lastRead }: LevelRun,
): LevelFigures {
  const jobs = prepared.jobs.length;
  const workerSamples = samples.get(prepared.workers[0]?.name ?? '') ?? [];
  const serverSamples = samples.get('dev-server') ?? [];
  const steady = phaseFigures(prepared, marks.rampEnd, marks.steadyEnd);
  const lastServer = serverSamples[serverSamples.length - 1];
  const lastWorker = workerSamples[workerSamples.length - 1];
  return {
    jobs,
    workflows: layout.workflows,
    jobs_per_workflow: layout.jobsPerWorkflow,
    watcher_shards: shards,
    start_seconds: round(startSeconds, 1) ?? 0,
    ramp_seconds: ramped ? round((marks.rampEnd.at - marks.start.at) / 1000, 1) : undefined,
    ramp_floor_seconds: rampFloorSeconds(jobs, API_RPS),
    ramp_floor_budget_seconds: round(rampFloorSeconds(jobs, BUDGET_RPS), 1) ?? 0,
    jobs_read_in_ramp: readInRamp,
    ramp: phaseFigures(prepared, marks.start, marks.rampEnd),
    steady,
    steady_poll_period_seconds:
      steady.job_reads_per_second > 0 ? round(jobs / steady.job_reads_per_second, 1) : undefined,
    status_last_read: lastRead,
    worker_rss_mib_end: round(lastWorker?.rssMiB, 0),
    worker_rss_mib_peak: round(max(workerSamples.map((s) => s.rssMiB)), 0),
    dev_server_rss_mib_end: round(lastServer?.rssMiB, 0),
    sticky_cache_size_end: metricValue(marks.steadyEnd.metrics, 'temporal_sticky_cache_size'),
    workflow_task_pollers: {
      normal: metricValue(marks.rampEnd.metrics, 'temporal_num_pollers', { poller_type: 'workflow_task' }),
      sticky: metricValue(marks.rampEnd.metrics, 'temporal_num_pollers', {
        poller_type: 'sticky_workflow_task',
      }),
    },
    cpu_timeline: workerSamples
      .slice(1)
      .map((s, i): [number, number] => [
        round((s.at - marks.start.at) / 1000, 1) ?? 0,
        round(cpuPerSecond(workerSamples[i] as ProcessSample, s), 3) ?? 0,
      ]),
    rss_timeline: workerSamples.map((s): [number, number] => [
      round((s.at - marks.start.at) / 1000, 1) ?? 0,
      round(s.rssMiB, 1) ?? 0,
    ]),
  };
}

function phaseFigures(prepared: PreparedScenario, from: Mark, to: Mark): PhaseFigures {
  const seconds = (to.at - from.at) / 1000;
  const describeScheduleToStart = histogramBetween(from, to, 'temporal_activity_schedule_to_start_latency', {
    task_queue: prepared.queues.describe,
  });
  const describes = prepared.emulator.ledger.entries({
    action: 'DescribeJobs',
    since: from.ledgerAt,
    until: to.ledgerAt,
  });
  const reads = describes.filter(answeredOk).reduce((n, e) => n + jobIdsOf(e).length, 0);
  return {
    seconds: round(seconds, 1) ?? 0,
    worker_cpu_cores: cpuCores(
      from,
      to,
      prepared.workers.map((w) => w.name),
    ),
    dev_server_cpu_cores: cpuCores(from, to, ['dev-server']),
    machine_busy_cores: machineCores(from, to),
    ...workflowTaskFigures(from, to),
    ...serverFigures(from, to),
    describe_activities: observations(describeScheduleToStart),
    describe_schedule_to_start_ms: quantilesOf(describeScheduleToStart),
    describe_calls_per_second: round(describes.length / seconds, 2) ?? 0,
    describe_throttled: describes.filter((e) => e.outcome === 'RequestLimitExceeded').length,
    describe_min_window_slack_ms:
      prepared.emulator.ledger.minWindowSlackMs(
        { action: 'DescribeJobs', since: from.ledgerAt, until: to.ledgerAt },
        API_RPS,
      ) ?? null,
    job_reads_per_second: round(reads / seconds, 1) ?? 0,
  };
}

function timelineChart(figures: readonly LevelFigures[], what: 'cpu' | 'rss'): string {
  const series: Series[] = figures.map((f) => ({
    name: `${f.jobs.toLocaleString('en')} jobs`,
    points: what === 'cpu' ? f.cpu_timeline : f.rss_timeline,
  }));
  return lineChart({
    title:
      what === 'cpu'
        ? 'Worker process CPU while the workflows start and wait'
        : 'Worker process resident memory while the workflows start and wait',
    xLabel: 'seconds since the first workflow start',
    yLabel: what === 'cpu' ? 'CPU (cores; the machine has 2)' : 'RSS (MiB)',
    series,
    references: what === 'cpu' ? [{ axis: 'y', value: 2, label: 'all 2 cores' }] : [],
  });
}

function reportBody(figures: readonly LevelFigures[], failures: readonly FailedScenario[]): string {
  const phaseRows = figures.flatMap((f) =>
    (['ramp', 'steady'] as const).map((phase) => {
      const p = f[phase];
      return [
        `${f.jobs.toLocaleString('en')} (${f.workflows} wf)`,
        phase === 'ramp' ? `ramp (${f.ramp_seconds ?? `>${p.seconds}`} s)` : `steady (${p.seconds} s)`,
        p.worker_cpu_cores,
        p.dev_server_cpu_cores,
        p.machine_busy_cores,
        p.workflow_tasks,
        formatQuantiles(p.wft_schedule_to_start_ms),
        formatQuantiles(p.wft_execution_ms),
        `${p.describe_activities}; ${formatQuantiles(p.describe_schedule_to_start_ms)}`,
        `${p.describe_calls_per_second} (${p.describe_throttled} throttled, slack ${p.describe_min_window_slack_ms ?? '–'} ms)`,
      ];
    }),
  );
  const levelRows = figures.map((f) => [
    f.jobs.toLocaleString('en'),
    f.workflows,
    f.watcher_shards,
    f.start_seconds,
    f.ramp_seconds ?? `> ${f.ramp.seconds} (${f.jobs_read_in_ramp} read)`,
    `${f.ramp_floor_seconds} / ${f.ramp_floor_budget_seconds}`,
    f.steady_poll_period_seconds,
    `${f.status_last_read.max_age_seconds ?? '—'} / ${f.status_last_read.max_behind_ledger_seconds ?? '—'} (${f.status_last_read.sampled_jobs} jobs, ${f.status_last_read.without_last_read} without)`,
    f.worker_rss_mib_peak,
    f.worker_rss_mib_end,
    f.dev_server_rss_mib_end,
    f.sticky_cache_size_end,
  ]);
  const capacity = MAX_JOB_IDS_PER_REQUEST * (DEFAULT_POLICY.pollIntervalMs / 1000);
  return `
## Results

Layout: ${figures.map((f) => `${f.workflows} workflows of ${f.jobs_per_workflow}`).join(', ')} jobs, one worker process, one level at a time, each with its own
emulator, task queues and worker. Ramp: from the first workflow start until every job has been read once; steady:
the ${figures[0]?.steady.seconds ?? '?'} s after that, with every workflow waiting.

${markdownTable(
  [
    'jobs',
    'workflows',
    'watcher shards',
    'start all, s',
    'ramp, s',
    'ramp floor at 2/s / at the budget, s',
    'poll period per job (steady), s',
    'status: oldest last read / most behind the ledger, s',
    'worker RSS peak, MiB',
    'worker RSS end, MiB',
    'dev server RSS, MiB',
    'sticky cache size',
  ],
  levelRows,
)}

${markdownTable(
  [
    'jobs',
    'phase',
    'worker CPU, cores',
    'dev server CPU, cores',
    'whole machine busy, cores',
    'workflow tasks',
    'WFT schedule-to-start p50/p95/p99, ms',
    'WFT execution p50/p95/p99, ms',
    'describe activities; schedule-to-start p50/p95/p99, ms',
    'DescribeJobs/s',
  ],
  phaseRows,
)}

The Temporal server (its own Prometheus endpoint, \`--metrics-port\`): persistence requests and their latency, and
the history service's lock waits, per phase.

${markdownTable(
  [
    'jobs',
    'phase',
    'persistence requests/s',
    'persistence latency p50/p95/p99, ms',
    'lock wait p50/p95/p99, ms',
  ],
  figures.flatMap((f) =>
    (['ramp', 'steady'] as const).map((phase) => [
      f.jobs.toLocaleString('en'),
      phase,
      f[phase].persistence_requests_per_second,
      formatQuantiles(f[phase].persistence_latency_ms),
      formatQuantiles(f[phase].lock_latency_ms),
    ]),
  ),
)}

![worker CPU over time](scale-cpu.svg)

![worker RSS over time](scale-rss.svg)

${failures.map((f) => `- **${f.layout}** could not be measured: ${f.failed}`).join('\n')}

## Where it bends

${bends(figures, capacity)}

## How the figures are made

- Worker CPU: user + system CPU time of the worker process (/proc/<pid>/stat) per second of real time, sampled
  every ${SAMPLE_INTERVAL_MS / 1000} s; 1.0 = one core. The dev server runs on the same 2 cores and is measured the same way.
- RSS: VmRSS of the worker process. Sticky cache size: the SDK's \`temporal_sticky_cache_size\` gauge at the end.
- Workflow task latency: the worker's Prometheus endpoint, \`temporal_workflow_task_schedule_to_start_latency\`
  and \`temporal_workflow_task_execution_latency\`, the buckets' difference between the phase's two scrapes.
  The tables show the SDK bucket each quantile falls in (schedule-to-start buckets: 100, 500, 1000, 5000, 10000,
  100000 ms; execution: 1, 10, 20, 50, 100, 200, 500, 1000 ms): that is their real resolution. The JSON also has a
  value interpolated inside the bucket, as Prometheus' \`histogram_quantile\` would give.
- Describe activities: \`temporal_activity_schedule_to_start_latency\` on the describe queue (how long reads wait for
  the queue's rate limit). DescribeJobs/s and job reads/s: the emulator's ledger.
- Poll period per job: jobs ÷ job reads per second (jobs named in successful DescribeJobs) over the steady phase,
  which lasts two poll intervals; the policy asks for ${DEFAULT_POLICY.pollIntervalMs / 1000} s.
- Status: \`getRecoveryStatus\` of ${STATUS_SAMPLE} recoveries spread over the level at the end of the steady phase; the
  oldest \`lastReadAt\` among their jobs, and how far a job's \`lastReadAt\` lags the ledger's last successful
  DescribeJobs naming it (0: the status knows every read).
`;
}

/** Data-driven statements on where each resource bends. */
function bends(figures: readonly LevelFigures[], capacityJobsPerInterval: number): string {
  const lines: string[] = [];
  const slowPolls = figures.filter(
    (f) => (f.steady_poll_period_seconds ?? 0) > (DEFAULT_POLICY.pollIntervalMs / 1000) * 1.2,
  );
  lines.push(
    `- **Reads (the API's DescribeJobs limit):** the describe task queue runs at half the 2/s limit, 1 call/s of up to 100 ` +
      `jobs, so it can read at most ${capacityJobsPerInterval.toLocaleString('en')} jobs per 1-minute poll interval. ` +
      (slowPolls.length === 0
        ? 'No level here went past it: every job was read about once a minute.'
        : `Past it, rounds take longer than the interval and every job is read less often: ` +
          slowPolls
            .map((f) => `${f.jobs.toLocaleString('en')} jobs → every ${f.steady_poll_period_seconds} s`)
            .join(', ') +
          '. Detection of a failure by polling slows down in proportion (the jobStateChanged signal does not).'),
  );
  lines.push(
    `- **Starting many workflows at once:** every workflow's first tasks queue behind the worker's workflow thread ` +
      `(the SDK runs workflow code on one thread per worker process by default, so at most one core): the worker's ` +
      `CPU peaked at ` +
      figures.map((f) => `${round(max(f.cpu_timeline.map(([, cores]) => cores)), 2) ?? '—'}`).join(' / ') +
      ` cores right after the starts, and workflow tasks waited longer the more workflows started together ` +
      `(schedule-to-start p95 / p99: ` +
      figures
        .map(
          (f) =>
            `${f.ramp.wft_schedule_to_start_ms.buckets.p95 ?? '—'} / ${f.ramp.wft_schedule_to_start_ms.buckets.p99 ?? '—'} ms ` +
            `at ${f.workflows} workflows`,
        )
        .join(', ') +
      `). Not the server: it answered persistence requests in ` +
      figures.map((f) => `${f.ramp.persistence_latency_ms.buckets.p95 ?? '—'}`).join(' / ') +
      ` ms (p95) with no lock waits (p95 ` +
      figures.map((f) => `${f.ramp.lock_latency_ms.buckets.p95 ?? '—'}`).join(' / ') +
      ` ms), and the whole machine averaged ` +
      figures.map((f) => `${f.ramp.machine_busy_cores ?? '—'}`).join(' / ') +
      ` busy cores of 2 over the ramp. More worker processes (a workflow thread each) or staggered starts shorten ` +
      `it. The ramp's length itself is the first reads: ⌈jobs/100⌉ DescribeJobs at the budget's 2 calls per 1.3 s.`,
  );
  const first = figures[0];
  const last = figures[figures.length - 1];
  if (first && last && last.workflows > first.workflows) {
    const perWorkflow =
      ((last.worker_rss_mib_end ?? 0) - (first.worker_rss_mib_end ?? 0)) / (last.workflows - first.workflows);
    lines.push(
      `- **Memory:** the worker keeps every waiting workflow in its sticky cache (${last.sticky_cache_size_end ?? '?'} at ` +
        `${last.jobs.toLocaleString('en')} jobs); RSS grows about ${round(perWorkflow * 1024, 0)} KiB per workflow ` +
        `(${first.worker_rss_mib_end} → ${last.worker_rss_mib_end} MiB), far from the SDK's cache limit on this machine.`,
    );
  }
  lines.push(
    '- **Waiting itself** costs almost nothing: in the steady phase the worker used ' +
      figures.map((f) => `${f.steady.worker_cpu_cores ?? '—'}`).join(' / ') +
      ' cores: one poll activity attempt per 100 jobs per interval, no workflow task.',
  );
  return lines.join('\n');
}
