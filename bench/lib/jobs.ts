/**
 * Emulated Batch jobs for benchmarks, and how they are split into recovery workflows. Jobs skip the
 * SUBMITTED/PENDING/RUNNABLE/STARTING phases (0 s each), so a job is RUNNING from the moment it exists and a
 * benchmark controls exactly when it fails (`setJobState`), and so when its EndTime is.
 */
import type { JobScript, RunningEmulator } from '../../src/emulator';

/** No queueing phases: RUNNING from creation and again right after a RetryJobs. */
const NO_QUEUEING = { submittedSeconds: 0, pendingSeconds: 0, runnableSeconds: 0, startingSeconds: 0 };

/** A day of running: longer than any benchmark, so the job changes only when the benchmark says so. */
const A_DAY_SECONDS = 86_400;

/** A job that keeps RUNNING (for as long as any benchmark lasts) and would then succeed. */
export const KEEPS_RUNNING: JobScript = {
  ...NO_QUEUEING,
  attempts: [{ outcome: 'SUCCEED', runSeconds: A_DAY_SECONDS }],
};

/**
 * A job that keeps RUNNING until the benchmark forces it to FAILED; once retried, it runs `rerunSeconds` and
 * succeeds, so its workflow can end SUCCEEDED.
 */
export function failsWhenToldThenSucceeds(rerunSeconds = 2): JobScript {
  return {
    ...NO_QUEUEING,
    attempts: [
      { outcome: 'SUCCEED', runSeconds: A_DAY_SECONDS },
      { outcome: 'SUCCEED', runSeconds: rerunSeconds },
    ],
  };
}

/** Creates `count` jobs with `script` (directly in the emulator: no API request, no ledger entry). */
export function createJobs(emulator: RunningEmulator, count: number, script: JobScript): string[] {
  return Array.from({ length: count }, () => emulator.createJob({ script }));
}

/** `jobIds` in consecutive groups of `perWorkflow` (the last one may be smaller). */
export function groupJobs(jobIds: readonly string[], perWorkflow: number): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < jobIds.length; i += perWorkflow) groups.push(jobIds.slice(i, i + perWorkflow));
  return groups;
}

/** A layout of watched jobs over workflows, e.g. 10 workflows of 50 jobs. */
export interface Layout {
  workflows: number;
  jobsPerWorkflow: number;
}

/** `10×50` style label of a layout. */
export function layoutLabel(layout: Layout): string {
  return `${layout.workflows}×${layout.jobsPerWorkflow}`;
}

/** Parses `10x50` (or `10×50`) into a layout. */
export function parseLayout(text: string): Layout {
  const match = /^(\d+)\s*[x×]\s*(\d+)$/.exec(text.trim());
  if (!match)
    throw new Error(`a layout is <workflows>x<jobs per workflow>, e.g. 10x50; got ${JSON.stringify(text)}`);
  return { workflows: Number(match[1]), jobsPerWorkflow: Number(match[2]) };
}

/** Real epoch ms of the next whole second (at least `minMs` away), so a failure forced then has an exact EndTime. */
export function nextWholeSecond(nowMs: number, minMs = 0): number {
  return Math.ceil((nowMs + minMs) / 1000) * 1000;
}
