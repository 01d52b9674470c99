import type { RunningEmulator } from '../../src/emulator';
import { isBatchAction } from '../../src/emulator/batch-api-constants';
import { isOfficialErrorCode } from '../../src/emulator/official-error-codes';
import {
  NO_RATE_LIMITS,
  SDK_REQUEST_MODES,
  emulatorFixture,
  sdkClient,
  sdkErrorOf,
  sendV1,
  submitJobRequest,
} from './emulator-test-kit';

const modeName = ({ signMethod, reqMethod }: (typeof SDK_REQUEST_MODES)[number]): string =>
  `${signMethod} over ${reqMethod}`;

function failedJob(emulator: RunningEmulator, zone?: string): string {
  const jobId = emulator.createJob({
    ...(zone ? { zone } : {}),
    script: { attempts: [{ outcome: 'FAILED' }] },
  });
  emulator.setJobState(jobId, 'FAILED');
  return jobId;
}

describe('every request mode of the Node SDK', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  describe.each(SDK_REQUEST_MODES.map((mode) => [modeName(mode), mode] as const))('%s', (_name, mode) => {
    test('is accepted for every action the package uses, with nested and numeric parameters', async () => {
      const emulator = await start();
      const client = sdkClient(emulator, { mode });
      const { JobId } = await client.SubmitJob(
        submitJobRequest({
          tasks: [{ TaskName: 'prepare' }, { TaskName: 'train', TaskInstanceNum: 2 }],
          dependences: [{ StartTask: 'prepare', EndTask: 'train' }],
          tags: [{ Key: 'team', Value: 'ml' }],
        }),
      );
      const job = await client.DescribeJob({ JobId: JobId ?? '' });
      expect(job.TaskSet?.map((task) => task.TaskName).sort()).toEqual(['prepare', 'train']);
      const task = await client.DescribeTask({ JobId: JobId ?? '', TaskName: 'train', Limit: 1 });
      expect(task.TaskInstanceTotalCount).toBe(2);
      expect(task.TaskInstanceSet).toHaveLength(1);

      const failed = failedJob(emulator);
      await client.RetryJobs({ JobIds: [failed] });
      expect(emulator.ledger.retriesOf(failed)).toHaveLength(1);
      const { JobSet, TotalCount } = await client.DescribeJobs({
        Filters: [{ Name: 'tag:team', Values: ['ml'] }],
        Limit: 5,
      });
      expect(TotalCount).toBe(1);
      expect(JobSet?.[0]?.JobId).toBe(JobId);
    });

    test('has its signature checked: a wrong SecretKey fails with AuthFailure.SignatureFailure', async () => {
      const emulator = await start();
      const error = await sdkErrorOf(
        sdkClient(emulator, { mode, secretKey: 'not-the-key' }).DescribeJobs({ Limit: 1 }),
      );
      expect(error.code).toBe('AuthFailure.SignatureFailure');
    });

    test('has its SecretId and session token checked', async () => {
      const emulator = await start({
        credentials: [
          { secretId: 'AKIDTEMPORARY0000000000000000000000', secretKey: 'temp-key', token: 'tok' },
        ],
      });
      const unknown = await sdkErrorOf(sdkClient(emulator, { mode }).DescribeJobs({}));
      expect(unknown.code).toBe('AuthFailure.SecretIdNotFound');
      const temporary = { secretId: 'AKIDTEMPORARY0000000000000000000000', secretKey: 'temp-key' };
      const noToken = await sdkErrorOf(sdkClient(emulator, { mode, ...temporary }).DescribeJobs({}));
      expect(noToken.code).toBe('AuthFailure.TokenFailure');
      await expect(
        sdkClient(emulator, { mode, ...temporary, token: 'tok' }).DescribeJobs({}),
      ).resolves.toMatchObject({ TotalCount: 0 });
    });
  });

  test('the ledger records the action parameters of a signature v1 request, never its Signature or Token', async () => {
    const emulator = await start({
      credentials: [{ secretId: 'AKIDTEMPORARY0000000000000000000000', secretKey: 'temp-key', token: 'tok' }],
    });
    const client = sdkClient(emulator, {
      mode: { signMethod: 'HmacSHA256', reqMethod: 'GET' },
      secretId: 'AKIDTEMPORARY0000000000000000000000',
      secretKey: 'temp-key',
      token: 'tok',
    });
    await client.DescribeJobs({ JobIds: ['job-aaaaaaaa'], Limit: 3 });
    const [entry] = emulator.ledger.entries({ action: 'DescribeJobs' });
    expect(entry?.params).toEqual({ JobIds: ['job-aaaaaaaa'], Limit: '3' });
    expect(JSON.stringify(entry)).not.toMatch(/tok|Signature/);
  });
});

