/**
 * The emulated job: tasks of task instances with DAG dependencies. State is never stored as a current value:
 * each instance of the current attempt carries its planned transition times (see ./job-planner.ts), and the
 * state at any emulated time is computed from them here. Reads are therefore pure and deterministic for a
 * given emulated time.
 *
 * Lifecycle: SUBMITTED → PENDING → RUNNABLE → STARTING → RUNNING → SUCCEED | FAILED | FAILED_INTERRUPTED.
 * Tasks and instances have the same states without SUBMITTED.
 */
import type { JobState } from '../shared/batch-types';
import type { FinalJobState, JobScript } from './job-script';

/** How one instance's run ends. */
export interface InstanceOutcome {
  state: FinalJobState;
  /** Null when the instance never ran its command (e.g. terminated before launch). */
  exitCode: number | null;
  reason: string | null;
  detailedReason: string | null;
}

/** The planned transitions of one run of one instance, in emulated epoch milliseconds. */
export interface InstanceRun {
  runnableAt: number;
  startingAt: number;
  runningAt: number;
  endAt: number;
  outcome: InstanceOutcome;
  /** The CVM the instance ran on; null when it never launched. */
  computeNodeId: string | null;
}

/** One task instance. */
export interface TaskInstance {
  index: number;
  /** The attempt (0 = initial run) that last reset this instance; instances that succeeded keep theirs. */
  attempt: number;
  /** When the instance (re)entered PENDING: job creation or the retry that reset it. */
  createdAt: number;
  /** Absent while the instance cannot run in this attempt (a task it depends on failed): it stays PENDING. */
  run?: InstanceRun;
  /** Test control: the instance is held in this state until an action or another control moves it. */
  heldState?: JobState;
}

/** One task of a job. */
export interface JobTask {
  name: string;
  instances: TaskInstance[];
  /** RedirectInfo as submitted, echoed by DescribeTask. */
  redirectInfo: Record<string, unknown> | null;
}

/** `StartTask` must succeed before `EndTask` starts. */
export interface Dependence {
  startTask: string;
  endTask: string;
}

/** A Tencent Cloud tag. */
export interface Tag {
  Key: string;
  Value: string;
}

/** One emulated job. */
export interface Job {
  id: string;
  name: string;
  description: string | null;
  /** Placement as submitted (at least `Zone`). */
  placement: { Zone: string } & Record<string, unknown>;
  priority: number;
  tags: Tag[];
  createdAt: number;
  /** End of the SUBMITTED phase of the initial run. */
  submittedUntil: number;
  tasks: JobTask[];
  /** Task names in DAG order (dependencies first, otherwise as submitted). */
  taskOrder: string[];
  dependences: Dependence[];
  script: JobScript;
  /** Current attempt: 0 for the initial run, N after the Nth applied RetryJobs. */
  attempt: number;
  /** When the current attempt's first tasks became eligible to run. */
  attemptStartedAt: number;
  /**
   * The EndTime reported once the current attempt has finished, in whole seconds (ms epoch). Always later than
   * every EndTime the job reported before, so each failure of a job has a distinct EndTime.
   */
  endTimeMs: number;
  /** EndTimes of the job's earlier attempts, oldest first. */
  previousEndTimes: number[];
  /** StateReason of the current attempt (set when it fails or is terminated). */
  stateReason: string | null;
  /** Test control: the job is held in this state. */
  heldState?: JobState;
}

const FINAL_STATES: readonly JobState[] = ['SUCCEED', 'FAILED', 'FAILED_INTERRUPTED'];

/** True for SUCCEED, FAILED and FAILED_INTERRUPTED. */
export function isFinalState(state: JobState): state is FinalJobState {
  return FINAL_STATES.includes(state);
}

