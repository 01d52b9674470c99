import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchApi, JobSummary } from '../../src/batch/batch-api';
import { ErrorType } from '../../src/shared/errors';

import { FakeBatchApi } from './fake-batch-api';

/** What one run of a job ends with. */
export type RunOutcome = 'SUCCEED' | 'FAILED' | 'FAILED_INTERRUPTED' | 'HANG';

/**
 * A BatchApi for time-skipping workflow tests, where activities run in real time but the workflow's clock jumps:
 * job progress is counted in DescribeJobs reads instead of seconds. Each run of a job (the first, then one per
 * accepted RetryJobs) lasts `readsPerRun` reads and ends as the next entry of `runs` (the last entry repeats).
 */
export class ScriptedBatchApi extends FakeBatchApi {
  private readonly scripts = new Map<string, { runs: RunOutcome[]; run: number; reads: number }>();
  private ends = 0;

  constructor(private readonly readsPerRun = 2) {
    super();
  }

  script(jobId: string, runs: RunOutcome[]): this {
    this.scripts.set(jobId, { runs, run: 0, reads: 0 });
    this.jobs.set(jobId, { state: 'RUNNING' });
    return this;
  }

  /** Accepted RetryJobs per job. */
  retriesOf(jobId: string): number {
    return this.retryCalls.filter((ids) => ids.includes(jobId) && this.acceptedCalls.has(ids)).length;
  }

  private readonly acceptedCalls = new Set<string[]>();

  /** The next `times` DescribeJobs calls are refused as a whole, as the API refuses a key without the permission. */
  refuseDescribeJobs(times: number): this {
    this.describeRefusalsLeft = times;
    return this;
  }

  private describeRefusalsLeft = 0;
  /** DescribeJobs calls refused by {@link refuseDescribeJobs}. */
  describeRefusals = 0;

  override describeJobs({ jobIds }: { jobIds: string[] }): ReturnType<BatchApi['describeJobs']> {
    if (this.describeRefusalsLeft > 0) {
      this.describeRefusalsLeft -= 1;
      this.describeRefusals += 1;
      return Promise.reject(permissionDenied('DescribeJobs'));
    }
    const jobs: JobSummary[] = [];
    for (const jobId of jobIds) {
      const s = this.scripts.get(jobId);
      const job = this.jobs.get(jobId);
      if (!job) continue;
      if (s && job.state === 'RUNNING' && ++s.reads >= this.readsPerRun) {
        const outcome = s.runs[Math.min(s.run, s.runs.length - 1)] ?? 'SUCCEED';
        if (outcome !== 'HANG') {
          this.jobs.set(jobId, { state: outcome, endTime: this.endTimeNow() });
        }
      }
      if (job.state === 'PENDING') this.jobs.set(jobId, { state: 'RUNNING' });
      const now = this.jobs.get(jobId) ?? job;
      jobs.push({ jobId, jobName: jobId, jobState: now.state, endTime: now.endTime });
    }
    return Promise.resolve({ jobs, requestId: 'req-describe' });
  }

  /**
   * The EndTime of a run that ends now, on the workflow's clock: when the reading activity's attempt was scheduled
   * (the server's time, which jumps with the test server). Outside an activity, a fixed day.
   */
  private endTimeNow(): string {
    let nowMs: number;
    try {
      nowMs = Context.current().info.currentAttemptScheduledTimestampMs;
    } catch {
      nowMs = Date.UTC(2026, 10, 25, 0, 0, 0, ++this.ends);
    }
    return new Date(nowMs).toISOString();
  }

  override describeJob({ jobId }: { jobId: string }): ReturnType<BatchApi['describeJob']> {
    const job = this.jobs.get(jobId);
    if (!job) return Promise.reject(new Error(`unknown job ${jobId}`));
    return Promise.resolve({
      jobId,
      jobName: jobId,
      jobState: job.state,
      endTime: job.endTime,
      stateReason: job.state === 'FAILED' ? 'Task failed' : undefined,
      tasks: [{ taskName: 'main', taskState: job.state }],
      dependences: [],
      requestId: 'req-describe-job',
    });
  }

  override describeTask({
    jobId,
    taskName,
  }: {
    jobId: string;
    taskName: string;
  }): ReturnType<BatchApi['describeTask']> {
    const job = this.jobs.get(jobId);
    const state = job?.state ?? 'FAILED';
    const { count, reason } = this.failedInstances;
    return Promise.resolve({
      jobId,
      taskName,
      taskState: state,
      totalInstances: count,
      instances: Array.from({ length: count }, (_, i) => ({
        taskInstanceIndex: i,
        state,
        exitCode: 1,
        stateReason: reason,
      })),
      requestId: 'req-describe-task',
    });
  }

  private failedInstances = { count: 1, reason: 'exit code 1' };

  /** Every failed task reports `count` failed instances, each with `reason`. */
  withFailedInstances(count: number, reason: string): this {
    this.failedInstances = { count, reason };
    return this;
  }

  /** The next `times` RetryJobs calls are refused as a whole, as the API refuses a key without the permission. */
  refuseRetryJobs(times: number): this {
    this.refusalsLeft = times;
    return this;
  }

  private refusalsLeft = 0;

  override async retryJobs(input: { jobIds: string[] }): ReturnType<BatchApi['retryJobs']> {
    if (this.refusalsLeft > 0) {
      this.refusalsLeft -= 1;
      throw permissionDenied('RetryJobs');
    }
    const before = this.retryCalls.length;
    const answer = await super.retryJobs(input);
    const call = this.retryCalls[before];
    if (call) this.acceptedCalls.add(call);
    for (const id of input.jobIds) {
      const s = this.scripts.get(id);
      if (s) {
        s.run += 1;
        s.reads = 0;
      }
    }
    return answer;
  }
}

/** What the client layer makes of UnauthorizedOperation: the key may not call `action` (not retried). */
function permissionDenied(action: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.PermissionDenied,
    message: `UnauthorizedOperation: the key may not call ${action}`,
    nonRetryable: true,
    details: [{ code: 'UnauthorizedOperation', action }],
  });
}
