/**
 * Benchmark output: `bench/results/<name>.json` (machine-readable figures) and `bench/results/<name>.md` (a
 * short report a person reads), plus any SVG charts. Every report names the command that reproduces it, the
 * machine, the date and the configuration, because a figure without them cannot be compared with anything.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Where results go: bench/results/, next to the benchmarks. */
export const RESULTS_DIR = path.resolve(__dirname, '../results');

/** The machine a benchmark ran on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  node: string;
  /** 1-minute load average when the benchmark started: the machine is shared, so say how busy it was. */
  loadAverageAtStart: number;
  /** `git describe` of the code measured (with `-dirty` when the working tree had changes). */
  commit: string;
}

/** Describes this machine now. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    commit: gitDescribe(),
  };
}

function gitDescribe(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** What every report starts with. */
export interface ReportHeader {
  /** e.g. `rate-wave` */
  name: string;
  title: string;
  /** The command that reproduces the figures, e.g. `npm run bench:rate-wave`. */
  command: string;
  startedAt: Date;
  machine: MachineInfo;
  /** Every setting that shapes the figures. */
  configuration: Record<string, unknown>;
}

/** A chart to write next to the report. */
export interface Chart {
  /** File name inside bench/results/, e.g. `rate-wave.svg`. */
  file: string;
  svg: string;
}

/** Writes `<name>.json` (header + figures), `<name>.md` and the charts; returns the paths written. */
export async function writeReport(
  header: ReportHeader,
  figures: unknown,
  markdownBody: string,
  charts: readonly Chart[] = [],
): Promise<string[]> {
  await mkdir(RESULTS_DIR, { recursive: true });
  // The package may change while a long benchmark runs (each scenario starts fresh workers from the tree).
  const commitAtEnd = gitDescribe();
  const json = {
    benchmark: header.name,
    command: header.command,
    date: header.startedAt.toISOString(),
    machine: header.machine,
    commit_at_end: commitAtEnd,
    configuration: header.configuration,
    figures,
  };
  const written = [
    path.join(RESULTS_DIR, `${header.name}.json`),
    path.join(RESULTS_DIR, `${header.name}.md`),
  ];
  await writeFile(written[0] as string, JSON.stringify(json, null, 2) + '\n');
  await writeFile(written[1] as string, `${markdownHeader(header, commitAtEnd)}\n${markdownBody.trim()}\n`);
  for (const chart of charts) {
    const file = path.join(RESULTS_DIR, chart.file);
    await writeFile(file, chart.svg);
    written.push(file);
  }
  return written;
}

function markdownHeader(header: ReportHeader, commitAtEnd: string): string {
  const m = header.machine;
  const config = Object.entries(header.configuration).map(
    ([key, value]) => `- \`${key}\`: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return [
    `# ${header.title}`,
    '',
    `- **Reproduce:** \`${header.command}\``,
    `- **Date:** ${header.startedAt.toISOString()}`,
    `- **Machine:** ${m.cpus} × ${m.cpuModel} (os.cpus()), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; ` +
      `load average ${m.loadAverageAtStart} at start (shared machine)`,
    commitAtEnd === m.commit
      ? `- **Code:** \`${m.commit}\``
      : `- **Code:** \`${m.commit}\` at start, \`${commitAtEnd}\` at the end (the tree changed during the run)`,
    '',
    '## Configuration',
    '',
    ...config,
    '',
  ].join('\n');
}

/** What a table cell may hold. */
export type Cell = string | number | boolean | undefined | null;

/** A markdown table; cells are printed as given (undefined as an em dash). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (value: Cell): string =>
    value === undefined || value === null ? '—' : String(value).replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}
