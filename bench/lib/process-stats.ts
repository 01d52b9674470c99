/**
 * CPU time and resident memory of a process, from Linux's /proc (the benchmarks run on Linux; elsewhere the
 * readings are undefined and the reports say so).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** One reading of a process. */
export interface ProcessSample {
  /** Real time of the reading, epoch ms. */
  at: number;
  /** User + system CPU time since the process started, in seconds. */
  cpuSeconds: number;
  /** Resident set size, in MiB. */
  rssMiB: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on nearly every Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Reads `pid`'s CPU time and RSS now; undefined when the process is gone or /proc is missing. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces: state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { at: Date.now(), cpuSeconds: (utime + stime) / ticksPerSecond(), rssMiB: rssKiB / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds used per second of real time between two readings (1.0 = one core fully busy). */
export function cpuPerSecond(from: ProcessSample, to: ProcessSample): number {
  const seconds = (to.at - from.at) / 1000;
  return seconds > 0 ? (to.cpuSeconds - from.cpuSeconds) / seconds : 0;
}

/**
 * The pid of the `temporal server start-dev` process serving `port`: the process itself, not the package's
 * watchdog in front of it (whose command line repeats the server's), since the server does the work.
 */
export function findDevServerPid(port: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1] === 'server' && argv[2] === 'start-dev' && argv[argv.indexOf('--port') + 1] === port) {
        return Number(entry);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Pids of the direct children of `pid` (Linux: /proc/<pid>/task/<pid>/children); empty when unknown. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Readings of several processes taken at a fixed interval until stopped. */
export interface ProcessSampler {
  /** Every reading so far, per process name. */
  readonly samples: ReadonlyMap<string, readonly ProcessSample[]>;
  stop(): void;
}

/** Samples `processes` (name → pid) every `intervalMs`; processes that are gone are skipped. */
export function startProcessSampler(
  processes: ReadonlyMap<string, number>,
  intervalMs: number,
): ProcessSampler {
  const samples = new Map<string, ProcessSample[]>([...processes.keys()].map((name) => [name, []]));
  const sampleAll = (): void => {
    for (const [name, pid] of processes) {
      const sample = sampleProcess(pid);
      if (sample) samples.get(name)?.push(sample);
    }
  };
  sampleAll();
  const timer = setInterval(sampleAll, intervalMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** Cumulative CPU time of the whole machine (all processes, ours and others'), from /proc/stat. */
export interface MachineSample {
  /** Clock ticks spent busy (everything but idle and iowait), summed over CPUs. */
  busyTicks: number;
  /** All clock ticks, summed over CPUs. */
  totalTicks: number;
}

/** Reads the machine's CPU counters now; undefined off Linux. */
export function sampleMachine(): MachineSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, n) => sum + n, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busyTicks: total - idle, totalTicks: total };
  } catch {
    return undefined;
  }
}

/**
 * Cores the whole machine kept busy between two readings. The benchmarks share a 2-core machine with other
 * work, so this tells whether a slow figure came from this package or from a machine already full.
 */
export function machineBusyCores(from: MachineSample, to: MachineSample, cpus: number): number {
  const total = to.totalTicks - from.totalTicks;
  return total > 0 ? ((to.busyTicks - from.busyTicks) / total) * cpus : 0;
}
