/**
 * What the API and the test controls show of a job at an emulated time: DescribeJob, DescribeJobs' JobView,
 * DescribeTask's TaskInstanceView, and the plain snapshot tests assert on. Field names and shapes follow the
 * SDK's batch_models (2017-03-12). Values the API "may return as null" are null, never omitted.
 */
import type { JobState } from '../shared/batch-types';
import { formatApiTime } from './clock';
import {
  type Job,
  type JobTask,
  type StateCounts,
  type Tag,
  type TaskInstance,
  allInstances,
  countStates,
  endOfInstancesAt,
  instanceStateAt,
  isFinalState,
  jobStateAt,
  taskStateAt,
} from './job-model';

/** The job's EndTime at `at`: set only while the job is in a final state. */
function jobEndTime(job: Job, at: number): string | null {
  return isFinalState(jobStateAt(job, at)) ? formatApiTime(job.endTimeMs) : null;
}

function taskEndTime(task: JobTask, at: number): string | null {
  const end = endOfInstancesAt(task.instances, at);
  return end === null ? null : formatApiTime(end);
}

/** TaskMetrics: tasks counted by state. */
export function taskMetrics(job: Job, at: number): StateCounts {
  return countStates(job.tasks.map((task) => taskStateAt(task, at)));
}

/** TaskInstanceMetrics: instances counted by state. */
export function taskInstanceMetrics(instances: readonly TaskInstance[], at: number): StateCounts {
  return countStates(instances.map((instance) => instanceStateAt(instance, at)));
}

/** One entry of DescribeJobs' JobSet. */
export function jobView(job: Job, at: number): Record<string, unknown> {
  return {
    JobId: job.id,
    JobName: job.name,
    JobState: jobStateAt(job, at),
    Priority: job.priority,
    Placement: job.placement,
    CreateTime: formatApiTime(job.createdAt),
    EndTime: jobEndTime(job, at),
    TaskMetrics: taskMetrics(job, at),
    Tags: job.tags,
  };
}

/** DescribeJob's answer, without RequestId. */
export function describeJobView(job: Job, at: number): Record<string, unknown> {
  const state = jobStateAt(job, at);
  return {
    JobId: job.id,
    JobName: job.name,
    Zone: job.placement.Zone,
    Priority: job.priority,
    JobState: state,
    CreateTime: formatApiTime(job.createdAt),
    EndTime: jobEndTime(job, at),
    TaskSet: job.tasks.map((task) => ({
      TaskName: task.name,
      TaskState: taskStateAt(task, at),
      CreateTime: formatApiTime(job.createdAt),
      EndTime: taskEndTime(task, at),
    })),
    DependenceSet: job.dependences.map((d) => ({ StartTask: d.startTask, EndTask: d.endTask })),
    TaskMetrics: taskMetrics(job, at),
    TaskInstanceMetrics: taskInstanceMetrics(allInstances(job), at),
    StateReason: isFinalState(state) ? job.stateReason : null,
    Tags: job.tags,
    NextAction: null,
  };
}

/** DescribeTask's answer for the given page of instances, without RequestId. */
export function describeTaskView(
  job: Job,
  task: JobTask,
  page: readonly TaskInstance[],
  totalCount: number,
  at: number,
): Record<string, unknown> {
  return {
    JobId: job.id,
    TaskName: task.name,
    TaskState: taskStateAt(task, at),
    CreateTime: formatApiTime(job.createdAt),
    EndTime: taskEndTime(task, at),
    TaskInstanceTotalCount: totalCount,
    TaskInstanceSet: page.map((instance) => taskInstanceView(task, instance, at)),
    TaskInstanceMetrics: taskInstanceMetrics(task.instances, at),
  };
}

/** One TaskInstanceView. Launch and running times appear once reached; exit code and reasons once final. */
export function taskInstanceView(task: JobTask, instance: TaskInstance, at: number): Record<string, unknown> {
  const state = instanceStateAt(instance, at);
  const run = instance.heldState === undefined ? instance.run : undefined;
  const final = run !== undefined && isFinalState(state);
  const launched = run !== undefined && at >= run.startingAt && run.startingAt < run.endAt;
  const running = run !== undefined && at >= run.runningAt && run.runningAt < run.endAt;
  return {
    TaskInstanceIndex: instance.index,
    TaskInstanceState: state,
    ExitCode: final ? run.outcome.exitCode : null,
    StateReason: final ? run.outcome.reason : null,
    StateDetailedReason: final ? run.outcome.detailedReason : null,
    ComputeNodeInstanceId: launched ? run.computeNodeId : null,
    CreateTime: formatApiTime(instance.createdAt),
    LaunchTime: launched ? formatApiTime(run.startingAt) : null,
    RunningTime: running ? formatApiTime(run.runningAt) : null,
    EndTime: final ? formatApiTime(run.endAt) : null,
    RedirectInfo: task.redirectInfo,
  };
}

/** A job as tests see it through `RunningEmulator.getJob`: plain values, times as the API formats them. */
export interface EmulatedJob {
  jobId: string;
  jobName: string;
  state: JobState;
  createTime: string;
  /** Set while the job is in a final state. */
  endTime: string | null;
  stateReason: string | null;
  /** Number of RetryJobs applied so far (0 before the first). */
  retries: number;
  /** EndTime of each earlier attempt, oldest first: one entry per failure that was retried. */
  previousEndTimes: string[];
  zone: string;
  tags: Tag[];
  tasks: {
    taskName: string;
    state: JobState;
    endTime: string | null;
    instances: { index: number; state: JobState; exitCode: number | null; stateReason: string | null }[];
  }[];
}

/** The snapshot of a job at emulated time `at`. */
export function emulatedJobSnapshot(job: Job, at: number): EmulatedJob {
  const state = jobStateAt(job, at);
  return {
    jobId: job.id,
    jobName: job.name,
    state,
    createTime: formatApiTime(job.createdAt),
    endTime: jobEndTime(job, at),
    stateReason: isFinalState(state) ? job.stateReason : null,
    retries: job.attempt,
    previousEndTimes: job.previousEndTimes.map(formatApiTime),
    zone: job.placement.Zone,
    tags: job.tags.map((tag) => ({ ...tag })),
    tasks: job.tasks.map((task) => ({
      taskName: task.name,
      state: taskStateAt(task, at),
      endTime: taskEndTime(task, at),
      instances: task.instances.map((instance) => {
        const view = taskInstanceView(task, instance, at);
        return {
          index: instance.index,
          state: instanceStateAt(instance, at),
          exitCode: view['ExitCode'] as number | null,
          stateReason: view['StateReason'] as string | null,
        };
      }),
    })),
  };
}
