import { JOB_STATES, type JobState } from '../shared/batch-types';
import { isJobId } from '../shared/job-id';
import type { JobDetail, JobSummary, TaskDetail, TaskMetrics } from './batch-api';
import { MalformedResponseError } from './classify-error';

/**
 * Checks what the SDK returned (the API's `Response` object, untyped at runtime whatever the SDK's .d.ts says)
 * and maps it to the camelCase types of ./batch-api.ts. A field the package relies on that is missing or of
 * the wrong type throws {@link MalformedResponseError}. Fields documented as "may be null" (EndTime,
 * StateReason, ExitCode...) map null to absent; names the package only displays default to ''.
 */

type Obj = Record<string, unknown>;

/** Reads one object of the answer; `path` names it in error messages (e.g. `JobSet[3]`). */
class Reader {
  constructor(
    private readonly obj: Obj,
    private readonly path: string,
    private readonly requestId: string | undefined,
  ) {}

  static root(raw: unknown): { reader: Reader; requestId: string } {
    if (!isObj(raw)) throw new MalformedResponseError(`the Response is ${describe(raw)}, not an object`);
    const requestId = raw.RequestId;
    if (typeof requestId !== 'string' || requestId === '') {
      throw new MalformedResponseError(
        `Response.RequestId is ${describe(requestId)}, not a non-empty string`,
      );
    }
    return { reader: new Reader(raw, 'Response', requestId), requestId };
  }

  fail(key: string, problem: string): never {
    throw new MalformedResponseError(`${this.path}.${key} ${problem}`, this.requestId);
  }

  string(key: string): string {
    const value = this.obj[key];
    if (typeof value !== 'string') this.fail(key, `is ${describe(value)}, not a string`);
    return value;
  }

  /** Absent, null and '' all mean "no value" (the API uses each for unset times and reasons). */
  optionalString(key: string): string | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') this.fail(key, `is ${describe(value)}, not a string`);
    return value;
  }

  /** A display-only name: absent or null becomes ''. */
  name(key: string): string {
    return this.optionalString(key) ?? '';
  }

  integer(key: string): number {
    const value = this.obj[key];
    if (typeof value !== 'number' || !Number.isInteger(value))
      this.fail(key, `is ${describe(value)}, not an integer`);
    return value;
  }

  optionalInteger(key: string): number | undefined {
    const value = this.obj[key];
    return value === undefined || value === null ? undefined : this.integer(key);
  }

  state(key: string): JobState {
    const value = this.obj[key];
    if (typeof value !== 'string' || !(JOB_STATES as readonly string[]).includes(value)) {
      this.fail(key, `is ${describe(value)}, not a known state (${JOB_STATES.join(', ')})`);
    }
    return value as JobState;
  }

  array(key: string): Reader[] {
    const value = this.obj[key];
    if (!Array.isArray(value)) this.fail(key, `is ${describe(value)}, not an array`);
    return value.map((item: unknown, index) => {
      if (!isObj(item)) this.fail(`${key}[${index}]`, `is ${describe(item)}, not an object`);
      return new Reader(item, `${this.path}.${key}[${index}]`, this.requestId);
    });
  }

  /** Absent or null → []. */
  optionalArray(key: string): Reader[] {
    const value = this.obj[key];
    return value === undefined || value === null ? [] : this.array(key);
  }

  optionalObject(key: string): Reader | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (!isObj(value)) this.fail(key, `is ${describe(value)}, not an object`);
    return new Reader(value, `${this.path}.${key}`, this.requestId);
  }
}

/** Actions whose answer is only a RequestId: RetryJobs, TerminateJob, DeleteJob. */
export function parseRequestIdOnly(raw: unknown): { requestId: string } {
  return { requestId: Reader.root(raw).requestId };
}

/** DescribeJobs by JobIds: every job in JobSet must be one that was asked for. */
export function parseDescribeJobs(
  raw: unknown,
  requestedJobIds: readonly string[],
): { jobs: JobSummary[]; requestId: string } {
  const { reader, requestId } = Reader.root(raw);
  const requested = new Set(requestedJobIds);
  const jobs = reader.array('JobSet').map((job): JobSummary => {
    const jobId = job.string('JobId');
    if (!requested.has(jobId)) job.fail('JobId', `is ${JSON.stringify(jobId)}, which was not asked for`);
    return withoutUndefined({
      jobId,
      jobName: job.name('JobName'),
      jobState: job.state('JobState'),
      createTime: job.optionalString('CreateTime'),
      endTime: job.optionalString('EndTime'),
      taskMetrics: metrics(job.optionalObject('TaskMetrics')),
    });
  });
  return { jobs, requestId };
}

