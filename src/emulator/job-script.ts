/**
 * Scripts of job outcomes: what each run of a job does, so tests can say "fails twice on spot reclaim, then
 * succeeds" without real machines. Attempt N is the job's initial run (N = 0) or its Nth retry; after the
 * last scripted attempt the last one repeats. Times are emulated seconds (see ./clock.ts).
 */

/** How a run of a job ends. */
export type FinalJobState = 'SUCCEED' | 'FAILED' | 'FAILED_INTERRUPTED';
const FINAL_STATES: readonly FinalJobState[] = ['SUCCEED', 'FAILED', 'FAILED_INTERRUPTED'];

/** One run of a job. */
export interface ScriptedAttempt {
  /** SUCCEED: every task instance run in this attempt succeeds. Otherwise one task fails this way. */
  outcome: FinalJobState;
  /** Exit code of the failing instances. @default 1 (0 for SUCCEED) */
  exitCode?: number;
  /** StateReason of the failing instances and of the job. @default 'Task instance exited with code <exitCode>' */
  reason?: string;
  /** StateDetailedReason of the failing instances. @default '' */
  detailedReason?: string;
  /**
   * The task that fails. @default the first task, in DAG order, that runs in this attempt (also used when the
   * named task does not run in this attempt because it already succeeded).
   */
  taskName?: string;
  /** Which instances of that task fail. @default all of its instances that run in this attempt */
  instanceIndexes?: number[];
  /** RUNNING time of each task instance in this attempt. @default the script's runSeconds */
  runSeconds?: number;
}

/** The outcomes and pace of one job. */
export interface JobScript {
  /** One entry per run; the last repeats. @default [{ outcome: 'SUCCEED' }] */
  attempts?: ScriptedAttempt[];
  /** RUNNING time of each task instance. @default 10 */
  runSeconds?: number;
  /** Time the job spends in SUBMITTED after creation. @default 1 */
  submittedSeconds?: number;
  /** Time a task instance spends in PENDING once its dependencies are done. @default 1 */
  pendingSeconds?: number;
  /** Time a task instance spends in RUNNABLE. @default 1 */
  runnableSeconds?: number;
  /** Time a task instance spends in STARTING. @default 1 */
  startingSeconds?: number;
}

/** The pace of a job when its script does not say. */
export const DEFAULT_JOB_TIMING = {
  submittedSeconds: 1,
  pendingSeconds: 1,
  runnableSeconds: 1,
  startingSeconds: 1,
  runSeconds: 10,
} as const;

/** The pace of one attempt, every value resolved. */
export type JobTiming = { -readonly [K in keyof typeof DEFAULT_JOB_TIMING]: number };

/** A script that cannot be run; lists every problem. */
export class InvalidJobScriptError extends Error {
  override readonly name = 'InvalidJobScriptError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid job script: ${problems.join('; ')}`);
  }
}

const SUCCEED: ScriptedAttempt = { outcome: 'SUCCEED' };

/** The attempt to run as the job's run number `attemptIndex` (0 = initial run). */
export function scriptedAttempt(script: JobScript, attemptIndex: number): ScriptedAttempt {
  const attempts = script.attempts ?? [];
  return attempts[Math.min(attemptIndex, attempts.length - 1)] ?? SUCCEED;
}

/** The timing of one attempt of a script. */
export function timingOf(script: JobScript, attempt: ScriptedAttempt): JobTiming {
  return {
    submittedSeconds: script.submittedSeconds ?? DEFAULT_JOB_TIMING.submittedSeconds,
    pendingSeconds: script.pendingSeconds ?? DEFAULT_JOB_TIMING.pendingSeconds,
    runnableSeconds: script.runnableSeconds ?? DEFAULT_JOB_TIMING.runnableSeconds,
    startingSeconds: script.startingSeconds ?? DEFAULT_JOB_TIMING.startingSeconds,
    runSeconds: attempt.runSeconds ?? script.runSeconds ?? DEFAULT_JOB_TIMING.runSeconds,
  };
}

/**
 * Checks a script that came from outside TypeScript (admin API, a SubmitJob tag, a CLI) and returns it typed.
 * @throws {InvalidJobScriptError} listing every problem.
 */
export function parseJobScript(value: unknown): JobScript {
  const problems: string[] = [];
  if (!isRecord(value)) throw new InvalidJobScriptError(['a script must be an object']);
  const known = ['attempts', ...Object.keys(DEFAULT_JOB_TIMING)];
  for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`unknown field "${key}"`);
  for (const key of Object.keys(DEFAULT_JOB_TIMING)) checkSeconds(value[key], key, problems);
  const attempts = value['attempts'];
  if (attempts !== undefined) {
    if (!Array.isArray(attempts)) problems.push('attempts must be an array');
    else attempts.forEach((attempt: unknown, i) => checkAttempt(attempt, `attempts[${i}]`, problems));
  }
  if (problems.length > 0) throw new InvalidJobScriptError(problems);
  return value;
}

function checkAttempt(value: unknown, path: string, problems: string[]): void {
  if (!isRecord(value)) {
    problems.push(`${path} must be an object`);
    return;
  }
  const known = [
    'outcome',
    'exitCode',
    'reason',
    'detailedReason',
    'taskName',
    'instanceIndexes',
    'runSeconds',
  ];
  for (const key of Object.keys(value))
    if (!known.includes(key)) problems.push(`${path}: unknown field "${key}"`);
  if (!FINAL_STATES.includes(value['outcome'] as FinalJobState)) {
    problems.push(`${path}.outcome must be one of ${FINAL_STATES.join(', ')}`);
  }
  const exitCode = value['exitCode'];
  if (exitCode !== undefined && !Number.isInteger(exitCode))
    problems.push(`${path}.exitCode must be an integer`);
  for (const key of ['reason', 'detailedReason', 'taskName']) {
    if (value[key] !== undefined && typeof value[key] !== 'string')
      problems.push(`${path}.${key} must be a string`);
  }
  const indexes = value['instanceIndexes'];
  if (
    indexes !== undefined &&
    !(Array.isArray(indexes) && indexes.every((i) => Number.isInteger(i) && (i as number) >= 0))
  ) {
    problems.push(`${path}.instanceIndexes must be an array of non-negative integers`);
  }
  checkSeconds(value['runSeconds'], `${path}.runSeconds`, problems);
}

function checkSeconds(value: unknown, path: string, problems: string[]): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    problems.push(`${path} must be a non-negative number of seconds`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
