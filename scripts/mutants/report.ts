/**
 * The mutation report: bench/results/mutants.json (every mutant's status, the score per module and overall) and
 * bench/results/mutants.md, written with the benchmarks' report writer so they carry the same header (command,
 * date, machine, commit). The previous report's summary is kept, so a run after new tests shows both.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  markdownTable,
  RESULTS_DIR,
  writeReport,
  type MachineInfo,
  type ReportHeader,
} from '../../bench/lib/report';
import type { Mutant } from './catalogue';

/** `timeout`: the tests ran past their deadline with the mutant in place (killed, but counted on its own). */
export type MutantStatus = 'killed' | 'timeout' | 'survived' | 'error';

export interface MutantResult {
  mutant: Mutant;
  /** The jest command, as run in the sandbox. */
  command: string;
  status: MutantStatus;
  durationMs: number;
  /** The tests that failed (killed), or why the run proves nothing (error). */
  failures: string[];
}

export interface BaselineRun {
  command: string;
  durationMs: number;
  passed: number;
  /** The deadline of the mutants that share this command. */
  timeoutMs: number;
}

export interface Score {
  killed: number;
  timed_out: number;
  survived: number;
  errors: number;
  total: number;
  /** (killed + timed out) / total. */
  score: number;
}

/** What a later report keeps of this one. */
interface RunSummary {
  date: string;
  commit: string;
  score: Score;
  survivors: string[];
}

export const REPORT_NAME = 'mutants';

export function scoreOf(results: readonly MutantResult[]): Score {
  const count = (status: MutantStatus): number => results.filter((r) => r.status === status).length;
  const killed = count('killed');
  const timedOut = count('timeout');
  return {
    killed,
    timed_out: timedOut,
    survived: count('survived'),
    errors: count('error'),
    total: results.length,
    score: results.length === 0 ? 0 : round((killed + timedOut) / results.length),
  };
}

/** Scores per mutated file, in catalogue order. */
export function scoresByModule(results: readonly MutantResult[]): { file: string; score: Score }[] {
  const files = [...new Set(results.map((r) => r.mutant.file))];
  return files.map((file) => ({ file, score: scoreOf(results.filter((r) => r.mutant.file === file)) }));
}

export async function writeMutantsReport(run: {
  command: string;
  startedAt: Date;
  machine: MachineInfo;
  durationMs: number;
  configuration: Record<string, unknown>;
  baseline: readonly BaselineRun[];
  results: readonly MutantResult[];
}): Promise<string[]> {
  const previousRuns = await previousRunSummaries();
  const overall = scoreOf(run.results);
  const modules = scoresByModule(run.results);
  const figures = {
    duration_seconds: seconds(run.durationMs),
    score: overall,
    modules: modules.map(({ file, score }) => ({ file, ...score })),
    baseline: run.baseline.map((b) => ({
      command: b.command,
      passed: b.passed,
      duration_seconds: seconds(b.durationMs),
      mutant_timeout_seconds: seconds(b.timeoutMs),
    })),
    mutants: run.results.map((r) => ({
      id: r.mutant.id,
      file: r.mutant.file,
      description: r.mutant.description,
      status: r.status,
      duration_seconds: seconds(r.durationMs),
      command: r.command,
      ...(r.failures.length > 0 ? { failed_tests: r.failures.slice(0, 5) } : {}),
      ...(r.mutant.survivorReason === undefined ? {} : { survivorReason: r.mutant.survivorReason }),
    })),
    previous_runs: previousRuns,
  };
  const header: ReportHeader = {
    name: REPORT_NAME,
    title: 'mutants: do the tests depend on the guards?',
    command: run.command,
    startedAt: run.startedAt,
    machine: run.machine,
    configuration: run.configuration,
  };
  return writeReport(header, figures, markdown(run.durationMs, overall, modules, run.results, previousRuns));
}

function markdown(
  durationMs: number,
  overall: Score,
  modules: readonly { file: string; score: Score }[],
  results: readonly MutantResult[],
  previousRuns: readonly RunSummary[],
): string {
  const survivors = results.filter((r) => r.status === 'survived');
  const scoreCells = (s: Score) => [s.killed, s.timed_out, s.survived, s.errors, s.total, percent(s.score)];
  const lines = [
    '## Results',
    '',
    `${overall.killed + overall.timed_out} of ${overall.total} mutants killed (${percent(overall.score)}), ` +
      `${overall.timed_out} of them by timeout; ${overall.survived} survived, ${overall.errors} errors; ` +
      `${seconds(durationMs)} s in all.`,
    '',
    markdownTable(
      ['module', 'killed', 'timed out', 'survived', 'errors', 'total', 'score'],
      [
        ...modules.map(({ file, score }) => [`\`${file}\``, ...scoreCells(score)]),
        ['**overall**', ...scoreCells(overall)],
      ],
    ),
    '',
    '## Mutants',
    '',
    markdownTable(
      ['mutant', 'status', 's', 'breaks'],
      results.map((r) => [`\`${r.mutant.id}\``, r.status, seconds(r.durationMs), r.mutant.description]),
    ),
    '',
    '## Survivors',
    '',
    survivors.length === 0
      ? 'None.'
      : survivors
          .map(
            (r) =>
              `- \`${r.mutant.id}\`: ${r.mutant.survivorReason ?? 'no reason recorded: a gap in its tests'}`,
          )
          .join('\n'),
  ];
  if (previousRuns.length > 0) {
    lines.push(
      '',
      '## Earlier runs',
      '',
      markdownTable(
        ['date', 'code', 'score', 'survivors'],
        previousRuns.map((p) => [
          p.date,
          `\`${p.commit}\``,
          `${p.score.killed + p.score.timed_out}/${p.score.total}`,
          p.survivors.join(', ') || 'none',
        ]),
      ),
    );
  }
  return lines.join('\n');
}

/** The earlier reports' summaries, this one's predecessor last (at most five). */
async function previousRunSummaries(): Promise<RunSummary[]> {
  let previous: {
    date: string;
    machine: MachineInfo;
    figures: { score: Score; mutants: { id: string; status: string }[]; previous_runs?: RunSummary[] };
  };
  try {
    previous = JSON.parse(
      await readFile(path.join(RESULTS_DIR, `${REPORT_NAME}.json`), 'utf8'),
    ) as typeof previous;
  } catch {
    return [];
  }
  const summary: RunSummary = {
    date: previous.date,
    commit: previous.machine.commit,
    score: previous.figures.score,
    survivors: previous.figures.mutants.filter((m) => m.status === 'survived').map((m) => m.id),
  };
  return [...(previous.figures.previous_runs ?? []), summary].slice(-5);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10} %`;
}
