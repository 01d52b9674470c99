/**
 * Transitions of an emulated job: planning an attempt from its script, retrying, terminating, and the test
 * controls that force a state. Every transition rewrites the planned run times of the instances concerned;
 * ./job-model.ts derives states from them.
 *
 * EndTime rule: the API reports times with second precision, and a job's failures must be told apart by
 * their EndTime, so a job's EndTime is always at least one second later than every EndTime it reported
 * before. When an attempt ends within the same second as the previous one, its reported EndTime is the next
 * whole second (which may lie up to one second in the emulated future).
 */
import type { JobState } from '../shared/batch-types';
import {
  type InstanceOutcome,
  type InstanceRun,
  type Job,
  type TaskInstance,
  allInstances,
  instanceSettledAt,
  instanceStateAt,
  isFinalState,
  jobStateAt,
} from './job-model';
import { type ScriptedAttempt, scriptedAttempt, timingOf } from './job-script';

/** Draws the ID of the CVM an instance runs on. */
export type NodeIdSource = () => string;

/** Emulated seconds between TerminateJob and the job reaching FAILED: the API terminates asynchronously. */
export const TERMINATE_DELAY_SECONDS = 1;

/** Exit code of an instance killed while running (SIGTERM). */
const TERMINATED_EXIT_CODE = 143;

const SUCCEEDED: InstanceOutcome = { state: 'SUCCEED', exitCode: 0, reason: null, detailedReason: null };

/**
 * Plans the current attempt of `job`: the instances reset for it (those whose `attempt` is the job's) run in
 * DAG order from `job.attemptStartedAt`, and the scripted outcome decides which task fails. Dependents of a
 * failed task get no run (they stay PENDING). Instances that succeeded in earlier attempts are kept.
 */
export function planAttempt(job: Job, nodeId: NodeIdSource): void {
  const attempt = scriptedAttempt(job.script, job.attempt);
  const timing = timingOf(job.script, attempt);
  const reset = new Map<string, TaskInstance[]>();
  for (const task of job.tasks) {
    const instances = task.instances.filter((instance) => instance.attempt === job.attempt);
    for (const instance of instances) {
      delete instance.run;
      delete instance.heldState;
    }
    reset.set(task.name, instances);
  }
  const failingTask = failingTaskOf(job, attempt, reset);

  // A task's finish time for its dependents: when its last instance ends, or 'failed' / 'blocked'.
  const finish = new Map<string, number | 'failed' | 'blocked'>();
  for (const name of job.taskOrder) {
    const task = job.tasks.find((t) => t.name === name);
    const instances = reset.get(name) ?? [];
    if (!task) continue;
    if (instances.length === 0) {
      finish.set(name, Math.max(...task.instances.map((instance) => instance.run?.endAt ?? -Infinity)));
      continue;
    }
    const upstream = job.dependences.filter((d) => d.endTask === name).map((d) => finish.get(d.startTask));
    if (upstream.some((f) => f === 'failed' || f === 'blocked')) {
      finish.set(name, 'blocked');
      continue;
    }
    const eligibleAt = Math.max(job.attemptStartedAt, ...upstream.filter((f) => typeof f === 'number'));
    const runnableAt = eligibleAt + timing.pendingSeconds * 1000;
    const startingAt = runnableAt + timing.runnableSeconds * 1000;
    const runningAt = startingAt + timing.startingSeconds * 1000;
    const endAt = runningAt + timing.runSeconds * 1000;
    const failing = name === failingTask ? failingIndexes(attempt, instances) : new Set<number>();
    for (const instance of instances) {
      const outcome = failing.has(instance.index) ? failureOutcome(attempt) : SUCCEEDED;
      instance.run = { runnableAt, startingAt, runningAt, endAt, outcome, computeNodeId: nodeId() };
    }
    finish.set(name, failing.size > 0 ? 'failed' : endAt);
  }

  const ends = allInstances(job)
    .filter((instance) => instance.attempt === job.attempt && instance.run)
    .map((instance) => instance.run?.endAt ?? -Infinity);
  job.endTimeMs = nextEndTime(job, Math.max(...ends));
  job.stateReason = failingTask === undefined ? null : failureOutcome(attempt).reason;
}

/**
 * RetryJobs on one FAILED job at emulated time `at`: every instance that did not succeed is reset to PENDING
 * as if run for the first time, and the next scripted attempt is planned. Succeeded instances are kept.
 * The caller has checked that the job is FAILED.
 */
export function retryJob(job: Job, at: number, nodeId: NodeIdSource): void {
  job.previousEndTimes.push(job.endTimeMs);
  job.attempt += 1;
  job.attemptStartedAt = at;
  for (const instance of allInstances(job)) {
    if (instanceStateAt(instance, at) !== 'SUCCEED') {
      instance.attempt = job.attempt;
      instance.createdAt = at;
    }
  }
  planAttempt(job, nodeId);
}

/**
 * TerminateJob at emulated time `at`: asynchronously (after {@link TERMINATE_DELAY_SECONDS}) every instance
 * still active or waiting ends FAILED; instances kept in FAILED_INTERRUPTED are released and become FAILED.
 */