/** DescribeJob; the answer's JobId, when present, must be the job asked for. */
export function parseDescribeJob(raw: unknown, jobId: string): JobDetail & { requestId: string } {
  const { reader, requestId } = Reader.root(raw);
  const answeredJobId = reader.optionalString('JobId') ?? jobId;
  if (answeredJobId !== jobId) reader.fail('JobId', `is ${JSON.stringify(answeredJobId)}, not ${jobId}`);
  return withoutUndefined({
    jobId,
    jobName: reader.name('JobName'),
    jobState: reader.state('JobState'),
    createTime: reader.optionalString('CreateTime'),
    endTime: reader.optionalString('EndTime'),
    stateReason: reader.optionalString('StateReason'),
    tasks: reader.array('TaskSet').map((task) =>
      withoutUndefined({
        taskName: task.string('TaskName'),
        taskState: task.state('TaskState'),
        createTime: task.optionalString('CreateTime'),
        endTime: task.optionalString('EndTime'),
      }),
    ),
    dependences: reader.optionalArray('DependenceSet').map((dependence) => ({
      startTask: dependence.string('StartTask'),
      endTask: dependence.string('EndTask'),
    })),
    taskMetrics: metrics(reader.optionalObject('TaskMetrics')),
    taskInstanceMetrics: metrics(reader.optionalObject('TaskInstanceMetrics')),
    requestId,
  });
}

/** DescribeTask; JobId and TaskName, when present, must be the ones asked for. */
export function parseDescribeTask(
  raw: unknown,
  jobId: string,
  taskName: string,
): TaskDetail & { requestId: string } {
  const { reader, requestId } = Reader.root(raw);
  const answeredJobId = reader.optionalString('JobId') ?? jobId;
  if (answeredJobId !== jobId) reader.fail('JobId', `is ${JSON.stringify(answeredJobId)}, not ${jobId}`);
  const answeredTaskName = reader.optionalString('TaskName') ?? taskName;
  if (answeredTaskName !== taskName) {
    reader.fail('TaskName', `is ${JSON.stringify(answeredTaskName)}, not ${JSON.stringify(taskName)}`);
  }
  const totalInstances = reader.integer('TaskInstanceTotalCount');
  return {
    jobId,
    taskName,
    taskState: reader.state('TaskState'),
    totalInstances,
    instances: reader.array('TaskInstanceSet').map((instance) =>
      withoutUndefined({
        taskInstanceIndex: instance.integer('TaskInstanceIndex'),
        state: instance.state('TaskInstanceState'),
        exitCode: instance.optionalInteger('ExitCode'),
        stateReason: instance.optionalString('StateReason'),
        stateDetailedReason: instance.optionalString('StateDetailedReason'),
        createTime: instance.optionalString('CreateTime'),
        launchTime: instance.optionalString('LaunchTime'),
        runningTime: instance.optionalString('RunningTime'),
        endTime: instance.optionalString('EndTime'),
      }),
    ),
    requestId,
  };
}

/** SubmitJob: the new job's ID must look like one. */
export function parseSubmitJob(raw: unknown): { jobId: string; requestId: string } {
  const { reader, requestId } = Reader.root(raw);
  const jobId = reader.string('JobId');
  if (!isJobId(jobId)) reader.fail('JobId', `is ${JSON.stringify(jobId)}, not a job ID`);
  return { jobId, requestId };
}

/** Counters absent from a metrics object count as 0 (the SDK's models mark every counter optional). */
function metrics(reader: Reader | undefined): TaskMetrics | undefined {
  if (reader === undefined) return undefined;
  const count = (key: string): number => reader.optionalInteger(key) ?? 0;
  return {
    submittedCount: count('SubmittedCount'),
    pendingCount: count('PendingCount'),
    runnableCount: count('RunnableCount'),
    startingCount: count('StartingCount'),
    runningCount: count('RunningCount'),
    succeedCount: count('SucceedCount'),
    failedInterruptedCount: count('FailedInterruptedCount'),
    failedCount: count('FailedCount'),
  };
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `the ${typeof value} ${String(value)}`;
  }
  return `a ${typeof value}`;
}

/**
 * Drops keys whose value is undefined, so results carry only what the API said (payloads and deep-equality
 * checks then see `{}` rather than `{endTime: undefined}`).
 */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
