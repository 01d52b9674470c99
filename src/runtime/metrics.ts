/**
 * The SDK runtime of the worker process: its logger and, when an address is configured, the Prometheus
 * exporter that serves both the SDK's metrics (`temporal_…`) and the package's own counters
 * (`tencent_batch_…`, recorded from activities: src/activities/recovery-metrics.ts) on `/metrics`.
 *
 * `Runtime.install` may run only once per process and before any connection or worker exists, so this is
 * called by the process entry (src/worker.ts `main`) only, never by library code.
 */
import { DefaultLogger, Runtime, makeTelemetryFilterString, type RuntimeOptions } from '@temporalio/worker';
import type { WorkerConfig } from './worker-config';

/** The runtime options of the worker process (exported for tests). */
export function workerRuntimeOptions(
  config: Pick<WorkerConfig, 'metricsAddress' | 'logLevel'>,
): RuntimeOptions {
  return {
    logger: new DefaultLogger(config.logLevel),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(config.metricsAddress
        ? {
            metrics: {
              // Counter names stay as documented (no `_total`); SDK metrics keep their `temporal_` prefix.
              prometheus: { bindAddress: config.metricsAddress },
            },
          }
        : {}),
    },
    // The process handles SIGINT/SIGTERM itself (src/runtime/shutdown.ts): one drain, then a forced exit on a
    // second signal. The runtime's own handler would shut the workers down behind that sequence's back.
    shutdownSignals: [],
  };
}

/** Installs the worker process's runtime; throws if a runtime was already installed in this process. */
export function installWorkerRuntime(config: Pick<WorkerConfig, 'metricsAddress' | 'logLevel'>): Runtime {
  return Runtime.install(workerRuntimeOptions(config));
}
