import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { SlidingWindowRateLimiter } from '../../src/emulator/rate-limiter';
import { emulatorFixture, rejectionOf, sdkClient, TencentCloudSDKHttpException } from './emulator-test-kit';

describe('sliding-window rate limiter', () => {
  test('admits at most the limit in any 1000 ms and admits again once the oldest request leaves the window', () => {
    const limiter = new SlidingWindowRateLimiter({ RetryJobs: 2 });
    const decisions = [0, 1, 2, 999, 1000, 1001, 1002].map((at) => [at, limiter.tryAcquire('RetryJobs', at)]);
    expect(decisions).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [999, false],
      [1000, true],
      [1001, true],
      [1002, false],
    ]);
  });

  test('a limit of 0 or Infinity means unlimited', () => {
    const limiter = new SlidingWindowRateLimiter({ DescribeJob: 0, DescribeJobs: Infinity });
    for (let i = 0; i < 100; i++) {
      expect(limiter.tryAcquire('DescribeJob', 0)).toBe(true);
      expect(limiter.tryAcquire('DescribeJobs', 0)).toBe(true);
    }
  });

  test('a limit below 1 per second admits one request per 1/limit seconds', () => {
    const limiter = new SlidingWindowRateLimiter({ SubmitJob: 0.5 });
    expect([0, 1999, 2000].map((at) => limiter.tryAcquire('SubmitJob', at))).toEqual([true, false, true]);
  });
});

describe('rate limits of the emulated API', () => {
  const start = emulatorFixture();

  test('a request counts when it arrives, not when its body has been read', async () => {
    const emulator = await start();
    const body = JSON.stringify({ JobIds: ['job-00000000'] });
    const arrived = Date.now();
    const answered = new Promise<void>((resolve, reject) => {
      const req = request(
        `http://${emulator.endpoint}/`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-TC-Action': 'RetryJobs',
            'Content-Length': body.length,
          },
        },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.flushHeaders();
      // The body comes 400 ms after the headers, as it can from a client or network that stalls.
      void delay(400).then(() => req.end(body));
    });
    await answered;
    const [entry] = emulator.ledger.entries({ action: 'RetryJobs' });
    expect(entry?.at).toBeGreaterThanOrEqual(arrived);
    expect(entry?.at).toBeLessThan(arrived + 200);
  });

  test('a burst beyond the RetryJobs limit gets RequestLimitExceeded as an API error the SDK reports by code', async () => {
    const emulator = await start({ rateLimits: { RetryJobs: 2 } });
    const client = sdkClient(emulator);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.RetryJobs({ JobIds: ['job-00000000'] }).catch((error: unknown) => error),
      ),
    );
    const codes = results.map((r) => (r instanceof TencentCloudSDKHttpException ? r.code : 'ok'));
    expect(codes.filter((c) => c === 'RequestLimitExceeded')).toHaveLength(8);
    // The two admitted requests went on to be answered for what they asked.
    expect(codes.filter((c) => c === 'ResourceNotFound.Job')).toHaveLength(2);
    const limited = results.find(
      (r) => r instanceof TencentCloudSDKHttpException && r.code === 'RequestLimitExceeded',
    ) as TencentCloudSDKHttpException;
    expect(limited.httpCode).toBeUndefined();
    expect(limited.requestId).not.toBe('');
  });

  test('rejected requests are ledgered: all requests count in maxPerWindow, only admitted ones within the limit', async () => {
    const emulator = await start({ rateLimits: { DescribeJobs: 3 } });
    const client = sdkClient(emulator);
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) await client.DescribeJobs({}).catch(() => undefined);
    const entries = emulator.ledger.entries({ action: 'DescribeJobs' });
    expect(entries.filter((e) => e.outcome === 'RequestLimitExceeded' && !e.admitted).length).toBeGreaterThan(
      0,
    );
    expect(emulator.ledger.maxPerWindow('DescribeJobs')).toBeGreaterThan(3);
    expect(emulator.ledger.maxAdmittedPerWindow('DescribeJobs')).toBeLessThanOrEqual(3);
    expect(emulator.ledger.maxAdmittedPerWindow('DescribeJobs')).toBe(3);
  });

  test('limits are per action: exhausting DescribeJobs leaves DescribeJob available', async () => {
    const emulator = await start({ rateLimits: { DescribeJobs: 1, DescribeJob: 1 } });
    const client = sdkClient(emulator);
    const jobId = emulator.createJob();
    await client.DescribeJobs({});
    const error = await rejectionOf(client.DescribeJobs({}));
    expect((error as TencentCloudSDKHttpException).code).toBe('RequestLimitExceeded');
    await expect(client.DescribeJob({ JobId: jobId })).resolves.toEqual(
      expect.objectContaining({ JobId: jobId }),
    );
  });

  test('setRateLimit changes a limit at run time, 0 meaning unlimited', async () => {
    const emulator = await start({ rateLimits: { DescribeJobs: 1 } });
    const client = sdkClient(emulator);
    emulator.setRateLimit('DescribeJobs', 0);
    await Promise.all(Array.from({ length: 20 }, () => client.DescribeJobs({})));
    expect(emulator.ledger.entries({ outcome: 'RequestLimitExceeded' })).toHaveLength(0);
  });
});
