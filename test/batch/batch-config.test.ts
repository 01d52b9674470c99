import { inspect } from 'node:util';
import {
  BATCH_CONFIG_DEFAULTS,
  BatchConfigError,
  parseBatchConfig,
  type BatchConfig,
  type BatchConfigVariable,
} from '../../src/batch/batch-config';
import { fixedCredentialsOf } from '../../src/batch/credential-source';
import { Credentials, redactSecrets } from '../../src/batch/credentials';

const SECRET_ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const SESSION_TOKEN = 'tmp-session-token-0123456789abcdef';

const validEnv = { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY };

function configError(env: Record<string, string | undefined>): BatchConfigError {
  try {
    parseBatchConfig(env);
  } catch (err) {
    if (err instanceof BatchConfigError) return err;
    throw err;
  }
  throw new Error('expected parseBatchConfig to throw');
}

/** The keys of the default `env` source. */
function keysOf(config: BatchConfig): Credentials {
  const credentials = fixedCredentialsOf(config.credentials);
  if (!credentials) throw new Error(`expected the env source, got ${config.credentials.kind}`);
  return credentials;
}

function variables(err: BatchConfigError): BatchConfigVariable[] {
  return err.issues.map((issue) => issue.variable);
}

describe('parseBatchConfig', () => {
  it('applies the documented defaults when only the credentials are set', () => {
    const config = parseBatchConfig(validEnv);
    expect(config.region).toBe('ap-guangzhou');
    expect(config.endpoint).toBe('batch.tencentcloudapi.com');
    expect(config.protocol).toBe('https://');
    expect(config.requestTimeoutSeconds).toBe(10);
    expect(keysOf(config).secretId).toBe(SECRET_ID);
    expect(keysOf(config).secretKey).toBe(SECRET_KEY);
    expect(keysOf(config).sessionToken).toBeUndefined();
    expect(keysOf(config).isTemporary).toBe(false);
    expect(BATCH_CONFIG_DEFAULTS.requestTimeoutSeconds).toBe(10);
  });

  it('reads every variable for a local emulator with temporary credentials', () => {
    const config = parseBatchConfig({
      ...validEnv,
      TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
      TENCENTCLOUD_REGION: 'na-siliconvalley',
      TENCENT_BATCH_ENDPOINT: '127.0.0.1:9090',
      TENCENT_BATCH_PROTOCOL: 'http://',
      TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '1',
    });
    expect(config).toMatchObject({
      region: 'na-siliconvalley',
      endpoint: '127.0.0.1:9090',
      protocol: 'http://',
      requestTimeoutSeconds: 1,
    });
    expect(keysOf(config).sessionToken).toBe(SESSION_TOKEN);
    expect(keysOf(config).isTemporary).toBe(true);
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(parseBatchConfig(validEnv))).toBe(true);
  });

  it('treats optional variables set to the empty string as unset', () => {
    const config = parseBatchConfig({
      ...validEnv,
      TENCENTCLOUD_SESSION_TOKEN: '',
      TENCENTCLOUD_REGION: '',
      TENCENT_BATCH_ENDPOINT: '',
      TENCENT_BATCH_PROTOCOL: '',
      TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '',
    });
    expect(keysOf(config).isTemporary).toBe(false);
    expect(config.region).toBe('ap-guangzhou');
    expect(config.endpoint).toBe('batch.tencentcloudapi.com');
  });

  it('accepts the protocol without "://" and in any case', () => {
    expect(parseBatchConfig({ ...validEnv, TENCENT_BATCH_PROTOCOL: 'HTTP' }).protocol).toBe('http://');
    expect(parseBatchConfig({ ...validEnv, TENCENT_BATCH_PROTOCOL: 'https' }).protocol).toBe('https://');
  });

  it('accepts fractional timeouts, IPv6 and named hosts with ports', () => {
    expect(
      parseBatchConfig({ ...validEnv, TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '2.5' }).requestTimeoutSeconds,
    ).toBe(2.5);
    expect(parseBatchConfig({ ...validEnv, TENCENT_BATCH_ENDPOINT: '[::1]:9090' }).endpoint).toBe(
      '[::1]:9090',
    );
    expect(parseBatchConfig({ ...validEnv, TENCENT_BATCH_ENDPOINT: 'emulator:9090' }).endpoint).toBe(
      'emulator:9090',
    );
  });

  it('reports every bad variable at once, in variable order', () => {
    const err = configError({
      TENCENTCLOUD_SECRET_KEY: '',
      TENCENTCLOUD_SESSION_TOKEN: ' token with spaces ',
      TENCENTCLOUD_REGION: 'Guangzhou',
      TENCENT_BATCH_ENDPOINT: 'https://batch.tencentcloudapi.com',
      TENCENT_BATCH_PROTOCOL: 'ftp://',
      TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: '0',
    });
    expect(variables(err)).toEqual([
      'TENCENTCLOUD_SECRET_ID',
      'TENCENTCLOUD_SECRET_KEY',
      'TENCENTCLOUD_SESSION_TOKEN',
      'TENCENTCLOUD_REGION',
      'TENCENT_BATCH_ENDPOINT',
      'TENCENT_BATCH_PROTOCOL',
      'TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS',
    ]);
    expect(err.message).toContain('(7 problems)');
    expect(err.message).toContain('TENCENTCLOUD_SECRET_ID is not set');
    expect(err.message).toContain('TENCENTCLOUD_SECRET_KEY is empty');
    expect(err.message).toContain('TENCENTCLOUD_SESSION_TOKEN has leading or trailing whitespace');
    expect(err.message).toContain('set the scheme in TENCENT_BATCH_PROTOCOL');
    expect(err.name).toBe('BatchConfigError');
  });

  it.each([
    ['TENCENTCLOUD_SECRET_KEY has leading or trailing whitespace', `${SECRET_KEY}\n`],
    ['TENCENTCLOUD_SECRET_KEY is blank (only whitespace)', '   '],
    ['TENCENTCLOUD_SECRET_KEY contains whitespace or control characters', 'abc def\u0007ghijkl'],
  ])('reports "%s" without echoing the value', (message, value) => {
    const err = configError({ ...validEnv, TENCENTCLOUD_SECRET_KEY: value });
    expect(err.issues).toEqual([{ variable: 'TENCENTCLOUD_SECRET_KEY', message }]);
    if (value.trim() !== '') expect(err.message).not.toContain(value.trim());
  });

  it.each([
    ['127.0.0.1:0', 'port must be 1-65535'],
    ['127.0.0.1:70000', 'not a valid host'],
    ['batch.tencentcloudapi.com/v3', 'no path'],
    ['user:pass@batch.tencentcloudapi.com', 'no path, query, userinfo'],
  ])('refuses the endpoint %s', (endpoint, problem) => {
    const err = configError({ ...validEnv, TENCENT_BATCH_ENDPOINT: endpoint });
    expect(variables(err)).toEqual(['TENCENT_BATCH_ENDPOINT']);
    expect(err.message).toContain(problem);
  });

  it('does not echo an endpoint that may carry userinfo', () => {
    const err = configError({ ...validEnv, TENCENT_BATCH_ENDPOINT: 'user:hunter2secret@host' });
    expect(err.message).not.toContain('hunter2secret');
  });

  it.each(['-1', 'abc', '10s', '121', 'Infinity'])('refuses the request timeout %s', (timeout) => {
    const err = configError({ ...validEnv, TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS: timeout });
    expect(variables(err)).toEqual(['TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS']);
  });

  it('refuses to send a session token over http:// to a non-loopback endpoint', () => {
    const err = configError({
      ...validEnv,
      TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
      TENCENT_BATCH_ENDPOINT: 'batch.example.internal:9090',
      TENCENT_BATCH_PROTOCOL: 'http://',
    });
    expect(variables(err)).toEqual(['TENCENT_BATCH_PROTOCOL']);
    expect(err.message).toContain('clear text');
  });

  it('never puts secret values in any message', () => {
    const badEverything = {
      TENCENTCLOUD_SECRET_ID: ` ${SECRET_ID}`,
      TENCENTCLOUD_SECRET_KEY: `${SECRET_KEY} `,
      TENCENTCLOUD_SESSION_TOKEN: `${SESSION_TOKEN}\t`,
      TENCENTCLOUD_REGION: 'nowhere',
    };
    const err = configError(badEverything);
    const everything = [err.message, err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 10 })].join(
      '\n',
    );
    for (const secret of [SECRET_KEY, SESSION_TOKEN]) expect(everything).not.toContain(secret);
  });
});

