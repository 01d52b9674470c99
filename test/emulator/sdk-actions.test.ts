import {
  NO_RATE_LIMITS,
  emulatorFixture,
  sdkClient,
  sdkErrorOf,
  submitJobRequest,
  waitFor,
} from './emulator-test-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('the real Node SDK against the emulator', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('SubmitJob creates a job with a job-xxxxxxxx ID and a fresh RequestId', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const answer = await client.SubmitJob(submitJobRequest());
    expect(answer.JobId).toMatch(/^job-[a-z0-9]{8}$/);
    expect(answer.RequestId).toMatch(UUID);
    expect(emulator.getJob(answer.JobId!)?.jobName).toBe('sdk-job');
  });

  test('SubmitJob with a repeated ClientToken returns the same JobId and creates one job', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    const first = await client.SubmitJob(submitJobRequest({ clientToken: 'token-1' }));
    const second = await client.SubmitJob(submitJobRequest({ clientToken: 'token-1' }));
    const other = await client.SubmitJob(submitJobRequest({ clientToken: 'token-2' }));
    expect(second.JobId).toBe(first.JobId);
    expect(other.JobId).not.toBe(first.JobId);
    expect(
      emulator.ledger.entries({ action: 'SubmitJob' }).map((e) => e.appliedEffects?.submittedJobId),
    ).toEqual([first.JobId, undefined, other.JobId]);
  });

  test('DescribeJob reports the job, its tasks, dependences and metrics in the documented shape', async () => {
    const emulator = await start({ timeScale: 1 });
    const jobId = emulator.createJob({
      jobName: 'shape',
      tasks: [{ taskName: 'a' }, { taskName: 'b', instances: 2 }],
      dependences: [{ startTask: 'a', endTask: 'b' }],
      tags: [{ Key: 'team', Value: 'ml' }],
    });
    const answer = await sdkClient(emulator).DescribeJob({ JobId: jobId });
    expect(answer).toEqual({
      JobId: jobId,
      JobName: 'shape',
      Zone: 'ap-guangzhou-3',
      Priority: 0,
      JobState: 'SUBMITTED',
      CreateTime: expect.stringMatching(API_TIME),
      EndTime: null,
      TaskSet: [
        { TaskName: 'a', TaskState: 'PENDING', CreateTime: expect.stringMatching(API_TIME), EndTime: null },
        { TaskName: 'b', TaskState: 'PENDING', CreateTime: expect.stringMatching(API_TIME), EndTime: null },
      ],
      DependenceSet: [{ StartTask: 'a', EndTask: 'b' }],
      TaskMetrics: expect.objectContaining({ PendingCount: 2, SucceedCount: 0, FailedCount: 0 }),
      TaskInstanceMetrics: expect.objectContaining({ PendingCount: 3 }),
      StateReason: null,
      Tags: [{ Key: 'team', Value: 'ml' }],
      NextAction: null,
      RequestId: expect.stringMatching(UUID),
    });
  });

  test('DescribeJobs by JobIds lists known jobs and leaves unknown ones out of JobSet and TotalCount', async () => {
    const emulator = await start();
    const a = emulator.createJob({ jobName: 'a' });
    const b = emulator.createJob({ jobName: 'b' });
    const answer = await sdkClient(emulator).DescribeJobs({ JobIds: [b, 'job-zzzzzzzz', a] });
    expect(answer.TotalCount).toBe(2);
    expect(answer.JobSet?.map((job) => job.JobId)).toEqual([b, a]);
    expect(Object.keys(answer.JobSet?.[0] ?? {}).sort()).toEqual(
      [
        'CreateTime',
        'EndTime',
        'JobId',
        'JobName',
        'JobState',
        'Placement',
        'Priority',
        'Tags',
        'TaskMetrics',
      ].sort(),
    );
  });

  test('DescribeJobs by Filters matches name, state and tags, newest first, with Offset and Limit', async () => {
    const emulator = await start();
    const ids = [1, 2, 3].map((i) =>
      emulator.createJob({ jobName: 'nightly', tags: [{ Key: 'run', Value: String(i) }] }),
    );
    emulator.createJob({ jobName: 'other' });
    emulator.setJobState(ids[1]!, 'FAILED');
    const client = sdkClient(emulator);
    const byName = await client.DescribeJobs({
      Filters: [{ Name: 'job-name', Values: ['nightly'] }],
      Limit: 2,
      Offset: 0,
    });
    expect(byName.TotalCount).toBe(3);
    expect(byName.JobSet?.map((job) => job.JobId)).toEqual([ids[2], ids[1]]);
    const failed = await client.DescribeJobs({ Filters: [{ Name: 'job-state', Values: ['FAILED'] }] });
    expect(failed.JobSet?.map((job) => job.JobId)).toEqual([ids[1]]);
    const tagged = await client.DescribeJobs({ Filters: [{ Name: 'tag:run', Values: ['1', '3'] }] });
    expect(tagged.JobSet?.map((job) => job.JobId)).toEqual([ids[2], ids[0]]);
  });

  test('DescribeJobs with both JobIds and Filters fails with InvalidParameter.InvalidParameterCombination', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeJobs({
        JobIds: ['job-aaaaaaaa'],
        Filters: [{ Name: 'zone', Values: ['x'] }],
      }),
    );
    expect(error.code).toBe('InvalidParameter.InvalidParameterCombination');
  });

  test('DescribeJobs with Limit above 100 fails with InvalidParameterValue', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator).DescribeJobs({ Limit: 101 }));
    expect(error.code).toBe('InvalidParameterValue');
  });

  test('DescribeTask pages instances and filters them by task-instance-state', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({
      tasks: [{ taskName: 'train', instances: 3 }],
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137, reason: 'spot', instanceIndexes: [1] }] },
    });
    emulator.advanceTime(3600);
    const client = sdkClient(emulator);
    const page = await client.DescribeTask({ JobId: jobId, TaskName: 'train', Offset: 1, Limit: 1 });
    expect(page.TaskInstanceTotalCount).toBe(3);
    expect(page.TaskState).toBe('FAILED');
    expect(page.TaskInstanceSet).toEqual([
      expect.objectContaining({
        TaskInstanceIndex: 1,
        TaskInstanceState: 'FAILED',
        ExitCode: 137,
        StateReason: 'spot',
        StateDetailedReason: null,
        ComputeNodeInstanceId: expect.stringMatching(/^ins-[a-z0-9]{8}$/),
        LaunchTime: expect.stringMatching(API_TIME),
        RunningTime: expect.stringMatching(API_TIME),
        EndTime: expect.stringMatching(API_TIME),
      }),
    ]);
    const failed = await client.DescribeTask({
      JobId: jobId,
      TaskName: 'train',
      Filters: [{ Name: 'task-instance-state', Values: ['FAILED'] }],
    });
    expect(failed.TaskInstanceTotalCount).toBe(1);
    expect(failed.TaskInstanceSet?.map((i) => i.TaskInstanceIndex)).toEqual([1]);
    expect(failed.TaskInstanceMetrics).toEqual(expect.objectContaining({ SucceedCount: 2, FailedCount: 1 }));
  });

  test('DescribeTask of an unknown task fails with ResourceNotFound.Task', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    const error = await sdkErrorOf(sdkClient(emulator).DescribeTask({ JobId: jobId, TaskName: 'nope' }));
    expect(error.code).toBe('ResourceNotFound.Task');
  });

  test('RetryJobs retries a FAILED job and answers only a RequestId', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'FAILED');
    const answer = await sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    expect(Object.keys(answer)).toEqual(['RequestId']);
    expect(emulator.getJob(jobId)?.retries).toBe(1);
  });

  test('TerminateJob ends a running job FAILED shortly after answering', async () => {
    const emulator = await start({ timeScale: 60 });
    const jobId = emulator.createJob({ script: { runSeconds: 3600 } });
    emulator.advanceTime(10);
    const client = sdkClient(emulator);
    expect((await client.DescribeJob({ JobId: jobId })).JobState).toBe('RUNNING');
    await client.TerminateJob({ JobId: jobId });
    const ended = await waitFor(
      () => client.DescribeJob({ JobId: jobId }),
      (job) => job.JobState === 'FAILED',
    );
    expect(ended.StateReason).toBe('Job terminated by user');
    expect(ended.EndTime).toMatch(API_TIME);
  });

  test('TerminateJob of a SUBMITTED job fails with UnsupportedOperation', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({ script: { submittedSeconds: 600 } });
    const error = await sdkErrorOf(sdkClient(emulator).TerminateJob({ JobId: jobId }));
    expect(error.code).toBe('UnsupportedOperation');
  });

  test('DeleteJob removes a finished job, after which DescribeJob answers ResourceNotFound.Job', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'SUCCEED');
    const client = sdkClient(emulator);
    await client.DeleteJob({ JobId: jobId });
    const error = await sdkErrorOf(client.DescribeJob({ JobId: jobId }));
    expect(error.code).toBe('ResourceNotFound.Job');
    expect(error.requestId).toMatch(UUID);
  });

  test('DeleteJob of a running job fails with UnsupportedOperation', async () => {
    const emulator = await start();
    const jobId = emulator.createJob({ script: { runSeconds: 3600 } });
    const error = await sdkErrorOf(sdkClient(emulator).DeleteJob({ JobId: jobId }));
    expect(error.code).toBe('UnsupportedOperation');
  });

  test('a malformed job ID fails with InvalidParameter.JobIdMalformed and an unknown one with ResourceNotFound.Job', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    for (const call of [
      (id: string) => client.DescribeJob({ JobId: id }),
      (id: string) => client.TerminateJob({ JobId: id }),
      (id: string) => client.DeleteJob({ JobId: id }),
      (id: string) => client.RetryJobs({ JobIds: [id] }),
    ]) {
      expect((await sdkErrorOf(call('job-BAD'))).code).toBe('InvalidParameter.JobIdMalformed');
      expect((await sdkErrorOf(call('job-00000000'))).code).toBe('ResourceNotFound.Job');
    }
  });

  test('the ledger records each request with its params and outcome but never the Authorization header', async () => {
    const emulator = await start();
    await sdkClient(emulator).DescribeJobs({ JobIds: ['job-aaaaaaaa'] });
    const [entry] = emulator.ledger.entries();
    expect(entry).toEqual(
      expect.objectContaining({
        seq: 1,
        action: 'DescribeJobs',
        params: { JobIds: ['job-aaaaaaaa'] },
        outcome: 'ok',
        admitted: true,
        requestId: expect.stringMatching(UUID),
      }),
    );
    expect(JSON.stringify(entry)).not.toContain('TC3-HMAC-SHA256');
    expect(JSON.stringify(entry)).not.toContain('emulator-secret-key');
  });
});
