import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchApi } from '../../src/batch/batch-api';
import { parseBatchConfig } from '../../src/batch/batch-config';
import { THROTTLED_RETRY_DELAY_MS } from '../../src/batch/classify-error';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { DEFAULT_EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from '../../src/emulator';
import { ErrorType, type TencentApiErrorDetails } from '../../src/shared/errors';

/**
 * createBatchApi over real HTTP, through the official SDK, against the local emulator: every action, and every
 * failure shape classified to the right type and retryability.
 */

const TEMP_SECRET_ID = 'AKIDTEMPORARY00000000000000000000000';
const TEMP_SECRET_KEY = 'temporary-secret-key-must-never-leak-0001';
const SESSION_TOKEN = 'session-token-must-never-leak-0123456789abcdef';

let emulator: RunningEmulator;
let api: BatchApi;

function apiWith(overrides: Record<string, string> = {}): BatchApi {
  return createBatchApi(
    parseBatchConfig({
      TENCENTCLOUD_SECRET_ID: DEFAULT_EMULATOR_CREDENTIALS.secretId,
      TENCENTCLOUD_SECRET_KEY: DEFAULT_EMULATOR_CREDENTIALS.secretKey,
      TENCENT_BATCH_ENDPOINT: emulator.endpoint,
      TENCENT_BATCH_PROTOCOL: 'http://',
      ...overrides,
    }),
  );
}

beforeAll(async () => {
  emulator = await startEmulator({
    credentials: [
      { ...DEFAULT_EMULATOR_CREDENTIALS },
      { secretId: TEMP_SECRET_ID, secretKey: TEMP_SECRET_KEY, token: SESSION_TOKEN },
    ],
    // Unlimited: these tests are about shapes, not pacing; the throttling test sets its own limit.
    rateLimits: {
      RetryJobs: 0,
      DescribeJob: 0,
      DescribeJobs: 0,
      DescribeTask: 0,
      SubmitJob: 0,
      TerminateJob: 0,
      DeleteJob: 0,
    },
  });
  api = apiWith();
});

afterEach(() => emulator.faults.clear());

afterAll(async () => {
  await emulator.close();
});

/** The failure a call rejected with; fails the test if it resolved or threw something else. */
async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw new Error(`expected an ApplicationFailure, got ${inspect(err)}`);
  }
  throw new Error('expected the call to fail');
}

function detailsOf(failure: ApplicationFailure): TencentApiErrorDetails {
  return failure.details?.[0] as TencentApiErrorDetails;
}

/** The RequestId the emulator recorded for the last request of `action`. */
function lastRequestId(action: string): string {
  const entries = emulator.ledger.entries({ action });
  const last = entries[entries.length - 1];
  if (last === undefined) throw new Error(`no ${action} in the ledger`);
  return last.requestId;
}

function failedJob(): string {
  const jobId = emulator.createJob({ jobName: 'failing', tasks: [{ taskName: 'main', instances: 2 }] });
  emulator.setJobState(jobId, 'FAILED');
  return jobId;
}