export function terminateJob(job: Job, at: number): void {
  const endAt = at + TERMINATE_DELAY_SECONDS * 1000;
  for (const instance of allInstances(job)) {
    const state = instanceStateAt(instance, at);
    if (state === 'FAILED_INTERRUPTED' && instance.run) {
      instance.run = { ...instance.run, outcome: { ...instance.run.outcome, state: 'FAILED' } };
    } else if (!instanceSettledAt(instance, at) || !instance.run) {
      endInstance(instance, endAt, {
        state: 'FAILED',
        exitCode: state === 'RUNNING' ? TERMINATED_EXIT_CODE : null,
        reason: 'Terminated by user',
        detailedReason: 'The job was terminated by TerminateJob.',
      });
    }
  }
  delete job.heldState;
  job.endTimeMs = nextEndTime(job, endAt, at);
  job.stateReason = TERMINATED_BY_USER;
}

const TERMINATED_BY_USER = 'Job terminated by user';

/** True while a TerminateJob is under way: asked for, the job not yet in a final state. */
export function isTerminating(job: Job, at: number): boolean {
  return job.stateReason === TERMINATED_BY_USER && !isFinalState(jobStateAt(job, at));
}

/** Options of {@link forceJobState}. */
export interface ForceStateOptions {
  /** For FAILED / FAILED_INTERRUPTED: the task whose instances fail. @default every instance that did not succeed */
  taskName?: string;
  /** Exit code of the failed instances. @default 1 */
  exitCode?: number;
  /** StateReason of the failed instances and of the job. */
  reason?: string;
}

/**
 * Test control: puts the job in `state` at emulated time `at`. A final state takes effect at once (EndTime
 * per the rule at the top of this file); an active state holds the job and its unfinished instances there
 * until an action or another control moves them.
 */
export function forceJobState(job: Job, state: JobState, at: number, options: ForceStateOptions = {}): void {
  const unfinished = allInstances(job).filter((instance) => instanceStateAt(instance, at) !== 'SUCCEED');
  delete job.heldState;
  for (const instance of allInstances(job)) delete instance.heldState;

  if (!isFinalState(state)) {
    job.heldState = state;
    for (const instance of unfinished) instance.heldState = state === 'SUBMITTED' ? 'PENDING' : state;
    return;
  }
  if (state === 'SUCCEED') {
    for (const instance of unfinished) endInstance(instance, at, SUCCEEDED);
    job.stateReason = null;
  } else {
    const named = job.tasks.find((task) => task.name === options.taskName);
    const lastTask = job.tasks.find((task) => task.name === job.taskOrder[job.taskOrder.length - 1]);
    let targets = named ? named.instances.filter((i) => unfinished.includes(i)) : unfinished;
    if (targets.length === 0) targets = (named ?? lastTask)?.instances ?? [];
    const exitCode = options.exitCode ?? 1;
    const outcome: InstanceOutcome = {
      state,
      exitCode,
      reason: options.reason ?? `Task instance exited with code ${exitCode}`,
      detailedReason: null,
    };
    for (const instance of targets) endInstance(instance, at, outcome);
    // The others wait behind the failure, never run in this attempt.
    for (const instance of unfinished) if (!targets.includes(instance)) delete instance.run;
    job.stateReason = outcome.reason;
  }
  job.submittedUntil = Math.min(job.submittedUntil, at);
  job.endTimeMs = nextEndTime(job, at, at);
}

/** Ends an instance's run at `endAt` with `outcome`, cutting phases that had not been reached. */
function endInstance(instance: TaskInstance, endAt: number, outcome: InstanceOutcome): void {
  const run: InstanceRun | undefined = instance.run;
  const launched = run !== undefined && run.startingAt < endAt;
  instance.run = {
    runnableAt: Math.min(run?.runnableAt ?? endAt, endAt),
    startingAt: Math.min(run?.startingAt ?? endAt, endAt),
    runningAt: Math.min(run?.runningAt ?? endAt, endAt),
    endAt,
    outcome,
    computeNodeId: launched ? (run?.computeNodeId ?? null) : null,
  };
}

/**
 * The EndTime to report for an attempt that settles at `settleAt`: its whole second, pushed past every
 * EndTime the job reported before. With `now`, a change to an attempt in progress or finished: its current
 * EndTime counts as reported if it is not in the future.
 */
function nextEndTime(job: Job, settleAt: number, now?: number): number {
  const earlier = [...job.previousEndTimes];
  if (now !== undefined && job.endTimeMs <= now) earlier.push(job.endTimeMs);
  const floor = earlier.length > 0 ? Math.max(...earlier) + 1000 : -Infinity;
  return Math.max(Math.floor(settleAt / 1000) * 1000, floor);
}

/** The task that fails in this attempt, or undefined when the attempt succeeds. */
function failingTaskOf(
  job: Job,
  attempt: ScriptedAttempt,
  reset: Map<string, TaskInstance[]>,
): string | undefined {
  if (attempt.outcome === 'SUCCEED') return undefined;
  const runs = (name: string): boolean => (reset.get(name)?.length ?? 0) > 0;
  if (attempt.taskName !== undefined && runs(attempt.taskName)) return attempt.taskName;
  // The first task in DAG order that runs: everything upstream of it already succeeded, so it does run.
  return job.taskOrder.find(runs);
}

function failingIndexes(attempt: ScriptedAttempt, instances: readonly TaskInstance[]): Set<number> {
  const running = instances.map((instance) => instance.index);
  const chosen = (attempt.instanceIndexes ?? []).filter((index) => running.includes(index));
  return new Set(chosen.length > 0 ? chosen : running);
}

function failureOutcome(attempt: ScriptedAttempt): InstanceOutcome {
  const exitCode = attempt.exitCode ?? 1;
  return {
    state: attempt.outcome,
    exitCode,
    reason: attempt.reason ?? `Task instance exited with code ${exitCode}`,
    detailedReason: attempt.detailedReason ?? null,
  };
}
