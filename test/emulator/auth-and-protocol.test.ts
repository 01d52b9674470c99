import { NO_RATE_LIMITS, emulatorFixture, sdkClient, sdkErrorOf, sendSigned } from './emulator-test-kit';

describe('authentication', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('a request signed with the wrong SecretKey fails with AuthFailure.SignatureFailure', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator, { secretKey: 'wrong' }).DescribeJobs({}));
    expect(error.code).toBe('AuthFailure.SignatureFailure');
    expect(error.httpCode).toBeUndefined();
  });

  test('a request from an unknown SecretId fails with AuthFailure.SecretIdNotFound', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator, { secretId: 'AKIDunknown' }).DescribeJobs({}));
    expect(error.code).toBe('AuthFailure.SecretIdNotFound');
  });

  test('a request signed more than 5 minutes in the past fails with AuthFailure.SignatureExpire', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      timestampSeconds: Math.floor(Date.now() / 1000) - 301,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
  });

  test('the SDK on a machine whose clock runs 10 minutes fast gets AuthFailure.SignatureExpire', async () => {
    const emulator = await start();
    // Only Date is faked: the emulator's own clock is performance-based and keeps real time.
    jest.useFakeTimers({
      now: Date.now() + 10 * 60 * 1000,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const error = await sdkErrorOf(sdkClient(emulator).DescribeJobs({}));
      expect(error.code).toBe('AuthFailure.SignatureExpire');
    } finally {
      jest.useRealTimers();
    }
  });

  test('a request within the clock-skew tolerance is accepted', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      timestampSeconds: Math.floor(Date.now() / 1000) - 290,
    });
    expect(answer.json.Response.Error).toBeUndefined();
  });

  test('a request without Authorization fails with AuthFailure.InvalidAuthorization', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, { action: 'DescribeJobs', authorization: null });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.InvalidAuthorization');
  });

  test('a garbled Authorization fails with AuthFailure.InvalidAuthorization', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      authorization: 'TC3-HMAC-SHA256 nonsense',
    });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.InvalidAuthorization');
  });

  test('a body changed after signing fails with AuthFailure.SignatureFailure', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      signedBody: '{"Limit":1}',
      body: '{"Limit":2}',
    });
    expect(answer.json.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
  });

  test('a request signed the Go/Python way (service batch, host with port) is accepted', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      service: 'batch',
      signedHost: emulator.endpoint,
    });
    expect(answer.json.Response.Error).toBeUndefined();
    expect(answer.json.Response['TotalCount']).toBe(0);
  });

  test('the Node SDK pointed at localhost:PORT (service "localhost:PORT" in its scope) is accepted', async () => {
    const emulator = await start();
    const port = emulator.endpoint.split(':')[1] ?? '';
    const answer = await sdkClient({ endpoint: `localhost:${port}` }).DescribeJobs({});
    expect(answer.TotalCount).toBe(0);
  });

  test('a request that also signs X-TC-Action, lowercased as in the official document, is accepted', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      extraSignedHeaders: { 'X-TC-Action': 'DescribeJobs' },
    });
    expect(answer.json.Response.Error).toBeUndefined();
  });

  test('the body is hashed exactly as received, whitespace and key order included', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, {
      action: 'DescribeJobs',
      body: '{ "Limit" : 5 ,\n "Offset": 0 }',
    });
    expect(answer.json.Response.Error).toBeUndefined();
  });

  test('a configured session token must be sent as X-TC-Token', async () => {
    const credentials = [{ secretId: 'AKIDtemporary', secretKey: 'temporary-key', token: 'session-token' }];
    const emulator = await start({ credentials });
    const without = await sendSigned(emulator, {
      action: 'DescribeJobs',
      secretId: 'AKIDtemporary',
      secretKey: 'temporary-key',
    });
    expect(without.json.Response.Error?.Code).toBe('AuthFailure.TokenFailure');
    const withToken = await sendSigned(emulator, {
      action: 'DescribeJobs',
      secretId: 'AKIDtemporary',
      secretKey: 'temporary-key',
      extraSignedHeaders: { 'x-tc-token': 'session-token' },
    });
    expect(withToken.json.Response.Error).toBeUndefined();
  });

  test('requests refused by authentication do not count against the rate limit', async () => {
    const emulator = await start({ rateLimits: { DescribeJobs: 1 } });
    await sdkErrorOf(sdkClient(emulator, { secretKey: 'wrong' }).DescribeJobs({}));
    await sdkClient(emulator).DescribeJobs({});
    expect(emulator.ledger.entries().map((e) => [e.outcome, e.admitted])).toEqual([
      ['AuthFailure.SignatureFailure', false],
      ['ok', true],
    ]);
  });
});

