import { emulatorFixture, sdkClient, sdkErrorOf } from './emulator-test-kit';

async function admin(url: string, method: string, route: string, body?: unknown) {
  const response = await fetch(new URL(`_emulator/${route}`, url), {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('admin API', () => {
  const start = emulatorFixture();

  test('a job seeded over the admin API with a script is visible to the SDK and follows its script', async () => {
    const emulator = await start();
    const created = await admin(emulator.url, 'POST', 'jobs', {
      jobName: 'seeded',
      tasks: [{ taskName: 'train', instances: 2 }],
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }] },
    });
    expect(created.status).toBe(201);
    const jobId = created.body['jobId'] as string;
    await admin(emulator.url, 'POST', 'clock/advance', { seconds: 60 });
    const job = await sdkClient(emulator).DescribeJob({ JobId: jobId });
    expect(job).toEqual(expect.objectContaining({ JobName: 'seeded', JobState: 'FAILED' }));
    const snapshot = await admin(emulator.url, 'GET', `jobs/${jobId}`);
    expect(snapshot.body).toEqual(expect.objectContaining({ jobId, state: 'FAILED' }));
  });

  test('job state and script can be forced over the admin API', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    expect(
      (await admin(emulator.url, 'POST', `jobs/${jobId}/state`, { state: 'FAILED', reason: 'forced' }))
        .status,
    ).toBe(200);
    expect(emulator.getJob(jobId)).toEqual(
      expect.objectContaining({ state: 'FAILED', stateReason: 'forced' }),
    );
    await admin(emulator.url, 'POST', `jobs/${jobId}/script`, { attempts: [{ outcome: 'SUCCEED' }] });
    expect((await admin(emulator.url, 'POST', `jobs/${jobId}/state`, { state: 'LOST' })).status).toBe(400);
  });

  test('faults and rate limits set over the admin API apply to API requests', async () => {
    const emulator = await start();
    await admin(emulator.url, 'POST', 'faults', { action: 'DescribeJobs', kind: 'internal-error', times: 1 });
    expect((await admin(emulator.url, 'GET', 'faults')).body['faults']).toEqual([
      expect.objectContaining({ kind: 'internal-error', remaining: 1 }),
    ]);
    expect((await sdkErrorOf(sdkClient(emulator).DescribeJobs({}))).code).toBe('InternalError');
    await admin(emulator.url, 'POST', 'rate-limits', { action: 'DescribeJobs', rps: 0 });
    await Promise.all(Array.from({ length: 10 }, () => sdkClient(emulator).DescribeJobs({})));
    expect(emulator.ledger.entries({ outcome: 'RequestLimitExceeded' })).toEqual([]);
  });

  test('the ledger, its window maximum and a job retries can be read over the admin API', async () => {
    const emulator = await start();
    const jobId = emulator.createJob();
    emulator.setJobState(jobId, 'FAILED');
    await sdkClient(emulator).RetryJobs({ JobIds: [jobId] });
    const ledger = await admin(emulator.url, 'GET', 'ledger?action=RetryJobs');
    expect(ledger.body['entries']).toEqual([expect.objectContaining({ action: 'RetryJobs', outcome: 'ok' })]);
    const max = await admin(emulator.url, 'GET', 'ledger/max-per-window?action=RetryJobs&count=admitted');
    expect(max.body).toEqual({ max: 1 });
    const retries = await admin(emulator.url, 'GET', `jobs/${jobId}/retries`);
    expect(retries.body['retries']).toHaveLength(1);
  });

  test('bad admin input answers 400 with the reason and unknown routes 404', async () => {
    const emulator = await start();
    const bad = await admin(emulator.url, 'POST', 'jobs', { tasks: 'train' });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toContain('tasks');
    expect((await admin(emulator.url, 'GET', 'nothing-here')).status).toBe(404);
  });

  test('admin requests are not API requests: they need no signature and leave no ledger entry', async () => {
    const emulator = await start();
    expect((await admin(emulator.url, 'GET', 'health')).body).toEqual(expect.objectContaining({ ok: true }));
    expect(emulator.ledger.size).toBe(0);
  });

  test('with adminAccess off the admin API answers 403', async () => {
    const emulator = await start({ adminAccess: 'off' });
    expect((await admin(emulator.url, 'GET', 'health')).status).toBe(403);
  });
});
