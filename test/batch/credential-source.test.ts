import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { BatchConfigError, parseBatchConfig } from '../../src/batch/batch-config';
import { CredentialsUnavailableError, sdkCredentialSource } from '../../src/batch/credential-source';
import { redactSecrets } from '../../src/batch/credentials';

const SECRET_ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const ROLE_ARN = 'qcs::cam::uin/100000000001:roleName/batch-recovery';

function problems(env: Record<string, string>): string[] {
  try {
    parseBatchConfig(env);
  } catch (err) {
    if (err instanceof BatchConfigError) return err.issues.map((i) => i.message);
    throw err;
  }
  throw new Error('expected parseBatchConfig to throw');
}

describe('TENCENTCLOUD_CREDENTIALS', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'tbr-home-'));
    // The SDK's ProfileCredential looks in os.homedir() ($HOME, which jest's sandbox cannot change).
    jest.spyOn(os, 'homedir').mockReturnValue(home);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(home, { recursive: true, force: true });
  });

  async function writeProfile(secretId: string, secretKey: string, token?: string): Promise<void> {
    await mkdir(path.join(home, '.tencentcloud'), { recursive: true });
    const lines = ['[default]', `secret_id = ${secretId}`, `secret_key = ${secretKey}`];
    if (token) lines.push(`token = ${token}`);
    await writeFile(path.join(home, '.tencentcloud', 'credentials'), `${lines.join('\n')}\n`);
  }

  it('defaults to the keys in the environment, validated once', async () => {
    const config = parseBatchConfig({
      TENCENTCLOUD_SECRET_ID: SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
    });
    expect(config.credentials.kind).toBe('env');
    expect((await config.credentials.current()).secretId).toBe(SECRET_ID);
  });

  it('reads the profile file on every call, so a key rotated into it is used without a restart', async () => {
    await writeProfile('AKIDfirst0000000000000000000000000000', 'first-profile-secret-key-0123456789');
    const config = parseBatchConfig({ TENCENTCLOUD_CREDENTIALS: 'profile' });
    expect(config.credentials.kind).toBe('profile');
    expect((await config.credentials.current()).secretId).toBe('AKIDfirst0000000000000000000000000000');

    await writeProfile(
      'AKIDsecond000000000000000000000000000',
      'second-profile-secret-key-0123456789',
      'tok-0123456789',
    );
    const rotated = await config.credentials.current();
    expect(rotated.secretId).toBe('AKIDsecond000000000000000000000000000');
    expect(rotated.sessionToken).toBe('tok-0123456789');
    // Every secret that passed through is scrubbed from any text leaving the Batch layer.
    expect(redactSecrets('second-profile-secret-key-0123456789 tok-0123456789')).toBe(
      '[REDACTED] [REDACTED]',
    );
  });

  it('fails a call with CredentialsUnavailableError when the profile file loses its keys', async () => {
    await writeProfile('AKIDfirst0000000000000000000000000000', 'first-profile-secret-key-0123456789');
    const config = parseBatchConfig({ TENCENTCLOUD_CREDENTIALS: 'profile' });
    await writeFile(path.join(home, '.tencentcloud', 'credentials'), '[default]\n');
    await expect(config.credentials.current()).rejects.toThrow(CredentialsUnavailableError);
    await expect(config.credentials.current()).rejects.toThrow(/profile file.*gave no SecretId\/SecretKey/);
  });

  it('refuses a profile source without a profile file at start', () => {
    expect(problems({ TENCENTCLOUD_CREDENTIALS: 'profile' }).join('\n')).toMatch(
      /TENCENTCLOUD_CREDENTIALS=profile but no profile file exists/,
    );
  });

  it.each(['cvm-role', 'default-chain'])(
    'builds the SDK provider for %s without any call at start',
    (kind) => {
      const config = parseBatchConfig({ TENCENTCLOUD_CREDENTIALS: kind });
      expect(config.credentials.kind).toBe(kind);
      expect(JSON.stringify(config.credentials)).toContain(`"kind":"${kind}"`);
    },
  );

  it('takes the STS role from TENCENTCLOUD_ROLE_ARN and the keys that assume it from the environment', () => {
    const config = parseBatchConfig({
      TENCENTCLOUD_CREDENTIALS: 'sts',
      TENCENTCLOUD_SECRET_ID: SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_ROLE_ARN: ROLE_ARN,
    });
    expect(config.credentials.kind).toBe('sts');
    expect(config.credentials.description).toContain(ROLE_ARN);
    const shown = [JSON.stringify(config), inspect(config, { depth: 10, showHidden: true })].join('\n');
    expect(shown).not.toContain(SECRET_KEY);
  });

  it('reports every problem of every source at once', () => {
    expect(problems({ TENCENTCLOUD_CREDENTIALS: 'vault' })).toEqual([
      'TENCENTCLOUD_CREDENTIALS="vault" must be one of env, profile, cvm-role, oidc, sts, default-chain',
    ]);
    expect(problems({ TENCENTCLOUD_CREDENTIALS: 'sts', TENCENTCLOUD_ROLE_ARN: 'admin' })).toEqual([
      'TENCENTCLOUD_SECRET_ID is not set',
      'TENCENTCLOUD_SECRET_KEY is not set',
      'TENCENTCLOUD_ROLE_ARN="admin" is not a role ARN (qcs::cam::uin/<uin>:roleName/<name>)',
    ]);
    expect(problems({ TENCENTCLOUD_CREDENTIALS: 'oidc', TKE_REGION: 'ap-guangzhou' })).toEqual([
      expect.stringContaining('TKE_PROVIDER_ID is not set'),
      expect.stringContaining('TKE_WEB_IDENTITY_TOKEN_FILE is not set'),
      expect.stringContaining('TKE_ROLE_ARN is not set'),
    ]);
    expect(
      problems({ TENCENTCLOUD_CREDENTIALS: 'cvm-role', TENCENTCLOUD_SECRET_KEY: SECRET_KEY }).join('\n'),
    ).toBe(
      'TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_CREDENTIALS=cvm-role does not use it: unset it, or use TENCENTCLOUD_CREDENTIALS=env',
    );
  });

  it('refuses role credentials over http:// to a non-loopback endpoint (their token would travel in clear)', () => {
    expect(
      problems({
        TENCENTCLOUD_CREDENTIALS: 'cvm-role',
        TENCENT_BATCH_ENDPOINT: 'batch.example.internal:9090',
        TENCENT_BATCH_PROTOCOL: 'http://',
      }).join('\n'),
    ).toContain('clear text');
  });

  it('scrubs secrets from a provider failure and registers a half-filled answer', async () => {
    const leaky = sdkCredentialSource('cvm-role', 'a test provider', {
      getCredential: () => Promise.resolve({ secretId: '', secretKey: 'half-filled-secret-key-0123456789' }),
    });
    await expect(leaky.current()).rejects.toThrow(CredentialsUnavailableError);
    expect(redactSecrets('half-filled-secret-key-0123456789')).toBe('[REDACTED]');
    const failing = sdkCredentialSource('cvm-role', 'a test provider', {
      getCredential: () =>
        Promise.reject(new Error('metadata service said half-filled-secret-key-0123456789')),
    });
    await expect(failing.current()).rejects.toThrow(
      'No Tencent Cloud credentials from a test provider: metadata service said [REDACTED]',
    );
  });
});
