/**
 * `npm run bench:chaos` and `npm run bench:chaos-faults` (`--faults`): one full chaos run (200 workflows, 10 worker
 * SIGKILLs, one dev-server restart; 20% API faults with `--faults`), written to bench/results/chaos.json or
 * chaos-faults.json, and bench/results/chaos.md regenerated from both. `npm run bench:chaos-cluster` (`--cluster`):
 * the same on the Temporal cluster on PostgreSQL, with 20% faults, each of matching, history and frontend SIGKILLed
 * and restarted, and PostgreSQL restarted, instead of the dev-server restart: bench/results/chaos-cluster.json. `--seed <n>` repeats a run's draws.
 * Exits 1 when a job was lost, a failure retried twice, an outcome wrong, or a disruption did not happen.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chaosRunPassed, runChaos, type ChaosOptions, type ChaosResult } from './chaos-run';
import { renderChaosReport } from './chaos-report';

const RESULTS_DIR = path.resolve(__dirname, '../results');

/** The full-size run of the issue: about 4 minutes on 2 cores without faults. */
const FULL_RUN: ChaosOptions = {
  workflows: 200,
  jobsPerWorkflow: 2,
  workerProcesses: 2,
  workerKills: 10,
  // Two more kills aimed at a RetryJobs call the API holds, and two answers of applied RetryJobs dropped: the
  // dangerous moments, made to happen rather than hoped for.
  retryJobsKills: 2,
  retryJobsDrops: 2,
  serverRestarts: 1,
  startWindowMs: 150_000,
  // Every action at its API limit through the budget, with 20% faults (RequestLimitExceeded among them, which
  // slow the budget down): the first such run still had 7 of 200 workflows working at 240 s, none of them wrong
  // or retried twice. A job counts as lost only if its workflow has not finished 8 minutes after the last
  // disruption.
  drainTimeoutMs: 480_000,
};

const RUNS = {
  chaos: { command: 'npm run bench:chaos', file: 'chaos.json', options: { ...FULL_RUN, seed: 1 } },
  'chaos-faults': {
    command: 'npm run bench:chaos-faults',
    file: 'chaos-faults.json',
    options: { ...FULL_RUN, faultRate: 0.2, seed: 2 },
  },
} as const;

const CLUSTER_RUN = {
  command: 'npm run bench:chaos-cluster',
  file: 'chaos-cluster.json',
  options: {
    ...FULL_RUN,
    backend: 'postgresql',
    serverRestarts: 0,
    serviceKills: 1,
    postgresRestarts: 1,
    faultRate: 0.2,
    // Five server processes and PostgreSQL share the 2 cores with the workers: the first run's workflows took a p50
    // of 371 s (dev server: 25 s).
    seed: 3,
  },
} as const satisfies { command: string; file: string; options: ChaosOptions };

async function main(): Promise<void> {
  const cluster = process.argv.includes('--cluster');
  const name = cluster ? 'chaos-cluster' : process.argv.includes('--faults') ? 'chaos-faults' : 'chaos';
  const run = name === 'chaos-cluster' ? CLUSTER_RUN : RUNS[name];
  const controller = new AbortController();
  // Ctrl-C stops the run cleanly: every worker process and the server are stopped before exiting.
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const result = await runChaos({
    ...run.options,
    ...seedArgument(),
    signal: controller.signal,
    log: (line) => console.error(`[${name}] ${line}`),
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, run.file), `${JSON.stringify(result, null, 2)}\n`);
  // chaos.md compares the two dev-server runs; the cluster run's figures are in its JSON and the README.
  if (!cluster)
    writeFileSync(
      path.join(RESULTS_DIR, 'chaos.md'),
      renderChaosReport(
        Object.entries(RUNS).map(([runName, r]) => ({
          name: runName,
          command: r.command,
          result: readResult(path.join(RESULTS_DIR, r.file)),
        })),
      ),
    );
  console.log(JSON.stringify(headline(result), null, 2));
  if (!chaosRunPassed(result)) {
    console.error(`[${name}] FAILED: see ${path.join(RESULTS_DIR, run.file)} (violations, evidence_dir)`);
    process.exitCode = 1;
  }
}

function seedArgument(): Pick<ChaosOptions, 'seed'> {
  const at = process.argv.indexOf('--seed');
  if (at < 0) return {};
  const seed = Number(process.argv[at + 1]);
  if (!Number.isInteger(seed)) throw new Error(`--seed needs an integer, got ${process.argv[at + 1]}`);
  return { seed };
}

function readResult(file: string): ChaosResult | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ChaosResult) : undefined;
}

/** The figures the issue asks for, printed at the end. */
function headline(result: ChaosResult): Record<string, unknown> {
  const { config: _config, details: _details, violations: _violations, ...figures } = result;
  return figures;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
