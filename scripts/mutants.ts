/**
 * `npm run test:mutants`: targeted mutants that show the tests depend on the guards of the retry path and the API
 * budget (scripts/mutants/catalogue.ts). The repository is copied to a temporary directory; the tests each mutant
 * names run there unmutated first (the baseline; any failure aborts), then once per mutant, with that one mutant
 * applied and the file restored after. Killed: its tests failed; survived: they passed; timeout: they ran past
 * twice the baseline plus 90 s. Writes bench/results/mutants.{json,md} and prints a summary.
 *
 *   npm run test:mutants [-- --only <id>[,<id>...]] [-- --keep-sandbox]
 *
 * `--only` runs the named mutants (and their baseline) and prints the result without writing the report. Not
 * part of `npm test`: a full run takes minutes.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeMachine } from '../bench/lib/report';
import globalSetup from '../test/setup/global-setup';
import globalTeardown from '../test/setup/global-teardown';
import { MUTANTS, type Mutant } from './mutants/catalogue';
import { jestArgs, runJest, stopRunningJest, type JestSelection } from './mutants/jest-run';
import {
  scoreOf,
  scoresByModule,
  writeMutantsReport,
  type BaselineRun,
  type MutantResult,
  type MutantStatus,
} from './mutants/report';
import { catalogueProblems, createSandbox, withMutant, type Sandbox } from './mutants/sandbox';

const REPO_ROOT = path.resolve(__dirname, '..');

/** A mutant's tests may take this much longer than their baseline before the run counts as a timeout. */
const TIMEOUT_FACTOR = 2;
const TIMEOUT_EXTRA_MS = 90_000;