/** An instance's state at emulated time `at`. */
export function instanceStateAt(instance: TaskInstance, at: number): JobState {
  if (instance.heldState !== undefined) return instance.heldState;
  const run = instance.run;
  if (!run || at < run.runnableAt) return 'PENDING';
  if (at < run.startingAt) return 'RUNNABLE';
  if (at < run.runningAt) return 'STARTING';
  if (at < run.endAt) return 'RUNNING';
  return run.outcome.state;
}

/**
 * True when the instance will not change by itself any more: it finished, or it cannot run in this attempt
 * because a task it depends on failed.
 */
export function instanceSettledAt(instance: TaskInstance, at: number): boolean {
  if (instance.heldState !== undefined) return isFinalState(instance.heldState);
  return instance.run === undefined || at >= instance.run.endAt;
}

/**
 * The aggregate state of a group of instances (a task, or a job after SUBMITTED): once all have settled, the
 * worst outcome (FAILED, then FAILED_INTERRUPTED, then SUCCEED); before, the most advanced active state.
 */
export function aggregateStateAt(instances: readonly TaskInstance[], at: number): JobState {
  const states = instances.map((instance) => instanceStateAt(instance, at));
  if (instances.every((instance) => instanceSettledAt(instance, at))) {
    if (states.includes('FAILED')) return 'FAILED';
    if (states.includes('FAILED_INTERRUPTED')) return 'FAILED_INTERRUPTED';
    // The rest wait behind a failure elsewhere (a task whose dependency failed): they never ran.
    return states.every((state) => state === 'SUCCEED') ? 'SUCCEED' : 'PENDING';
  }
  for (const state of ['RUNNING', 'STARTING', 'RUNNABLE'] as const) if (states.includes(state)) return state;
  return 'PENDING';
}

/** Every instance of a job, task by task. */
export function allInstances(job: Job): TaskInstance[] {
  return job.tasks.flatMap((task) => task.instances);
}

/** The job's state at emulated time `at`. */
export function jobStateAt(job: Job, at: number): JobState {
  if (job.heldState !== undefined) return job.heldState;
  if (at < job.submittedUntil) return 'SUBMITTED';
  return aggregateStateAt(allInstances(job), at);
}

/** A task's state at emulated time `at`. */
export function taskStateAt(task: JobTask, at: number): JobState {
  return aggregateStateAt(task.instances, at);
}

/** When a settled group of instances ended (latest run end), or null while any is active or blocked. */
export function endOfInstancesAt(instances: readonly TaskInstance[], at: number): number | null {
  let end = -Infinity;
  for (const instance of instances) {
    if (!instanceSettledAt(instance, at) || !instance.run) return null;
    end = Math.max(end, instance.run.endAt);
  }
  return Number.isFinite(end) ? end : null;
}

/** Counters of TaskMetrics / TaskInstanceMetrics, as the API names them. */
export interface StateCounts {
  SubmittedCount: number;
  PendingCount: number;
  RunnableCount: number;
  StartingCount: number;
  RunningCount: number;
  SucceedCount: number;
  FailedInterruptedCount: number;
  FailedCount: number;
}

const COUNTER_OF: Record<JobState, keyof StateCounts> = {
  SUBMITTED: 'SubmittedCount',
  PENDING: 'PendingCount',
  RUNNABLE: 'RunnableCount',
  STARTING: 'StartingCount',
  RUNNING: 'RunningCount',
  SUCCEED: 'SucceedCount',
  FAILED_INTERRUPTED: 'FailedInterruptedCount',
  FAILED: 'FailedCount',
};

/** Counts states into the API's metrics object. */
export function countStates(states: readonly JobState[]): StateCounts {
  const counts: StateCounts = {
    SubmittedCount: 0,
    PendingCount: 0,
    RunnableCount: 0,
    StartingCount: 0,
    RunningCount: 0,
    SucceedCount: 0,
    FailedInterruptedCount: 0,
    FailedCount: 0,
  };
  for (const state of states) counts[COUNTER_OF[state]] += 1;
  return counts;
}