describe('createBatchApi: actions', () => {
  it('describes jobs by ID, leaving out jobs the API does not know', async () => {
    const a = emulator.createJob({ jobName: 'a' });
    const b = emulator.createJob({ jobName: 'b' });
    const result = await api.describeJobs({ jobIds: [a, b, 'job-zzzzzzzz', a] });
    expect(result.requestId).toBe(lastRequestId('DescribeJobs'));
    expect(result.jobs.map((job) => job.jobId).sort()).toEqual([a, b].sort());
    expect(result.jobs.find((job) => job.jobId === a)).toMatchObject({
      jobName: 'a',
      jobState: expect.any(String),
    });
  });

  it('asks DescribeJobs for as many jobs as it names, not the API default of 20', async () => {
    const jobIds = Array.from({ length: 25 }, () => emulator.createJob());
    const result = await api.describeJobs({ jobIds });
    expect(result.jobs).toHaveLength(25);
  });

  it('describes one job with its tasks and dependences', async () => {
    const jobId = emulator.createJob({
      jobName: 'dag',
      tasks: [{ taskName: 'first' }, { taskName: 'second' }],
      dependences: [{ startTask: 'first', endTask: 'second' }],
    });
    const job = await api.describeJob({ jobId });
    expect(job).toMatchObject({
      jobId,
      jobName: 'dag',
      dependences: [{ startTask: 'first', endTask: 'second' }],
      requestId: lastRequestId('DescribeJob'),
    });
    expect(job.tasks.map((task) => task.taskName)).toEqual(['first', 'second']);
  });

  it('describes the failed instances of a task, filtered by state', async () => {
    const jobId = failedJob();
    const task = await api.describeTask({ jobId, taskName: 'main', instanceState: 'FAILED' });
    expect(task).toMatchObject({
      jobId,
      taskName: 'main',
      taskState: 'FAILED',
      requestId: lastRequestId('DescribeTask'),
    });
    expect(task.instances.length).toBeGreaterThan(0);
    expect(task.instances.every((instance) => instance.state === 'FAILED')).toBe(true);
  });

  it('retries a failed job and returns the RequestId the API answered with', async () => {
    const jobId = failedJob();
    const { requestId } = await api.retryJobs({ jobIds: [jobId] });
    expect(emulator.ledger.retriesOf(jobId)).toEqual([expect.objectContaining({ requestId, outcome: 'ok' })]);
    expect((await api.describeJob({ jobId })).jobState).not.toBe('FAILED');
  });

  it('submits a job, idempotently under one ClientToken', async () => {
    const input = {
      placement: { zone: 'ap-guangzhou-3' },
      job: {
        JobName: 'submitted',
        Tasks: [{ TaskName: 'main', Application: { DeliveryForm: 'LOCAL', Command: 'echo hi' } }],
      },
      clientToken: 'submit-test-token-1',
    };
    const first = await api.submitJob(input);
    const second = await api.submitJob(input);
    expect(second.jobId).toBe(first.jobId);
    expect(second.requestId).not.toBe(first.requestId);
    expect((await api.describeJob({ jobId: first.jobId })).jobName).toBe('submitted');
  });

  it('terminates a running job', async () => {
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'RUNNING');
    const { requestId } = await api.terminateJob({ jobId });
    expect(requestId).toBe(lastRequestId('TerminateJob'));
  });

  it('deletes a finished job, after which describing it fails with JobNotFound', async () => {
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'SUCCEED');
    await api.deleteJob({ jobId });
    expect(emulator.getJob(jobId)).toBeUndefined();
    expect((await failureOf(api.describeJob({ jobId }))).type).toBe(ErrorType.JobNotFound);
  });

  it('signs with temporary credentials and sends the session token', async () => {
    const temporary = apiWith({
      TENCENTCLOUD_SECRET_ID: TEMP_SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: TEMP_SECRET_KEY,
      TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
    });
    const jobId = emulator.createJob();
    await expect(temporary.describeJob({ jobId })).resolves.toMatchObject({ jobId });
  });
});