describe('signature v1 signed by hand', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test.each(['GET', 'POST'] as const)(
    'a request over %s signed with the host without its port is accepted',
    async (method) => {
      const emulator = await start();
      const answer = await sendV1(emulator, 'DescribeJobs', {
        method,
        signedHost: emulator.endpoint.split(':')[0] ?? '',
        params: { Limit: '1' },
      });
      expect(answer.json.Response).toMatchObject({ TotalCount: 0 });
    },
  );

  test('a timestamp more than 5 minutes off fails with AuthFailure.SignatureExpire', async () => {
    const emulator = await start();
    const answer = await sendV1(emulator, 'DescribeJobs', {
      timestampSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
  });

  test('a request without Nonce fails with MissingParameter', async () => {
    const emulator = await start();
    const answer = await sendV1(emulator, 'DescribeJobs', { omit: ['Nonce'] });
    expect(answer.json.Response.Error?.Code).toBe('MissingParameter');
  });

  test('an unknown SignatureMethod fails with AuthFailure.InvalidAuthorization', async () => {
    const emulator = await start();
    const answer = await sendV1(emulator, 'DescribeJobs', { signatureMethod: 'HmacMD5' });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.InvalidAuthorization');
  });

  test('a signature made with another SecretKey fails with AuthFailure.SignatureFailure', async () => {
    const emulator = await start();
    const answer = await sendV1(emulator, 'DescribeJobs', { secretKey: 'another-key' });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
  });

  test('an integer parameter that is not a number fails with InvalidParameter', async () => {
    const emulator = await start();
    const answer = await sendV1(emulator, 'DescribeJobs', { params: { Limit: 'ten' } });
    expect(answer.json.Response.Error?.Code).toBe('InvalidParameter');
  });
});

describe('regions and zones', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('an action that requires a region fails with MissingParameter without one', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator, { region: null }).DescribeJobs({}));
    expect(error.code).toBe('MissingParameter');
    expect(error.message).toContain('Region');
  });

  test('RetryJobs, whose Region the docs call optional, works without one', async () => {
    const emulator = await start();
    const jobId = failedJob(emulator);
    await sdkClient(emulator, { region: null }).RetryJobs({ JobIds: [jobId] });
    expect(emulator.ledger.retriesOf(jobId)).toHaveLength(1);
  });

  test('a region Batch does not serve fails with UnsupportedRegion', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator, { region: 'xx-nowhere' }).DescribeJobs({}));
    expect(error.code).toBe('UnsupportedRegion');
  });

  test("another region's jobs do not exist: not found by ID, not listed, not retried", async () => {
    const emulator = await start();
    const jobId = failedJob(emulator, 'ap-shanghai-2');
    const guangzhou = sdkClient(emulator);
    expect((await sdkErrorOf(guangzhou.DescribeJob({ JobId: jobId }))).code).toBe('ResourceNotFound.Job');
    expect((await sdkErrorOf(guangzhou.RetryJobs({ JobIds: [jobId] }))).code).toBe('ResourceNotFound.Job');
    expect(await guangzhou.DescribeJobs({ JobIds: [jobId] })).toMatchObject({ TotalCount: 0 });
    const shanghai = sdkClient(emulator, { region: 'ap-shanghai' });
    expect(await shanghai.DescribeJobs({})).toMatchObject({ TotalCount: 1 });
  });

  test('a SubmitJob zone outside the region fails with InvalidZone.MismatchRegion', async () => {
    const emulator = await start();
    const request = { ...submitJobRequest(), Placement: { Zone: 'ap-shanghai-2' } };
    const error = await sdkErrorOf(sdkClient(emulator).SubmitJob(request));
    expect(error.code).toBe('InvalidZone.MismatchRegion');
    expect(error.message).toContain('Placement.Zone');
  });

  test('a DescribeJobs zone filter outside the region fails with InvalidZone.MismatchRegion', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeJobs({ Filters: [{ Name: 'zone', Values: ['na-ashburn-1'] }] }),
    );
    expect(error.code).toBe('InvalidZone.MismatchRegion');
  });
});