interface Options {
  only: string[] | undefined;
  keepSandbox: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { only: undefined, keepSandbox: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') {
      const value = argv[++i];
      if (!value) throw new Error('--only needs a mutant id');
      options.only = [...(options.only ?? []), ...value.split(',').filter((id) => id !== '')];
    } else if (arg === '--keep-sandbox') {
      options.keepSandbox = true;
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: npm run test:mutants [-- --only <id>] [--keep-sandbox]`,
      );
    }
  }
  return options;
}

function selectMutants(only: string[] | undefined): readonly Mutant[] {
  if (only === undefined) return MUTANTS;
  const unknown = only.filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) {
    throw new Error(`unknown mutant ${unknown.join(', ')}; known: ${MUTANTS.map((m) => m.id).join(', ')}`);
  }
  return MUTANTS.filter((m) => only.includes(m.id));
}

function selectionOf(mutant: Mutant): JestSelection {
  return {
    tests: mutant.tests,
    project: mutant.project ?? 'dev-server',
    ...(mutant.testNamePattern === undefined ? {} : { testNamePattern: mutant.testNamePattern }),
  };
}

function commandOf(selection: JestSelection): string {
  return ['npx', 'jest', ...jestArgs(selection).map(shellQuote)].join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w./=@:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs each distinct command of `mutants` unmutated; throws if one does not pass. */
async function runBaseline(sandbox: Sandbox, mutants: readonly Mutant[]): Promise<Map<string, BaselineRun>> {
  const baseline = new Map<string, BaselineRun>();
  for (const mutant of mutants) {
    const selection = selectionOf(mutant);
    const command = commandOf(selection);
    if (baseline.has(command)) continue;
    const result = await runJest(sandbox.repo, selection, {
      logDir: sandbox.logs,
      name: `baseline-${baseline.size + 1}`,
      timeoutMs: 20 * 60_000,
    });
    console.log(`baseline ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s: ${command}`);
    if (result.outcome !== 'passed') {
      throw new Error(
        `the baseline did not pass (${result.outcome}): ${command}\n${result.failures.join('\n')}\n` +
          `--- last lines of ${result.logFile} ---\n${tail(result.logFile, 40)}`,
      );
    }
    baseline.set(command, {
      command,
      durationMs: result.durationMs,
      passed: result.passed,
      timeoutMs: TIMEOUT_FACTOR * result.durationMs + TIMEOUT_EXTRA_MS,
    });
  }
  return baseline;
}

async function runMutant(sandbox: Sandbox, mutant: Mutant, baseline: BaselineRun): Promise<MutantResult> {
  const selection = selectionOf(mutant);
  const run = await withMutant(sandbox.repo, mutant, () =>
    runJest(sandbox.repo, selection, {
      logDir: sandbox.logs,
      name: mutant.id,
      timeoutMs: baseline.timeoutMs,
    }),
  );
  const status: MutantStatus =
    run.outcome === 'failed'
      ? 'killed'
      : run.outcome === 'timeout'
        ? 'timeout'
        : run.outcome === 'passed'
          ? 'survived'
          : 'error';
  const failures =
    status === 'error' ? [`${run.outcome}: ${run.failures.join('; ') || 'no test ran'}`] : run.failures;
  return { mutant, command: baseline.command, status, durationMs: run.durationMs, failures };
}

function printSummary(results: readonly MutantResult[], durationMs: number): void {
  const line = (label: string, s: ReturnType<typeof scoreOf>) =>
    `${label.padEnd(52)} ${String(s.killed + s.timed_out).padStart(3)}/${String(s.total).padEnd(3)} ` +
    `${(s.score * 100).toFixed(1).padStart(5)} %  (${s.timed_out} by timeout, ${s.survived} survived, ${s.errors} errors)`;
  console.log('\nmutation score (killed / total)');
  for (const { file, score } of scoresByModule(results)) console.log(line(file, score));
  console.log(line('overall', scoreOf(results)));
  for (const r of results.filter((r) => r.status === 'survived' || r.status === 'error')) {
    const why = r.status === 'error' ? r.failures.join('; ') : (r.mutant.survivorReason ?? 'a test gap');
    console.log(`${r.status}: ${r.mutant.id}: ${why}`);
  }
  console.log(`in ${(durationMs / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const mutants = selectMutants(options.only);
  const startedAt = new Date();
  const machine = describeMachine();
  const sandbox = await createSandbox(REPO_ROOT);
  const interrupted = (): void => {
    stopRunningJest();
    if (!options.keepSandbox) rmSync(sandbox.root, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  console.log(`sandbox: ${sandbox.repo}`);
  try {
    const problems = await catalogueProblems(sandbox.repo, MUTANTS);
    if (problems.length > 0) throw new Error(`the mutant catalogue is wrong:\n- ${problems.join('\n- ')}`);
    // One dev server for every jest run (their global setup then reuses it), as the tests' own setup starts it.
    await globalSetup();
    try {
      const baseline = await runBaseline(sandbox, mutants);
      const results: MutantResult[] = [];
      for (const [i, mutant] of mutants.entries()) {
        const result = await runMutant(
          sandbox,
          mutant,
          baseline.get(commandOf(selectionOf(mutant))) as BaselineRun,
        );
        results.push(result);
        console.log(
          `[${i + 1}/${mutants.length}] ${result.status.padEnd(8)} ${mutant.id} ` +
            `(${(result.durationMs / 1000).toFixed(1)} s)` +
            (result.failures[0] === undefined ? '' : `: ${result.failures[0]}`),
        );
      }
      const durationMs = Date.now() - startedAt.getTime();
      printSummary(results, durationMs);
      if (options.only === undefined) {
        const written = await writeMutantsReport({
          command: 'npm run test:mutants',
          startedAt,
          machine,
          durationMs,
          configuration: {
            mutants: mutants.length,
            catalogue: 'scripts/mutants/catalogue.ts',
            sandbox:
              'git ls-files (tracked and untracked, not ignored) copied to a temporary directory, node_modules linked',
            jest: 'each mutant: its own test files, --selectProjects, --maxWorkers=1, -t where set',
            temporal:
              'one dev server for every jest run (test/setup/global-setup.ts); time-skipping servers per test',
            timeout: `${TIMEOUT_FACTOR} × the baseline of the same command + ${TIMEOUT_EXTRA_MS / 1000} s`,
          },
          baseline: [...baseline.values()],
          results,
        });
        console.log(`wrote ${written.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
      }
    } finally {
      await globalTeardown();
    }
  } finally {
    if (options.keepSandbox) console.log(`kept the sandbox: ${sandbox.root}`);
    else await sandbox.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
