/**
 * The production entry (src/worker.ts `main`) in a child process, configured only through the environment,
 * with its metrics and health endpoints on free ports; and readers for what those endpoints answer.
 */
import type { RunningEmulator } from '../../src/emulator';
import { findFreePort } from '../../src/devenv/free-port';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { startTsProcess, type ChildProcessHandle } from '../helpers/temporal-worker-process';
import { workerProcessEnv } from './e2e-kit';

/** A worker process and where its endpoints are. */
export interface WorkerProcess {
  child: ChildProcessHandle;
  metricsUrl: string;
  healthUrl: string;
}

/** Starts `src/worker.ts` against the run's dev server and `emulator`, on `queues`. */
export async function startWorkerProcess(
  emulator: RunningEmulator,
  queues: RecoveryTaskQueues,
  extraEnv: Record<string, string> = {},
): Promise<WorkerProcess> {
  const [metricsPort, healthPort] = [await findFreePort(), await findFreePort()];
  const child = startTsProcess(
    require.resolve('../../src/worker.ts'),
    workerProcessEnv(emulator, queues, {
      TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
      ...extraEnv,
    }),
  );
  return {
    child,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl: `http://127.0.0.1:${healthPort}/healthz`,
  };
}

/** `/healthz`'s status and JSON body, or `closed` when nothing listens any more. */
export async function readHealth(
  url: string,
): Promise<{ status: number; body: { status: string; workers: Record<string, string> } } | 'closed'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: (await response.json()) as never };
  } catch {
    return 'closed';
  }
}

/** One Prometheus sample. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Scrapes `url` and parses the text exposition format (enough of it for counters and histograms). */
export async function scrapeMetrics(url: string): Promise<MetricSample[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return parsePrometheusText(await response.text());
}

export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}