describe('createBatchApi: failures the API answers', () => {
  it('refuses a wrong SecretKey as a retryable AuthFailure with the RequestId', async () => {
    const failure = await failureOf(
      apiWith({ TENCENTCLOUD_SECRET_KEY: 'wrong-secret-key-0123456789' }).retryJobs({
        jobIds: [failedJob()],
      }),
    );
    expect(failure.type).toBe(ErrorType.AuthFailure);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({
      code: 'AuthFailure.SignatureFailure',
      action: 'RetryJobs',
      requestId: lastRequestId('RetryJobs'),
    });
    expect(failure.message).toContain('TENCENTCLOUD_SECRET_KEY');
  });

  it('refuses an unknown SecretId and says which variable to check', async () => {
    const failure = await failureOf(
      apiWith({ TENCENTCLOUD_SECRET_ID: 'AKIDUNKNOWN0000000000000000000000000' }).describeJob({
        jobId: 'job-aaaaaaaa',
      }),
    );
    expect(failure.type).toBe(ErrorType.AuthFailure);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure).code).toBe('AuthFailure.SecretIdNotFound');
    expect(failure.message).toContain('Check TENCENTCLOUD_SECRET_ID');
  });

  it('reports an unknown job as a non-retryable JobNotFound with the RequestId', async () => {
    const failure = await failureOf(api.retryJobs({ jobIds: ['job-nothere1'] }));
    expect(failure.type).toBe(ErrorType.JobNotFound);
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toEqual({
      code: 'ResourceNotFound.Job',
      action: 'RetryJobs',
      requestId: lastRequestId('RetryJobs'),
    });
    expect(failure.message).toContain(`RequestId: ${lastRequestId('RetryJobs')}`);
  });

  it('reports retrying a job that is not FAILED as a non-retryable UnsupportedOperation', async () => {
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'SUCCEED');
    const failure = await failureOf(api.retryJobs({ jobIds: [jobId] }));
    expect(failure.type).toBe(ErrorType.UnsupportedOperation);
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toMatchObject({
      code: 'UnsupportedOperation',
      requestId: lastRequestId('RetryJobs'),
    });
  });

  it('reports the API rate limit as a retryable Throttled with a jittered retry delay', async () => {
    const jobId = emulator.createJob();
    emulator.setRateLimit('DescribeJob', 1);
    try {
      await api.describeJob({ jobId });
      const failure = await failureOf(api.describeJob({ jobId }));
      expect(failure.type).toBe(ErrorType.Throttled);
      expect(failure.nonRetryable).toBe(false);
      expect(detailsOf(failure)).toMatchObject({
        code: 'RequestLimitExceeded',
        requestId: lastRequestId('DescribeJob'),
      });
      expect(failure.nextRetryDelay).toBeGreaterThanOrEqual(THROTTLED_RETRY_DELAY_MS.min);
      expect(failure.nextRetryDelay).toBeLessThan(THROTTLED_RETRY_DELAY_MS.max);
    } finally {
      emulator.setRateLimit('DescribeJob', 0);
    }
  });

  it('reports InternalError as a retryable ServiceError with the RequestId', async () => {
    emulator.faults.add({ action: 'RetryJobs', kind: 'internal-error', times: 1 });
    const failure = await failureOf(api.retryJobs({ jobIds: [failedJob()] }));
    expect(failure.type).toBe(ErrorType.ServiceError);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({
      code: 'InternalError',
      action: 'RetryJobs',
      requestId: lastRequestId('RetryJobs'),
    });
  });
});

describe('createBatchApi: transport failures', () => {
  it('reports a 502 gateway answer as a retryable TransportError HTTP_502', async () => {
    emulator.faults.add({ action: 'DescribeJobs', kind: 'http-502', times: 1 });
    const failure = await failureOf(api.describeJobs({ jobIds: ['job-aaaaaaaa'] }));
    expect(failure.type).toBe(ErrorType.TransportError);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ code: 'HTTP_502', action: 'DescribeJobs', httpStatus: 502 });
  });

  it('reports a connection reset as a retryable TransportError NETWORK', async () => {
    emulator.faults.add({ action: 'RetryJobs', kind: 'connection-reset', times: 1 });
    const jobId = failedJob();
    const failure = await failureOf(api.retryJobs({ jobIds: [jobId] }));
    expect(failure.type).toBe(ErrorType.TransportError);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ code: 'NETWORK', action: 'RetryJobs' });
    expect(emulator.ledger.retriesOf(jobId)).toEqual([]);
  });

  it('reports a reset after the change was applied the same way, and says the call may have taken effect', async () => {
    emulator.faults.add({ action: 'RetryJobs', kind: 'apply-then-drop', times: 1 });
    const jobId = failedJob();
    const failure = await failureOf(api.retryJobs({ jobIds: [jobId] }));
    expect(detailsOf(failure).code).toBe('NETWORK');
    expect(failure.message).toContain('may still have taken effect');
    expect(emulator.ledger.retriesOf(jobId)).toHaveLength(1);
  });

  it('reports an HTTP 200 body that is not JSON as a retryable TransportError NON_JSON', async () => {
    emulator.faults.add({ action: 'DescribeJob', kind: 'non-json', times: 1 });
    const failure = await failureOf(api.describeJob({ jobId: 'job-aaaaaaaa' }));
    expect(failure.type).toBe(ErrorType.TransportError);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ code: 'NON_JSON', action: 'DescribeJob' });
  });

  it('gives up on a call slower than the request timeout with a retryable TransportError TIMEOUT', async () => {
    emulator.faults.add({ action: 'DescribeJob', kind: 'latency', latencyMs: 5000, times: 1 });
    const fast = apiWith({ TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '1' });
    const started = Date.now();
    const failure = await failureOf(fast.describeJob({ jobId: emulator.createJob() }));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(failure.type).toBe(ErrorType.TransportError);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({ code: 'TIMEOUT', action: 'DescribeJob' });
  });

  it('reports a refused connection as a retryable TransportError NETWORK', async () => {
    const closed = await startEmulator();
    const endpoint = closed.endpoint;
    await closed.close();
    const failure = await failureOf(
      apiWith({ TENCENT_BATCH_ENDPOINT: endpoint }).describeJob({ jobId: 'job-aaaaaaaa' }),
    );
    expect(failure.type).toBe(ErrorType.TransportError);
    expect(detailsOf(failure).code).toBe('NETWORK');
  });
});