describe('Credentials', () => {
  const config = parseBatchConfig({ ...validEnv, TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN });

  it('redacts the key and token in JSON.stringify of the whole config', () => {
    const json = JSON.stringify(config);
    expect(json).not.toContain(SECRET_KEY);
    expect(json).not.toContain(SESSION_TOKEN);
    expect(JSON.parse(json)).toEqual({
      credentials: {
        kind: 'env',
        secretId: 'AKID…MPLE',
        secretKey: '[REDACTED]',
        sessionToken: '[REDACTED]',
      },
      region: 'ap-guangzhou',
      endpoint: 'batch.tencentcloudapi.com',
      protocol: 'https://',
      requestTimeoutSeconds: 10,
    });
  });

  it('redacts the key and token in util.inspect, String() and template literals', () => {
    const texts = [
      inspect(config, { depth: 10, showHidden: true }),
      inspect(config.credentials, { depth: 10, showHidden: true }),
      inspect(keysOf(config), { depth: 10, showHidden: true }),
      String(keysOf(config)),
      `${keysOf(config).toString()}`,
    ];
    for (const text of texts) {
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain(SESSION_TOKEN);
      expect(text).toContain('[REDACTED]');
    }
  });

  it('exposes no own properties to spreading or Object.keys', () => {
    expect(Object.keys(keysOf(config))).toEqual([]);
    expect(JSON.stringify({ ...keysOf(config) })).toBe('{}');
    expect(JSON.stringify({ ...config.credentials })).toBe('{"kind":"env"}');
  });

  it('omits the session token from the logged form of long-lived credentials', () => {
    const credentials = new Credentials(SECRET_ID, SECRET_KEY);
    expect(credentials.toJSON()).toEqual({ secretId: 'AKID…MPLE', secretKey: '[REDACTED]' });
  });

  it('redacts short SecretIds whole rather than masking them', () => {
    expect(new Credentials('short-id', SECRET_KEY).toJSON().secretId).toBe('[REDACTED]');
  });

  it('registers the secrets it holds for redaction in any text', () => {
    expect(redactSecrets(`key=${SECRET_KEY}; token=${SESSION_TOKEN}`)).toBe(
      'key=[REDACTED]; token=[REDACTED]',
    );
  });
});
