import { ApplicationFailure } from '@temporalio/common';
import type { BatchApi, JobSummary } from '../../src/batch/batch-api';
import type { JobState } from '../../src/shared/batch-types';
import { ErrorType } from '../../src/shared/errors';

/**
 * An in-memory BatchApi for unit tests of small pieces (activities' decisions). It mirrors the emulator's
 * documented choices: RetryJobs is atomic and refuses the whole request when one job is not FAILED or unknown.
 * Behaviour on the real path is tested against the emulator through the real SDK.
 */
export class FakeBatchApi implements BatchApi {
  readonly jobs = new Map<string, { state: JobState; endTime?: string }>();
  readonly retryCalls: string[][] = [];
  readonly describeCalls: string[][] = [];
  /** Called after RetryJobs applied, before it answers: lets a test lose the answer. */
  afterRetryApplied?: (jobIds: string[]) => void;
  private failureCount = 0;

  fail(
    jobId: string,
    endTime = new Date(Date.UTC(2026, 10, 25, 10, 0, 0, ++this.failureCount)).toISOString(),
  ): string {
    this.jobs.set(jobId, { state: 'FAILED', endTime });
    return endTime;
  }

  describeJobs({ jobIds }: { jobIds: string[] }): ReturnType<BatchApi['describeJobs']> {
    this.describeCalls.push([...jobIds]);
    const jobs: JobSummary[] = jobIds.flatMap((jobId) => {
      const j = this.jobs.get(jobId);
      return j ? [{ jobId, jobName: jobId, jobState: j.state, endTime: j.endTime }] : [];
    });
    return Promise.resolve({ jobs, requestId: 'req-describe' });
  }

  retryJobs({ jobIds }: { jobIds: string[] }): ReturnType<BatchApi['retryJobs']> {
    this.retryCalls.push([...jobIds]);
    const unknown = jobIds.filter((id) => !this.jobs.has(id));
    if (unknown.length > 0) {
      return Promise.reject(
        refusal(ErrorType.JobNotFound, 'ResourceNotFound.Job', `jobs not found: ${unknown.join(',')}`),
      );
    }
    const notFailed = jobIds.filter((id) => this.jobs.get(id)?.state !== 'FAILED');
    if (notFailed.length > 0) {
      return Promise.reject(
        refusal(ErrorType.UnsupportedOperation, 'UnsupportedOperation', `not FAILED: ${notFailed.join(',')}`),
      );
    }
    for (const id of jobIds) this.jobs.set(id, { state: 'PENDING' });
    this.afterRetryApplied?.(jobIds);
    return Promise.resolve({ requestId: `req-retry-${this.retryCalls.length}` });
  }

  describeJob(_input: Parameters<BatchApi['describeJob']>[0]): ReturnType<BatchApi['describeJob']> {
    return Promise.reject(new Error('not used by these tests'));
  }
  describeTask(_input: Parameters<BatchApi['describeTask']>[0]): ReturnType<BatchApi['describeTask']> {
    return Promise.reject(new Error('not used by these tests'));
  }
  submitJob(_input: Parameters<BatchApi['submitJob']>[0]): ReturnType<BatchApi['submitJob']> {
    return Promise.reject(new Error('not used by these tests'));
  }
  terminateJob(_input: Parameters<BatchApi['terminateJob']>[0]): ReturnType<BatchApi['terminateJob']> {
    return Promise.reject(new Error('not used by these tests'));
  }
  deleteJob(_input: Parameters<BatchApi['deleteJob']>[0]): ReturnType<BatchApi['deleteJob']> {
    return Promise.reject(new Error('not used by these tests'));
  }
}

function refusal(type: string, code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: true,
    details: [{ code, action: 'RetryJobs', requestId: 'req-x' }],
  });
}

/** A transport failure as the client layer classifies it. */
export function lostAnswer(): ApplicationFailure {
  return ApplicationFailure.create({
    message: 'socket hang up',
    type: ErrorType.TransportError,
    details: [{ code: 'NETWORK', action: 'RetryJobs' }],
  });
}
