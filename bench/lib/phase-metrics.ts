/**
 * What the worker processes and the dev server did between two moments: CPU per second from /proc, and workflow
 * task latency from the workers' Prometheus endpoints (the SDK's histograms, differenced between two scrapes).
 */
import type { RunningEmulator } from '../../src/emulator';
import os from 'node:os';
import {
  cpuPerSecond,
  machineBusyCores,
  sampleMachine,
  sampleProcess,
  type MachineSample,
  type ProcessSample,
} from './process-stats';
import {
  bucketsBetween,
  histogramBuckets,
  histogramQuantile,
  histogramQuantileBucket,
  observations,
  scrapeMetrics,
  type Buckets,
  type MetricSample,
} from './prometheus';
import { round } from './stats';
import type { BenchTemporal } from './temporal-server';
import type { WorkerProcess } from './worker-processes';

/** Everything read at one moment. */
export interface Mark {
  /** Real time, epoch ms. */
  at: number;
  /** The emulator's ledger clock (emulated time at scale 1). */
  ledgerAt: number;
  /** Every worker's metrics, concatenated (histograms are summed over workers). */
  metrics: MetricSample[];
  /** The Temporal server's own metrics (empty when it has no endpoint). */
  serverMetrics: MetricSample[];
  /** Worker processes by name, and `dev-server`. */
  processes: Map<string, ProcessSample>;
  /** The whole machine's CPU counters. */
  machine: MachineSample | undefined;
}

/**
 * Latency quantiles in ms, interpolated inside the SDK's histogram buckets, and the bucket each one falls in: the
 * SDK's buckets are wide (schedule-to-start: 100, 500, 1000, 5000, 10000, 100000 ms), so the bucket is the honest
 * resolution and the interpolated value only a point inside it.
 */
export interface Quantiles {
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
  buckets: { p50?: string; p95?: string; p99?: string };
}

/** Workflow task figures between two marks. */
export interface WorkflowTaskFigures {
  workflow_tasks: number;
  wft_schedule_to_start_ms: Quantiles;
  wft_execution_ms: Quantiles;
}

/** Reads the workers' metrics and every process now. */
export async function takeMark(
  workers: readonly WorkerProcess[],
  server: Pick<BenchTemporal, 'serverPid' | 'metricsUrl'>,
  emulator: RunningEmulator,
): Promise<Mark> {
  const metrics = (await Promise.all(workers.map((w) => scrapeMetrics(w.metricsUrl)))).flat();
  const serverMetrics = await scrapeMetrics(server.metricsUrl).catch(() => []);
  const devServerPid = server.serverPid;
  const processes = new Map<string, ProcessSample>();
  for (const worker of workers) {
    const sample = sampleProcess(worker.pid);
    if (sample) processes.set(worker.name, sample);
  }
  const serverProcess = devServerPid === undefined ? undefined : sampleProcess(devServerPid);
  if (serverProcess) processes.set('dev-server', serverProcess);
  return {
    at: Date.now(),
    ledgerAt: emulator.emulatedNow(),
    metrics,
    serverMetrics,
    processes,
    machine: sampleMachine(),
  };
}

/** Cores the whole machine was busy between two marks, whoever used them (the machine is shared). */
export function machineCores(from: Mark, to: Mark): number | undefined {
  return from.machine && to.machine
    ? round(machineBusyCores(from.machine, to.machine, os.cpus().length), 3)
    : undefined;
}

/** CPU cores the named processes used together between two marks (1.0 = one core busy). */
export function cpuCores(from: Mark, to: Mark, names: readonly string[]): number | undefined {
  let total = 0;
  for (const name of names) {
    const a = from.processes.get(name);
    const b = to.processes.get(name);
    if (!a || !b) return undefined;
    total += cpuPerSecond(a, b);
  }
  return round(total, 3);
}

/** Buckets of histogram `name` observed between two marks. */
export function histogramBetween(
  from: Mark,
  to: Mark,
  name: string,
  labels: Record<string, string> = {},
): Buckets {
  return bucketsBetween(
    histogramBuckets(from.metrics, name, labels),
    histogramBuckets(to.metrics, name, labels),
  );
}

/** p50/p95/p99 of `buckets`, rounded to the millisecond, with their buckets. */
export function quantilesOf(buckets: Buckets): Quantiles {
  const range = (q: number): string | undefined => {
    const bucket = histogramQuantileBucket(buckets, q);
    return bucket && `${formatMs(bucket[0])}–${formatMs(bucket[1])}`;
  };
  return {
    p50: round(histogramQuantile(buckets, 0.5), 0),
    p95: round(histogramQuantile(buckets, 0.95), 0),
    p99: round(histogramQuantile(buckets, 0.99), 0),
    buckets: { p50: range(0.5), p95: range(0.95), p99: range(0.99) },
  };
}

/** `p50 / p95 / p99` as the buckets they fall in (e.g. `0–100 / 10k–100k / 10k–100k` ms), for tables. */
export function formatQuantiles(quantiles: Quantiles): string {
  const { p50, p95, p99 } = quantiles.buckets;
  return `${p50 ?? '—'} / ${p95 ?? '—'} / ${p99 ?? '—'}`;
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}k` : String(ms);
}

/** How many workflow tasks ran between two marks, how long they waited to start and how long they ran. */
export function workflowTaskFigures(from: Mark, to: Mark): WorkflowTaskFigures {
  const execution = histogramBetween(from, to, 'temporal_workflow_task_execution_latency');
  return {
    workflow_tasks: observations(execution),
    wft_schedule_to_start_ms: quantilesOf(
      histogramBetween(from, to, 'temporal_workflow_task_schedule_to_start_latency'),
    ),
    wft_execution_ms: quantilesOf(execution),
  };
}

/** The Temporal server's persistence between two marks: how much it wrote and read, and how long that took. */
export interface ServerFigures {
  persistence_requests_per_second: number | undefined;
  persistence_latency_ms: Quantiles;
  /** The history service's locks (a workflow's or a shard's) waited for. */
  lock_latency_ms: Quantiles;
}

/** {@link ServerFigures} from the server's metrics (its histograms are in seconds; shown in ms). */
export function serverFigures(from: Mark, to: Mark): ServerFigures {
  const seconds = (to.at - from.at) / 1000;
  const requests = (marks: Mark): number =>
    marks.serverMetrics.filter((s) => s.name === 'persistence_requests').reduce((sum, s) => sum + s.value, 0);
  const inMs = (name: string): Buckets => {
    const delta = bucketsBetween(
      histogramBuckets(from.serverMetrics, name),
      histogramBuckets(to.serverMetrics, name),
    );
    return new Map([...delta].map(([le, count]) => [Math.round(le * 1e6) / 1e3, count]));
  };
  return {
    persistence_requests_per_second:
      from.serverMetrics.length > 0 && seconds > 0
        ? round((requests(to) - requests(from)) / seconds, 1)
        : undefined,
    persistence_latency_ms: quantilesOf(inMs('persistence_latency')),
    lock_latency_ms: quantilesOf(inMs('lock_latency')),
  };
}
