/**
 * Keys that change while the emulator runs, seen through the real Node SDK: revoked keys, re-issued keys and
 * temporary credentials that expire, from the programmatic controls and from the admin API.
 */
import type { RunningEmulator } from '../../src/emulator';
import { BatchClient, NO_RATE_LIMITS, emulatorFixture, sdkClient, sdkErrorOf } from './emulator-test-kit';

/** The SDK's Batch client with temporary credentials (SecretId, SecretKey and token). */
function temporaryClient(
  emulator: RunningEmulator,
  credentials: { secretId: string; secretKey: string; token?: string },
): BatchClient {
  return new BatchClient({
    credential: credentials,
    region: 'ap-guangzhou',
    profile: { httpProfile: { endpoint: emulator.endpoint, protocol: 'http://' } },
  });
}

/** An admin API answer: its status and JSON fields (issued keys, listings, errors). */
interface AdminAnswer {
  status: number;
  secretId: string;
  secretKey: string;
  token?: string;
  keys?: unknown[];
}

async function admin(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminAnswer> {
  const response = await fetch(`${emulator.url}_emulator/${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  return { status: response.status, ...((await response.json()) as Omit<AdminAnswer, 'status'>) };
}

describe('keys that change while the emulator runs', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('a revoked key gets AuthFailure.SecretIdNotFound; a newly issued one works at once', async () => {
    const emulator = await start();
    await expect(sdkClient(emulator).DescribeJobs({})).resolves.toMatchObject({ TotalCount: 0 });

    expect(emulator.credentials.revoke('AKIDEMULATOR000000000000000000000000')).toBe(true);
    const refused = await sdkErrorOf(sdkClient(emulator).DescribeJobs({}));
    expect(refused.code).toBe('AuthFailure.SecretIdNotFound');

    const fresh = emulator.credentials.issueKey();
    expect(fresh.secretId).toMatch(/^AKID[\w]{32}$/);
    await expect(sdkClient(emulator, fresh).DescribeJobs({})).resolves.toMatchObject({ TotalCount: 0 });
    expect(emulator.credentials.list()).toEqual([
      { secretId: 'AKIDEMULATOR000000000000000000000000', temporary: false, status: 'revoked' },
      { secretId: fresh.secretId, temporary: false, status: 'active' },
    ]);
  });

  test('temporary credentials work with their token until they expire, then get AuthFailure.TokenFailure', async () => {
    const emulator = await start();
    const temporary = emulator.credentials.issueTemporary(2);
    expect(temporary.expiredTime).toBeGreaterThan(Date.now() / 1000);
    await expect(temporaryClient(emulator, temporary).DescribeJobs({})).resolves.toMatchObject({
      TotalCount: 0,
    });
    const { token: _token, ...withoutToken } = temporary;
    expect((await sdkErrorOf(temporaryClient(emulator, withoutToken).DescribeJobs({}))).code).toBe(
      'AuthFailure.TokenFailure',
    );

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await sdkErrorOf(temporaryClient(emulator, temporary).DescribeJobs({}));
    expect(expired.code).toBe('AuthFailure.TokenFailure');
    expect(expired.message).toContain('expired');
    expect(emulator.credentials.list()[1]).toMatchObject({ temporary: true, status: 'expired' });
  });

  test('the admin API issues, lists and revokes keys, never listing a secret', async () => {
    const emulator = await start();
    const issued = await admin(emulator, 'POST', 'credentials', {});
    expect(issued).toMatchObject({ status: 201, secretId: expect.stringMatching(/^AKID/) });
    await expect(sdkClient(emulator, issued).DescribeJobs({})).resolves.toMatchObject({ TotalCount: 0 });

    const temporary = await admin(emulator, 'POST', 'credentials', { temporary: true, ttlSeconds: 60 });
    expect(temporary).toMatchObject({
      status: 201,
      token: expect.any(String),
      expiredTime: expect.any(Number),
    });
    await expect(temporaryClient(emulator, temporary).DescribeJobs({})).resolves.toBeDefined();

    const listed = await admin(emulator, 'GET', 'credentials');
    expect(listed.keys).toHaveLength(3);
    expect(JSON.stringify(listed)).not.toContain(issued.secretKey);

    expect(await admin(emulator, 'DELETE', `credentials/${issued.secretId}`)).toEqual({
      status: 200,
      revoked: true,
    });
    expect((await sdkErrorOf(sdkClient(emulator, issued).DescribeJobs({}))).code).toBe(
      'AuthFailure.SecretIdNotFound',
    );
    expect(await admin(emulator, 'POST', 'credentials', { ttlSeconds: 5 })).toMatchObject({ status: 400 });
  });
});
