/**
 * One benchmark scenario on the real path: a fresh emulator (its own ledger), task queues of its own, worker
 * processes of src/worker.ts pointed at both, emulated jobs, and recovery workflows watching them in a given
 * layout. Call it inside `withCleanupScope`, so the scenario's emulator and workers are gone before the next.
 */
import type { StartedRecovery } from '../../src/client';
import type { EmulatorOptions, JobScript, RunningEmulator } from '../../src/emulator';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { startBenchEmulator } from './bench-emulator';
import { createJobs, groupJobs, type Layout, layoutLabel } from './jobs';
import { startRecoveries, type SharedInput } from './recoveries';
import type { BenchTemporal } from './temporal-server';
import { benchQueues, workerEnv, type WorkerEnvOptions } from './worker-env';
import { startWorkerProcesses, type WorkerProcess } from './worker-processes';

/** What a scenario is made of. */
export interface ScenarioSpec {
  /** Short name, part of the task queue names and workflow IDs. */
  name: string;
  layout: Layout;
  workerProcesses: number;
  script: JobScript;
  /** Everything the workflows get besides their job IDs (policy, label, extra fields). */
  input: SharedInput;
  /** Emulator options (rate limits, seed); time scale is always 1. @default the API's limits */
  emulator?: EmulatorOptions;
  /** Worker settings the scenario changes on purpose (rate limits, log level). @default the worker's defaults */
  worker?: Pick<WorkerEnvOptions, 'apiRateLimits' | 'logLevel'>;
}

/** A running scenario. */
export interface Scenario {
  emulator: RunningEmulator;
  queues: RecoveryTaskQueues;
  workers: WorkerProcess[];
  jobs: string[];
  recoveries: StartedRecovery[];
  /** The workflow watching each job. */
  ownerOf: Map<string, string>;
  /** When the first workflow was about to start, on the ledger's clock. */
  startedAt: number;
}

/** A scenario whose emulator, workers and jobs exist, before any workflow starts. */
export type PreparedScenario = Omit<Scenario, 'recoveries' | 'ownerOf' | 'startedAt'>;

/** Starts the emulator and workers and creates the jobs of `spec`. */
export async function prepareScenario(
  temporal: BenchTemporal,
  spec: ScenarioSpec,
): Promise<PreparedScenario> {
  const emulator = await startBenchEmulator(spec.emulator);
  const queues = benchQueues(spec.name);
  const workers = await startWorkerProcesses(
    spec.workerProcesses,
    workerEnv({ ...spec.worker, temporalAddress: temporal.server.address, emulator, queues }),
    temporal.workDir,
  );
  const jobs = createJobs(emulator, spec.layout.workflows * spec.layout.jobsPerWorkflow, spec.script);
  return { emulator, queues, workers, jobs };
}

/** Starts the workflows of a prepared scenario, one per group of `spec.layout.jobsPerWorkflow` jobs. */
export async function startScenarioWorkflows(
  temporal: BenchTemporal,
  prepared: PreparedScenario,
  spec: ScenarioSpec,
): Promise<Scenario> {
  const startedAt = prepared.emulator.emulatedNow();
  const groups = groupJobs(prepared.jobs, spec.layout.jobsPerWorkflow);
  const recoveries = await startRecoveries(
    temporal.client,
    groups,
    prepared.queues,
    { label: `bench ${spec.name} ${layoutLabel(spec.layout)}`, ...spec.input },
    prepared.queues.workflow,
  );
  const ownerOf = new Map(
    groups.flatMap((group, i) =>
      group.map((jobId): [string, string] => [jobId, recoveries[i]?.workflowId ?? '']),
    ),
  );
  return { ...prepared, recoveries, ownerOf, startedAt };
}

/** {@link prepareScenario}, then {@link startScenarioWorkflows}. */
export async function startScenario(temporal: BenchTemporal, spec: ScenarioSpec): Promise<Scenario> {
  return startScenarioWorkflows(temporal, await prepareScenario(temporal, spec), spec);
}

/** A scenario that could not run, and why (the product refused it, a bound was hit...). */
export interface FailedScenario {
  layout: string;
  failed: string;
}

/**
 * Runs one scenario; if it throws, records why instead of ending the benchmark, so the other scenarios still
 * run and the report shows what failed (often a finding about the product itself).
 */
export async function recordFailure<T>(layout: Layout, run: () => Promise<T>): Promise<T | FailedScenario> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
    return { layout: layoutLabel(layout), failed: message };
  }
}

function causeOf(error: Error): string {
  return error.cause instanceof Error ? `: ${error.cause.message}` : '';
}

/** Type guard for {@link FailedScenario}. */
export function isFailed<T extends object>(figures: T | FailedScenario): figures is FailedScenario {
  return 'failed' in figures;
}
