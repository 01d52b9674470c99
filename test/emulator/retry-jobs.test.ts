import type { RunningEmulator } from '../../src/emulator';
import { NO_RATE_LIMITS, emulatorFixture, sdkClient, sdkErrorOf } from './emulator-test-kit';

describe('RetryJobs', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  function failedJob(emulator: RunningEmulator): string {
    const jobId = emulator.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }] },
    });
    emulator.setJobState(jobId, 'FAILED', { exitCode: 137 });
    return jobId;
  }

  test('a retried job leaves FAILED within the request: an immediate DescribeJobs sees it PENDING without EndTime', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const jobId = failedJob(emulator);
    await client.RetryJobs({ JobIds: [jobId] });
    const { JobSet } = await client.DescribeJobs({ JobIds: [jobId] });
    expect(JobSet?.[0]).toEqual(expect.objectContaining({ JobState: 'PENDING', EndTime: null }));
  });

  test('retrying a job that is not FAILED fails with UnsupportedOperation', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({ script: { runSeconds: 3600 } });
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [jobId] }));
    expect(error.code).toBe('UnsupportedOperation');
    expect(error.message).toContain(jobId);
  });

  test('a request mixing a FAILED job and a running one fails as a whole and retries nothing', async () => {
    const emulator = await start();
    const failed = failedJob(emulator);
    const failedBefore = emulator.getJob(failed);
    const running = emulator.createJob({ script: { runSeconds: 3600 } });
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [failed, running] }));
    expect(error.code).toBe('UnsupportedOperation');
    expect(error.message).toContain(running);
    expect(error.message).not.toContain(failed);
    expect(emulator.getJob(failed)).toEqual(failedBefore);
    expect(emulator.ledger.retriesOf(failed)).toEqual([]);
  });

  test('a request naming an unknown job fails with ResourceNotFound.Job naming it, and retries nothing', async () => {
    const emulator = await start();
    const failed = failedJob(emulator);
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [failed, 'job-00000000'] }));
    expect(error.code).toBe('ResourceNotFound.Job');
    expect(error.message).toContain('job-00000000');
    expect(emulator.getJob(failed)?.state).toBe('FAILED');
  });

  test('a request naming a malformed ID fails with InvalidParameter.JobIdMalformed naming it, and retries nothing', async () => {
    const emulator = await start();
    const failed = failedJob(emulator);
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [failed, 'job_12345678'] }));
    expect(error.code).toBe('InvalidParameter.JobIdMalformed');
    expect(error.message).toContain('job_12345678');
    expect(emulator.getJob(failed)?.state).toBe('FAILED');
  });

  test('a request with no job IDs fails with MissingParameter', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [] }));
    expect(error.code).toBe('MissingParameter');
  });

  test('a request with more than 100 job IDs fails with InvalidParameterValue', async () => {
    const emulator = await start();
    const ids = Array.from({ length: 101 }, () => failedJob(emulator));
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: ids }));
    expect(error.code).toBe('InvalidParameterValue');
    expect(ids.every((id) => emulator.getJob(id)?.state === 'FAILED')).toBe(true);
  });

  test('a request with exactly 100 FAILED jobs retries them all', async () => {
    const emulator = await start();
    const ids = Array.from({ length: 100 }, () => failedJob(emulator));
    await sdkClient(emulator).RetryJobs({ JobIds: ids });
    expect(ids.every((id) => emulator.getJob(id)?.retries === 1)).toBe(true);
  });

  test('a job named twice in one request is retried once', async () => {
    const emulator = await start();
    const jobId = failedJob(emulator);
    await sdkClient(emulator).RetryJobs({ JobIds: [jobId, jobId] });
    expect(emulator.getJob(jobId)?.retries).toBe(1);
  });

  test('the ledger records each applied retry with the EndTime of the failure it applied to', async () => {
    const emulator = await start();
    const jobId = failedJob(emulator);
    const failureEndTime = emulator.getJob(jobId)?.endTime;
    const { RequestId } = await sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    expect(emulator.ledger.retriesOf(jobId)).toEqual([
      expect.objectContaining({ requestId: RequestId, failureEndTime, outcome: 'ok' }),
    ]);
    expect(emulator.getJob(jobId)?.previousEndTimes).toEqual([failureEndTime]);
  });

  test('a retried job that fails again is FAILED again with a later EndTime', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({ script: { attempts: [{ outcome: 'FAILED' }] } });
    emulator.advanceTime(60);
    const first = emulator.getJob(jobId)?.endTime ?? '';
    await sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    emulator.advanceTime(60);
    const second = emulator.getJob(jobId);
    expect(second?.state).toBe('FAILED');
    expect(second!.endTime! > first).toBe(true);
  });
});