describe('createBatchApi: local checks send nothing', () => {
  it.each<[string, () => Promise<unknown>, ErrorType]>([
    [
      'a malformed ID to RetryJobs',
      () => api.retryJobs({ jobIds: ['job-rybewp57', 'JOB-BAD'] }),
      ErrorType.InvalidJobId,
    ],
    ['a malformed ID to DescribeJob', () => api.describeJob({ jobId: 'job-1' }), ErrorType.InvalidJobId],
    ['a malformed ID to DescribeJobs', () => api.describeJobs({ jobIds: ['nope'] }), ErrorType.InvalidJobId],
    ['a malformed ID to TerminateJob', () => api.terminateJob({ jobId: '' }), ErrorType.InvalidJobId],
    ['a malformed ID to DeleteJob', () => api.deleteJob({ jobId: 'job-rybewp5' }), ErrorType.InvalidJobId],
    ['an empty list to RetryJobs', () => api.retryJobs({ jobIds: [] }), ErrorType.InvalidInput],
    [
      '101 IDs to RetryJobs',
      () =>
        api.retryJobs({ jobIds: Array.from({ length: 101 }, (_, i) => `job-${String(i).padStart(8, '0')}`) }),
      ErrorType.InvalidInput,
    ],
    [
      'no list at all to DescribeJobs',
      () => api.describeJobs({} as { jobIds: string[] }),
      ErrorType.InvalidInput,
    ],
    [
      'a limit over 1000 to DescribeTask',
      () => api.describeTask({ jobId: 'job-rybewp57', taskName: 'a', limit: 1001 }),
      ErrorType.InvalidInput,
    ],
    [
      'an empty task name to DescribeTask',
      () => api.describeTask({ jobId: 'job-rybewp57', taskName: '' }),
      ErrorType.InvalidInput,
    ],
    [
      'a job that is not an object to SubmitJob',
      () => api.submitJob({ placement: { zone: 'z' }, job: [] as unknown as Record<string, unknown> }),
      ErrorType.InvalidInput,
    ],
  ])('refuses %s before any request', async (_what, call, type) => {
    const before = emulator.ledger.size;
    const failure = await failureOf(call());
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('not sent');
    expect(emulator.ledger.size).toBe(before);
  });
});

