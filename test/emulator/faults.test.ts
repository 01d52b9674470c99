import type { RunningEmulator } from '../../src/emulator';
import {
  NO_RATE_LIMITS,
  TencentCloudSDKHttpException,
  emulatorFixture,
  rejectionOf,
  sdkClient,
  sdkErrorOf,
  submitJobRequest,
} from './emulator-test-kit';

describe('faults as the real SDK sees them', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  function failedJob(emulator: RunningEmulator): string {
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'FAILED');
    return jobId;
  }

  test('latency delays the answer, which is otherwise normal', async () => {
    const emulator = await start({ faults: [{ action: 'DescribeJobs', kind: 'latency', latencyMs: 200 }] });
    const started = Date.now();
    await expect(sdkClient(emulator).DescribeJobs({})).resolves.toEqual(
      expect.objectContaining({ TotalCount: 0 }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(emulator.ledger.entries()[0]).toEqual(
      expect.objectContaining({ outcome: 'fault:latency', applied: true, apiOutcome: 'ok', latencyMs: 200 }),
    );
  });

  test('slow-answer applies the change on arrival and answers late', async () => {
    const emulator = await start({ faults: [{ action: 'RetryJobs', kind: 'slow-answer', latencyMs: 300 }] });
    const jobId = failedJob(emulator);
    const started = Date.now();
    const answer = sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.getJob(jobId)?.state).not.toBe('FAILED');
    await expect(answer).resolves.toEqual(expect.objectContaining({ RequestId: expect.any(String) }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const [entry] = emulator.ledger.entries();
    expect(entry).toEqual(
      expect.objectContaining({
        outcome: 'fault:slow-answer',
        applied: true,
        apiOutcome: 'ok',
        latencyMs: 300,
      }),
    );
    expect(entry?.at).toBeLessThan(started + 100);
  });

  test('latency beyond the SDK reqTimeout surfaces as a TencentCloudSDKHttpException without code or httpCode', async () => {
    const emulator = await start({ faults: [{ kind: 'latency', latencyMs: 5000 }] });
    const error = await sdkErrorOf(sdkClient(emulator, { reqTimeout: 1 }).DescribeJobs({}));
    expect(error.code).toBeUndefined();
    expect(error.httpCode).toBeUndefined();
    expect(error.requestId).toBe('');
    expect(error.message).toMatch(/timeout/i);
  });

  test('internal-error answers InternalError with a RequestId and applies nothing', async () => {
    const emulator = await start({ faults: [{ action: 'RetryJobs', kind: 'internal-error' }] });
    const jobId = failedJob(emulator);
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [jobId] }));
    expect(error.code).toBe('InternalError');
    expect(error.httpCode).toBeUndefined();
    expect(error.requestId).toBe(emulator.ledger.entries()[0]?.requestId);
    expect(emulator.getJob(jobId)?.state).toBe('FAILED');
    expect(emulator.ledger.entries()[0]).toEqual(
      expect.objectContaining({ outcome: 'fault:internal-error', applied: false }),
    );
  });

  test.each([
    ['http-502', 502, 'Bad Gateway'],
    ['http-503', 503, 'Service Temporarily Unavailable'],
    ['http-504', 504, 'Gateway Time-out'],
  ] as const)(
    '%s surfaces as a TencentCloudSDKHttpException with httpCode and no code',
    async (kind, status, text) => {
      const emulator = await start({ faults: [{ kind }] });
      const error = await sdkErrorOf(sdkClient(emulator).DescribeJobs({}));
      expect(error.httpCode).toBe(status);
      expect(error.code).toBeUndefined();
      expect(error.requestId).toBe('');
      expect(error.message).toBe(text);
      expect(emulator.ledger.entries()[0]).toEqual(
        expect.objectContaining({ outcome: `fault:${kind}`, applied: false }),
      );
    },
  );

  test('connection-reset surfaces as a TencentCloudSDKHttpException carrying the network error message', async () => {
    const emulator = await start({ faults: [{ kind: 'connection-reset' }] });
    const error = await sdkErrorOf(sdkClient(emulator).DescribeJobs({}));
    expect(error.code).toBeUndefined();
    expect(error.httpCode).toBeUndefined();
    expect(error.message).toMatch(/ECONNRESET|socket hang up/);
  });

  test('non-json surfaces as a raw FetchError of type invalid-json, not as the SDK exception', async () => {
    const emulator = await start({ faults: [{ kind: 'non-json' }] });
    const error = (await rejectionOf(sdkClient(emulator).DescribeJobs({}))) as Error & { type?: string };
    expect(error).not.toBeInstanceOf(TencentCloudSDKHttpException);
    expect(error.name).toBe('FetchError');
    expect(error.type).toBe('invalid-json');
  });

  test('request-limit-exceeded answers RequestLimitExceeded whatever the limiter says', async () => {
    const emulator = await start({ faults: [{ kind: 'request-limit-exceeded', times: 1 }] });
    const error = await sdkErrorOf(sdkClient(emulator).DescribeJobs({}));
    expect(error.code).toBe('RequestLimitExceeded');
    expect(emulator.ledger.entries()[0]).toEqual(
      expect.objectContaining({ outcome: 'fault:request-limit-exceeded', admitted: false }),
    );
  });

  test('apply-then-drop applies RetryJobs, then the client sees only a network error', async () => {
    const emulator = await start({ faults: [{ action: 'RetryJobs', kind: 'apply-then-drop' }] });
    const jobId = failedJob(emulator);
    const failureEndTime = emulator.getJob(jobId)?.endTime;
    const error = await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [jobId] }));
    expect(error.code).toBeUndefined();
    expect(error.httpCode).toBeUndefined();
    expect(emulator.getJob(jobId)).toEqual(expect.objectContaining({ state: 'PENDING', retries: 1 }));
    expect(emulator.ledger.retriesOf(jobId)).toEqual([
      expect.objectContaining({ failureEndTime, outcome: 'fault:apply-then-drop' }),
    ]);
    expect(emulator.ledger.entries()[0]).toEqual(
      expect.objectContaining({
        outcome: 'fault:apply-then-drop',
        applied: true,
        apiOutcome: 'ok',
        admitted: true,
      }),
    );
  });

  test('apply-then-drop of SubmitJob creates the job, and a resubmission with the same ClientToken finds it', async () => {
    const emulator = await start({ faults: [{ action: 'SubmitJob', kind: 'apply-then-drop', times: 1 }] });
    const client = sdkClient(emulator);
    await sdkErrorOf(client.SubmitJob(submitJobRequest({ clientToken: 'once' })));
    const created = emulator.ledger.entries()[0]?.appliedEffects?.submittedJobId;
    expect(created).toMatch(/^job-/);
    expect((await client.SubmitJob(submitJobRequest({ clientToken: 'once' }))).JobId).toBe(created);
  });

  test('apply-then-drop of a request the API refuses is ledgered as not applied with the refusal', async () => {
    const emulator = await start({ faults: [{ action: 'RetryJobs', kind: 'apply-then-drop' }] });
    const running = emulator.createJob({ script: { runSeconds: 3600 } });
    await sdkErrorOf(sdkClient(emulator).RetryJobs({ JobIds: [running] }));
    expect(emulator.ledger.entries()[0]).toEqual(
      expect.objectContaining({ applied: false, apiOutcome: 'UnsupportedOperation' }),
    );
  });

  test('a rule with times affects only that many requests of its action', async () => {
    const emulator = await start({ faults: [{ action: 'DescribeJobs', kind: 'internal-error', times: 2 }] });
    const client = sdkClient(emulator);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await client.DescribeJobs({}).then(
          () => 'ok',
          (e: TencentCloudSDKHttpException) => e.code ?? '?',
        ),
      );
    }
    const jobId = emulator.createJob();
    await client.DescribeJob({ JobId: jobId });
    expect(outcomes).toEqual(['InternalError', 'InternalError', 'ok']);
    expect(emulator.faults.list()).toEqual([]);
  });

  test('probabilistic faults follow the seed: the same seed gives the same faulted requests', async () => {
    const pattern = async (seed: number): Promise<string[]> => {
      const emulator = await start({ seed, faults: [{ kind: 'internal-error', probability: 0.5 }] });
      const client = sdkClient(emulator);
      for (let i = 0; i < 20; i++) await client.DescribeJobs({}).catch(() => undefined);
      return emulator.ledger.entries().map((e) => e.outcome);
    };
    const first = await pattern(7);
    expect(await pattern(7)).toEqual(first);
    expect(first).toContain('ok');
    expect(first).toContain('fault:internal-error');
  });

  test('faults.clear removes every rule', async () => {
    const emulator = await start({ faults: [{ kind: 'http-503' }] });
    emulator.faults.clear();
    await expect(sdkClient(emulator).DescribeJobs({})).resolves.toBeDefined();
  });
});