describe('error codes from the official per-action lists', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('DescribeTask of an unknown job fails with ResourceNotFound.Task, the only not-found code it has', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeTask({ JobId: 'job-00000000', TaskName: 'main' }),
    );
    expect(error.code).toBe('ResourceNotFound.Task');
  });

  test('TerminateJob or DeleteJob while a termination is under way fails with ResourceInUse.Job', async () => {
    // Slow emulated time: the termination (one emulated second) stays under way for the whole test.
    const emulator = await start({ timeScale: 0.001 });
    const jobId = emulator.createJob({ script: { runSeconds: 3600 } });
    emulator.setJobState(jobId, 'RUNNING');
    const client = sdkClient(emulator);
    await client.TerminateJob({ JobId: jobId });
    expect((await sdkErrorOf(client.TerminateJob({ JobId: jobId }))).code).toBe('ResourceInUse.Job');
    expect((await sdkErrorOf(client.DeleteJob({ JobId: jobId }))).code).toBe('ResourceInUse.Job');
  });

  test.each<[string, string, { Name: string; Values: string[] }[]]>([
    ['an unknown filter name', 'InvalidFilter', [{ Name: 'colour', Values: ['red'] }]],
    [
      'a job-state value that is no state',
      'InvalidParameterValue.InvalidFilter',
      [{ Name: 'job-state', Values: ['BROKEN'] }],
    ],
    [
      'more than 5 values in a filter',
      'InvalidParameterValue.LimitExceeded',
      [{ Name: 'job-name', Values: ['a', 'b', 'c', 'd', 'e', 'f'] }],
    ],
  ])('DescribeJobs with %s fails with %s', async (_case, code, filters) => {
    const emulator = await start();
    expect((await sdkErrorOf(sdkClient(emulator).DescribeJobs({ Filters: filters }))).code).toBe(code);
  });

  test.each<[string, string, ReturnType<typeof submitJobRequest>]>([
    [
      'a job name over 60 characters',
      'InvalidParameter.JobNameTooLong',
      submitJobRequest({ jobName: 'x'.repeat(61) }),
    ],
    [
      'a task name used twice',
      'InvalidParameter.TaskName',
      submitJobRequest({ tasks: [{ TaskName: 'a' }, { TaskName: 'a' }] }),
    ],
    [
      'a dependence on a task the job does not define',
      'InvalidParameterValue.DependenceNotFoundTaskName',
      submitJobRequest({ dependences: [{ StartTask: 'main', EndTask: 'ghost' }] }),
    ],
  ])('SubmitJob with %s fails with %s', async (_case, code, request) => {
    const emulator = await start();
    expect((await sdkErrorOf(sdkClient(emulator).SubmitJob(request))).code).toBe(code);
  });

  test('every code these requests drew is in the official lists for its action', async () => {
    const emulator = await start();
    const client = sdkClient(emulator);
    await Promise.allSettled([
      client.DescribeJob({ JobId: 'job-00000000' }),
      client.DescribeJob({ JobId: 'nope' }),
      client.DescribeJobs({ JobIds: ['job-00000000'], Filters: [{ Name: 'zone', Values: ['x'] }] }),
      client.DescribeJobs({ Limit: 1000 }),
      client.DescribeTask({ JobId: 'job-00000000', TaskName: 'x', Limit: 5000 }),
      client.RetryJobs({ JobIds: [] }),
      client.RetryJobs({ JobIds: ['job-00000000'] }),
      client.TerminateJob({ JobId: 'job-00000000' }),
      client.DeleteJob({ JobId: 'job-00000000' }),
      client.SubmitJob({ ...submitJobRequest(), Placement: { Zone: 'nowhere' } }),
    ]);
    const outcomes = emulator.ledger.entries().map((entry) => [entry.action, entry.outcome] as const);
    expect(outcomes).toHaveLength(10);
    const unofficial = outcomes.filter(
      ([action, outcome]) => !isBatchAction(action) || !isOfficialErrorCode(action, outcome),
    );
    expect(unofficial).toEqual([]);
    expect(outcomes.every(([, outcome]) => outcome !== 'ok')).toBe(true);
  });
});