describe('createBatchApi: an API that lies', () => {
  let liar: Server;
  let answer: string;

  beforeAll(async () => {
    liar = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer));
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => liar.close(resolve));
  });

  function liarApi(): BatchApi {
    const { port } = liar.address() as AddressInfo;
    return apiWith({ TENCENT_BATCH_ENDPOINT: `127.0.0.1:${port}` });
  }

  it.each([
    ['no JobSet', { Response: { TotalCount: 0, RequestId: 'req-1' } }, 'req-1'],
    [
      'an unknown JobState',
      { Response: { JobSet: [{ JobId: 'job-rybewp57', JobState: 'MELTED' }], RequestId: 'req-2' } },
      'req-2',
    ],
    ['no RequestId', { Response: { JobSet: [] } }, undefined],
    ['no Response object at all', { Something: 'else' }, undefined],
  ])('reports an answer with %s as a retryable MalformedResponse', async (_what, body, requestId) => {
    answer = JSON.stringify(body);
    const failure = await failureOf(liarApi().describeJobs({ jobIds: ['job-rybewp57'] }));
    expect(failure.type).toBe(ErrorType.MalformedResponse);
    expect(failure.nonRetryable).toBe(false);
    expect(detailsOf(failure)).toEqual({
      code: 'MALFORMED_RESPONSE',
      action: 'DescribeJobs',
      ...(requestId !== undefined ? { requestId } : {}),
    });
  });
});

describe('createBatchApi: secrets', () => {
  /** Every text a log line, a failure payload or an operator could see. */
  function everythingPrintable(failure: ApplicationFailure): string {
    const texts = [
      failure.message,
      failure.stack ?? '',
      JSON.stringify(failure),
      JSON.stringify(failure.details),
      inspect(failure, { depth: 20, showHidden: true }),
    ];
    for (let cause: unknown = failure.cause; cause instanceof Error; cause = cause.cause) {
      texts.push(
        cause.message,
        cause.stack ?? '',
        JSON.stringify(cause),
        inspect(cause, { depth: 20, showHidden: true }),
      );
    }
    return texts.join('\n');
  }

  it('keeps the secret key and session token out of every failure, whatever went wrong', async () => {
    const temporary = (overrides: Record<string, string> = {}): BatchApi =>
      apiWith({
        TENCENTCLOUD_SECRET_ID: TEMP_SECRET_ID,
        TENCENTCLOUD_SECRET_KEY: TEMP_SECRET_KEY,
        TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
        TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '1',
        ...overrides,
      });
    const jobId = failedJob();
    const failures: ApplicationFailure[] = [];
    failures.push(
      await failureOf(
        temporary({ TENCENTCLOUD_SESSION_TOKEN: `${SESSION_TOKEN}-wrong` }).describeJob({ jobId }),
      ),
    );
    failures.push(
      await failureOf(
        temporary({ TENCENTCLOUD_SECRET_KEY: `${TEMP_SECRET_KEY}-wrong` }).describeJob({ jobId }),
      ),
    );
    failures.push(await failureOf(temporary().describeJob({ jobId: 'job-nothere2' })));
    failures.push(await failureOf(temporary().retryJobs({ jobIds: ['bad'] })));
    for (const kind of [
      'http-503',
      'connection-reset',
      'non-json',
      'internal-error',
      'request-limit-exceeded',
    ] as const) {
      emulator.faults.add({ action: 'DescribeJob', kind, times: 1 });
      failures.push(await failureOf(temporary().describeJob({ jobId })));
    }
    emulator.faults.add({ action: 'DescribeJob', kind: 'latency', latencyMs: 2000, times: 1 });
    failures.push(await failureOf(temporary().describeJob({ jobId })));

    expect(failures.map((failure) => detailsOf(failure).code)).toEqual([
      expect.stringMatching(/^AuthFailure\./),
      'AuthFailure.SignatureFailure',
      'ResourceNotFound.Job',
      'LOCAL_INVALID_JOB_ID',
      'HTTP_503',
      'NETWORK',
      'NON_JSON',
      'InternalError',
      'RequestLimitExceeded',
      'TIMEOUT',
    ]);
    for (const failure of failures) {
      const text = everythingPrintable(failure);
      for (const secret of [TEMP_SECRET_KEY, SESSION_TOKEN]) expect(text).not.toContain(secret);
    }
  });
});