describe('protocol and parameter errors', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('an unknown action fails with InvalidAction', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(sdkClient(emulator).request('DescribeComputeEnvs', {}));
    expect(error.code).toBe('InvalidAction');
  });

  test('another API version fails with NoSuchVersion', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, { action: 'DescribeJobs', version: '2020-01-01' });
    expect(answer.json.Response.Error?.Code).toBe('NoSuchVersion');
  });

  test('a request without X-TC-Action fails with MissingParameter', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, { action: '' });
    expect(answer.json.Response.Error).toEqual({
      Code: 'MissingParameter',
      Message: expect.stringContaining('Action'),
    });
  });

  test('a parameter the action does not define fails with UnknownParameter', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeJob({ JobId: 'job-aaaaaaaa', Verbose: true } as unknown as {
        JobId: string;
      }),
    );
    expect(error.code).toBe('UnknownParameter');
    expect(error.message).toContain('Verbose');
  });

  test('a missing required parameter fails with MissingParameter naming it', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeTask({ JobId: 'job-aaaaaaaa' } as { JobId: string; TaskName: string }),
    );
    expect(error.code).toBe('MissingParameter');
    expect(error.message).toContain('TaskName');
  });

  test('a parameter of the wrong type fails with InvalidParameter', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).DescribeJob({ JobId: 42 } as unknown as { JobId: string }),
    );
    expect(error.code).toBe('InvalidParameter');
  });

  test('a nested parameter out of range fails with its official code, naming its path', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).SubmitJob({
        Placement: { Zone: 'ap-guangzhou-3' },
        Job: { Tasks: [{ TaskName: 't', TaskInstanceNum: 0, Application: { DeliveryForm: 'LOCAL' } }] },
      }),
    );
    expect(error.code).toBe('InvalidParameterValue.TaskInstanceNum');
    expect(error.message).toContain('Job.Tasks.0.TaskInstanceNum');
  });

  test('a SubmitJob whose dependences form a cycle fails with InvalidParameterValue.DependenceUnfeasible', async () => {
    const emulator = await start();
    const error = await sdkErrorOf(
      sdkClient(emulator).SubmitJob({
        Placement: { Zone: 'ap-guangzhou-3' },
        Job: {
          Tasks: ['a', 'b'].map((name) => ({ TaskName: name, Application: { DeliveryForm: 'LOCAL' } })),
          Dependences: [
            { StartTask: 'a', EndTask: 'b' },
            { StartTask: 'b', EndTask: 'a' },
          ],
        },
      }),
    );
    expect(error.code).toBe('InvalidParameterValue.DependenceUnfeasible');
    expect(error.message).toContain('cycle');
  });

  test('a body that is not JSON fails with InvalidParameter', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, { action: 'DescribeJobs', body: 'JobIds=job-aaaaaaaa' });
    expect(answer.json.Response.Error?.Code).toBe('InvalidParameter');
  });

  test('a method other than GET and POST fails with UnsupportedProtocol as an API error over HTTP 200', async () => {
    const emulator = await start();
    const answer = await sendSigned(emulator, { action: 'DescribeJobs', method: 'PUT', body: '' });
    expect(answer.status).toBe(200);
    expect(answer.json.Response.Error?.Code).toBe('UnsupportedProtocol');
  });

  test('every answer carries a distinct RequestId, errors included', async () => {
    const emulator = await start();
    const answers = await Promise.all([1, 2, 3].map(() => sendSigned(emulator, { action: 'Nope' })));
    const ids = answers.map((a) => a.json.Response.RequestId);
    expect(new Set(ids).size).toBe(3);
    expect(
      emulator.ledger
        .entries()
        .map((e) => e.requestId)
        .sort(),
    ).toEqual([...ids].sort());
  });
});
