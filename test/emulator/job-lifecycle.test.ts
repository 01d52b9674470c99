import { SCRIPT_TAG_KEY, type ScriptedAttempt } from '../../src/emulator';
import {
  NO_RATE_LIMITS,
  emulatorFixture,
  sdkClient,
  sdkErrorOf,
  submitJobRequest,
  waitFor,
} from './emulator-test-kit';

const SPOT: ScriptedAttempt = { outcome: 'FAILED', exitCode: 137, reason: 'instance reclaimed (spot)' };

describe('job lifecycle', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('a job goes SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEED as the emulated clock advances', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    const seen = [emulator.getJob(jobId)?.state];
    // Default timing: 1 s in each queue state, then 10 s running; step to the middle of each phase.
    for (const step of [1, 1, 1, 1, 10]) {
      emulator.advanceTime(step);
      seen.push(emulator.getJob(jobId)?.state);
    }
    expect(seen).toEqual(['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEED']);
    const job = emulator.getJob(jobId);
    expect(job?.endTime).toMatch(/Z$/);
    expect(job?.tasks[0]?.instances[0]).toEqual({
      index: 0,
      state: 'SUCCEED',
      exitCode: 0,
      stateReason: null,
    });
  });

  test('with timeScale 60 a 30-second job succeeds within a second of real time', async () => {
    const emulator = await start({ timeScale: 60 });
    const { JobId } = await sdkClient(emulator).SubmitJob(submitJobRequest());
    const job = await waitFor(
      () => sdkClient(emulator).DescribeJob({ JobId: JobId! }),
      (answer) => answer.JobState === 'SUCCEED',
      { timeoutMs: 3000 },
    );
    expect(job.TaskInstanceMetrics).toEqual(expect.objectContaining({ SucceedCount: 1 }));
  });

  test('a job scripted to fail twice on spot reclaim then succeed does so across two retries', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const jobId = emulator.createJob({ script: { attempts: [SPOT, SPOT, { outcome: 'SUCCEED' }] } });
    const endTimes: string[] = [];
    for (const expected of ['FAILED', 'FAILED', 'SUCCEED']) {
      emulator.advanceTime(60);
      const job = await client.DescribeJob({ JobId: jobId });
      expect(job.JobState).toBe(expected);
      endTimes.push(job.EndTime!);
      if (expected === 'FAILED') {
        const task = await client.DescribeTask({ JobId: jobId, TaskName: 'main' });
        expect(task.TaskInstanceSet?.[0]).toEqual(
          expect.objectContaining({ ExitCode: 137, StateReason: 'instance reclaimed (spot)' }),
        );
        expect(job.StateReason).toBe('instance reclaimed (spot)');
        await client.RetryJobs({ JobIds: [jobId] });
      }
    }
    expect([...endTimes].sort()).toEqual(endTimes);
    expect(new Set(endTimes).size).toBe(3);
    expect(emulator.getJob(jobId)?.retries).toBe(2);
  });

  test('after the last scripted attempt the last one repeats', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({ script: { attempts: [{ outcome: 'FAILED', exitCode: 2 }] } });
    for (let retry = 0; retry < 3; retry++) {
      emulator.advanceTime(60);
      expect(emulator.getJob(jobId)?.state).toBe('FAILED');
      await sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    }
    emulator.advanceTime(60);
    expect(emulator.getJob(jobId)?.tasks[0]?.instances[0]?.exitCode).toBe(2);
  });

  test('a job that fails again within the same second reports a later EndTime than its previous failure', async () => {
    const emulator = await start();
    const instant = {
      submittedSeconds: 0,
      pendingSeconds: 0,
      runnableSeconds: 0,
      startingSeconds: 0,
      runSeconds: 0,
    };
    const jobId = emulator.createJob({ script: { ...instant, attempts: [SPOT] } });
    const client = sdkClient(emulator);
    const endTimes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await client.DescribeJobs({ JobIds: [jobId] });
      expect(job.JobSet?.[0]?.JobState).toBe('FAILED');
      endTimes.push(job.JobSet?.[0]?.EndTime ?? '');
      await client.RetryJobs({ JobIds: [jobId] });
    }
    expect(new Set(endTimes).size).toBe(3);
    expect([...endTimes].sort()).toEqual(endTimes);
    expect(emulator.ledger.retriesOf(jobId).map((r) => r.failureEndTime)).toEqual(endTimes);
  });

  test('in a DAG a failing task stops its dependents, and a retry reruns only the failed and never-run tasks', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const jobId = emulator.createJob({
      tasks: [{ taskName: 'prepare' }, { taskName: 'train', instances: 2 }, { taskName: 'report' }],
      dependences: [
        { startTask: 'prepare', endTask: 'train' },
        { startTask: 'train', endTask: 'report' },
      ],
      script: { attempts: [{ ...SPOT, taskName: 'train', instanceIndexes: [1] }, { outcome: 'SUCCEED' }] },
    });
    emulator.advanceTime(300);
    const failed = await client.DescribeJob({ JobId: jobId });
    expect(failed.JobState).toBe('FAILED');
    expect(failed.TaskSet?.map((t) => [t.TaskName, t.TaskState])).toEqual([
      ['prepare', 'SUCCEED'],
      ['train', 'FAILED'],
      ['report', 'PENDING'],
    ]);
    expect(failed.TaskSet?.[2]?.EndTime).toBeNull();
    const prepareEnd = failed.TaskSet?.[0]?.EndTime;

    await client.RetryJobs({ JobIds: [jobId] });
    const train = await client.DescribeTask({ JobId: jobId, TaskName: 'train' });
    expect(train.TaskInstanceSet?.map((i) => i.TaskInstanceState)).toEqual(['SUCCEED', 'PENDING']);

    emulator.advanceTime(300);
    const succeeded = await client.DescribeJob({ JobId: jobId });
    expect(succeeded.JobState).toBe('SUCCEED');
    expect(succeeded.TaskSet?.[0]?.EndTime).toBe(prepareEnd);
    expect(succeeded.TaskInstanceMetrics).toEqual(
      expect.objectContaining({ SucceedCount: 4, FailedCount: 0 }),
    );
  });

  test('tasks run in DAG order: a dependent starts only after the task it depends on succeeded', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({
      tasks: [{ taskName: 'second' }, { taskName: 'first' }],
      dependences: [{ startTask: 'first', endTask: 'second' }],
    });
    emulator.advanceTime(1 + 1 + 1 + 1 + 5);
    expect(emulator.getJob(jobId)?.tasks.map((t) => [t.taskName, t.state])).toEqual([
      ['second', 'PENDING'],
      ['first', 'RUNNING'],
    ]);
    emulator.advanceTime(10);
    expect(emulator.getJob(jobId)?.tasks.map((t) => t.state)).toEqual(['RUNNING', 'SUCCEED']);
  });

  test('a FAILED_INTERRUPTED job cannot be retried, and TerminateJob releases it to FAILED', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const jobId = emulator.createJob({
      script: { attempts: [{ outcome: 'FAILED_INTERRUPTED', reason: 'kept for debugging' }] },
    });
    emulator.advanceTime(60);
    expect(emulator.getJob(jobId)?.state).toBe('FAILED_INTERRUPTED');
    expect((await sdkErrorOf(client.RetryJobs({ JobIds: [jobId] }))).code).toBe('UnsupportedOperation');
    const interruptedEnd = emulator.getJob(jobId)?.endTime ?? '';
    await client.TerminateJob({ JobId: jobId });
    emulator.advanceTime(2);
    const job = emulator.getJob(jobId);
    expect(job?.state).toBe('FAILED');
    expect((job?.endTime ?? '') > interruptedEnd).toBe(true);
  });

  test('setScript before the first run ends changes its outcome', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    emulator.setScript(jobId, { attempts: [{ outcome: 'FAILED', exitCode: 3 }] });
    emulator.advanceTime(60);
    expect(emulator.getJob(jobId)?.state).toBe('FAILED');
    expect(emulator.getJob(jobId)?.tasks[0]?.instances[0]?.exitCode).toBe(3);
  });

  test('setJobState RUNNING holds the job there however much time passes', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'RUNNING');
    emulator.advanceTime(3600);
    expect(emulator.getJob(jobId)?.state).toBe('RUNNING');
    emulator.setJobState(jobId, 'FAILED', { exitCode: 9, reason: 'forced' });
    expect(emulator.getJob(jobId)).toEqual(
      expect.objectContaining({
        state: 'FAILED',
        stateReason: 'forced',
        endTime: expect.stringMatching(/Z$/),
      }),
    );
  });

  test('a job submitted with the emulator:script tag follows that script', async () => {
    const emulator = await start();
    const script = { runSeconds: 5, attempts: [{ outcome: 'FAILED', exitCode: 42 }] };
    const { JobId } = await sdkClient(emulator).SubmitJob(
      submitJobRequest({ tags: [{ Key: SCRIPT_TAG_KEY, Value: JSON.stringify(script) }] }),
    );
    emulator.advanceTime(60);
    expect(emulator.getJob(JobId!)?.tasks[0]?.instances[0]).toEqual(
      expect.objectContaining({ state: 'FAILED', exitCode: 42 }),
    );
  });

  test('a job submitted without a script follows the emulator defaultScript', async () => {
    const emulator = await start({ defaultScript: { attempts: [SPOT, { outcome: 'SUCCEED' }] } });
    const { JobId } = await sdkClient(emulator).SubmitJob(submitJobRequest());
    emulator.advanceTime(60);
    expect(emulator.getJob(JobId!)?.state).toBe('FAILED');
  });

  test('a malformed emulator:script tag fails SubmitJob with InvalidParameterValue', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).SubmitJob(
        submitJobRequest({ tags: [{ Key: SCRIPT_TAG_KEY, Value: '{"attempts":[{"outcome":"MAYBE"}]}' }] }),
      ),
    );
    expect(error.code).toBe('InvalidParameterValue');
  });
});
