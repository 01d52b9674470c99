/**
 * What the recovery workflow puts in a payload (its continue-as-new input, the status query's answer, its result,
 * an escalation notice) stays far below Temporal's 2 MB payload limit, whatever its jobs went through: a
 * 1,000-job workflow whose jobs failed three times with 20 failed instances each would carry about 4 MB of
 * timelines and failure details. Pure, so it is tested on its own.
 *
 * The jobs' phases, counters, escalations and failure signatures are always kept (the decisions rest on them);
 * what gives way, in steps applied to every job alike until the payload fits, is the oldest timeline entries
 * (counted in `timelineDropped`) and the failed instances beyond the first few (counted in
 * `failedInstancesOmitted`).
 */
import type { FailureRecord, JobStatus } from '../shared/recovery-types';

/**
 * JSON characters a payload's job list may take: half of Temporal's 2 MB limit, leaving room for the rest of the
 * payload and for characters that take more than one byte.
 */
export const PAYLOAD_BUDGET_CHARS = 1_000_000;

interface TrimStep {
  timeline: number;
  tasks: number;
  instances: number;
}

const TRIM_STEPS: readonly TrimStep[] = [
  { timeline: 20, tasks: 5, instances: 5 },
  { timeline: 5, tasks: 2, instances: 2 },
  { timeline: 1, tasks: 1, instances: 1 },
  { timeline: 0, tasks: 0, instances: 0 },
];

/** `jobs`, trimmed as little as needed to fit `budgetChars` of JSON. The input is not changed. */
export function fitJobsToBudget(
  jobs: readonly JobStatus[],
  budgetChars: number = PAYLOAD_BUDGET_CHARS,
): JobStatus[] {
  let fitted = [...jobs];
  for (const step of TRIM_STEPS) {
    if (jsonSize(fitted) <= budgetChars) return fitted;
    fitted = jobs.map((job) => trimJob(job, step));
  }
  return fitted;
}

/** `failures` (one per job, in a notice), trimmed to fit `budgetChars` of JSON. */
export function fitFailuresToBudget(
  failures: readonly (FailureRecord | undefined)[],
  budgetChars: number = PAYLOAD_BUDGET_CHARS,
): (FailureRecord | undefined)[] {
  let fitted = [...failures];
  for (const step of TRIM_STEPS) {
    if (jsonSize(fitted) <= budgetChars) return fitted;
    fitted = failures.map((f) => f && trimFailure(f, step));
  }
  return fitted;
}

function trimJob(job: JobStatus, step: TrimStep): JobStatus {
  const kept = job.timeline.slice(Math.max(0, job.timeline.length - step.timeline));
  return {
    ...job,
    timeline: kept,
    timelineDropped: job.timelineDropped + job.timeline.length - kept.length,
    ...(job.lastFailure ? { lastFailure: trimFailure(job.lastFailure, step) } : {}),
  };
}

function trimFailure(failure: FailureRecord, step: TrimStep): FailureRecord {
  if (!failure.failedTasks) return failure;
  const tasks = failure.failedTasks.slice(0, step.tasks).map((task) => ({
    ...task,
    failedInstances: task.failedInstances.slice(0, step.instances),
  }));
  const omitted = instanceCount(failure.failedTasks) - instanceCount(tasks);
  return {
    ...failure,
    failedTasks: tasks,
    ...(omitted > 0 ? { failedInstancesOmitted: (failure.failedInstancesOmitted ?? 0) + omitted } : {}),
  };
}

function instanceCount(tasks: NonNullable<FailureRecord['failedTasks']>): number {
  return tasks.reduce((n, t) => n + t.failedInstances.length, 0);
}

function jsonSize(value: unknown): number {
  return JSON.stringify(value).length;
}
