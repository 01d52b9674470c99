/**
 * Shared pieces of the emulator tests: the real Node SDK client pointed at an emulator, a hand-signed raw
 * HTTP client (to sign the Go/Python way, skew clocks, break signatures), and polling with a deadline.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'tencentcloud-sdk-nodejs/tencentcloud/services/batch/v20170312/batch_client';
import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import {
  BATCH_ACTIONS,
  DEFAULT_EMULATOR_CREDENTIALS,
  type EmulatorOptions,
  type RunningEmulator,
  signTc3Request,
  startEmulator,
} from '../../src/emulator';

export { Client as BatchClient, TencentCloudSDKHttpException };

/** Rate limits that never bite, for tests about something else. */
export const NO_RATE_LIMITS = Object.fromEntries(BATCH_ACTIONS.map((action) => [action, 0]));

/**
 * Starts emulators for a test file (options merged over `defaults`) and closes them after each test.
 */
export function emulatorFixture(
  defaults: EmulatorOptions = {},
): (options?: EmulatorOptions) => Promise<RunningEmulator> {
  const running: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });
  return async (options) => {
    const emulator = await startEmulator({ ...defaults, ...options });
    running.push(emulator);
    return emulator;
  };
}

/** The request modes the Node SDK's client profile can select: its `signMethod` and `reqMethod`. */
export const SDK_REQUEST_MODES = (['TC3-HMAC-SHA256', 'HmacSHA1', 'HmacSHA256'] as const).flatMap(
  (signMethod) => (['POST', 'GET'] as const).map((reqMethod) => ({ signMethod, reqMethod })),
);
export type SdkRequestMode = (typeof SDK_REQUEST_MODES)[number];

/** The real SDK's Batch client, configured for the emulator as users configure it. */
export function sdkClient(
  emulator: Pick<RunningEmulator, 'endpoint'>,
  overrides: {
    secretId?: string;
    secretKey?: string;
    token?: string;
    reqTimeout?: number;
    /** null: the client names no region. */
    region?: string | null;
    mode?: SdkRequestMode;
  } = {},
): Client {
  return new Client({
    credential: {
      secretId: overrides.secretId ?? DEFAULT_EMULATOR_CREDENTIALS.secretId,
      secretKey: overrides.secretKey ?? DEFAULT_EMULATOR_CREDENTIALS.secretKey,
      ...(overrides.token !== undefined ? { token: overrides.token } : {}),
    },
    ...(overrides.region === null ? {} : { region: overrides.region ?? 'ap-guangzhou' }),
    profile: {
      ...(overrides.mode ? { signMethod: overrides.mode.signMethod } : {}),
      httpProfile: {
        endpoint: emulator.endpoint,
        protocol: 'http://',
        ...(overrides.mode ? { reqMethod: overrides.mode.reqMethod } : {}),
        ...(overrides.reqTimeout !== undefined ? { reqTimeout: overrides.reqTimeout } : {}),
      },
    },
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The SDK exception a call rejects with. */
export async function sdkErrorOf(promise: Promise<unknown>): Promise<TencentCloudSDKHttpException> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(TencentCloudSDKHttpException);
  return error as TencentCloudSDKHttpException;
}

/** Polls `read` until `done` holds for its value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 5000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** How to sign and send one raw request. */
export interface RawRequest {
  action: string;
  body?: string;
  /** @default '2017-03-12' */
  version?: string;
  /** Credential-scope service. @default 'batch' (the Go/Python way) */
  service?: string;
  /** Host value that is signed. @default the Host header sent (host:port, the Go/Python way) */
  signedHost?: string;
  /** @default now */
  timestampSeconds?: number;
  secretId?: string;
  secretKey?: string;
  /** Extra headers to send and sign (e.g. x-tc-action). */
  extraSignedHeaders?: Record<string, string>;
  /** Replace the Authorization header (undefined: sign properly; null: send none). */
  authorization?: string | null;
  /** Sign this body but send `body`. */
  signedBody?: string;
  method?: string;
}

/** What came back over HTTP. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: {
    Response: Record<string, unknown> & { Error?: { Code: string; Message: string }; RequestId: string };
  };
}

/** Signs `req` with this repository's own signer and sends it with node:http. */
export function sendSigned(
  emulator: Pick<RunningEmulator, 'endpoint'>,
  req: RawRequest,
): Promise<RawResponse> {
  const body = req.body ?? '{}';
  const timestamp = req.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const contentType = 'application/json; charset=utf-8';
  const signed = signTc3Request({
    secretId: req.secretId ?? DEFAULT_EMULATOR_CREDENTIALS.secretId,
    secretKey: req.secretKey ?? DEFAULT_EMULATOR_CREDENTIALS.secretKey,
    service: req.service ?? 'batch',
    timestampSeconds: timestamp,
    // As in the official TC3 document, extra signed header values are signed lowercased (x-tc-action:describejobs).
    headers: {
      'content-type': contentType,
      host: req.signedHost ?? emulator.endpoint,
      ...Object.fromEntries(
        Object.entries(req.extraSignedHeaders ?? {}).map(([k, v]) => [k, v.toLowerCase()]),
      ),
    },
    payload: req.signedBody ?? body,
  });
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    Host: emulator.endpoint,
    'X-TC-Action': req.action,
    'X-TC-Version': req.version ?? '2017-03-12',
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': 'ap-guangzhou',
    ...req.extraSignedHeaders,
  };
  if (req.authorization !== null) headers['Authorization'] = req.authorization ?? signed.authorization;
  return sendRaw(emulator, { method: req.method ?? 'POST', path: '/', headers, body });
}

/** How to sign and send one signature v1 (HmacSHA1/HmacSHA256) request by hand. */
export interface RawV1Request {
  /** Action parameters, already flattened (`JobIds.0`). */
  params?: Record<string, string>;
  method?: 'GET' | 'POST';
  /** @default 'HmacSHA256' (sent as the SignatureMethod parameter) */
  signatureMethod?: string;
  /** Host value that is signed. @default the Host header sent (host:port) */
  signedHost?: string;
  /** @default now */
  timestampSeconds?: number;
  secretKey?: string;
  /** Common parameters to leave out (e.g. `Nonce`). */
  omit?: string[];
}

/** Signs `req` the signature v1 way with Node's crypto and sends it as a query string or form body. */
export function sendV1(
  emulator: Pick<RunningEmulator, 'endpoint'>,
  action: string,
  req: RawV1Request = {},
): Promise<RawResponse> {
  const method = req.method ?? 'GET';
  const signatureMethod = req.signatureMethod ?? 'HmacSHA256';
  const params: Record<string, string> = {
    Action: action,
    Version: '2017-03-12',
    Region: 'ap-guangzhou',
    Timestamp: String(req.timestampSeconds ?? Math.floor(Date.now() / 1000)),
    Nonce: '4217',
    SecretId: DEFAULT_EMULATOR_CREDENTIALS.secretId,
    SignatureMethod: signatureMethod,
    ...req.params,
  };
  for (const name of req.omit ?? []) delete params[name];
  const signed = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const hash = signatureMethod === 'HmacSHA1' ? 'sha1' : 'sha256';
  params['Signature'] = createHmac(hash, req.secretKey ?? DEFAULT_EMULATOR_CREDENTIALS.secretKey)
    .update(`${method}${req.signedHost ?? emulator.endpoint}/?${signed}`)
    .digest('base64');
  const encoded = new URLSearchParams(params).toString();
  return sendRaw(emulator, {
    method,
    path: method === 'GET' ? `/?${encoded}` : '/',
    headers: method === 'GET' ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: method === 'GET' ? '' : encoded,
  });
}

/** Sends one HTTP request to the emulator as given. */
function sendRaw(
  emulator: Pick<RunningEmulator, 'endpoint'>,
  req: { method: string; path: string; headers: Record<string, string>; body: string },
): Promise<RawResponse> {
  const [hostname = '', port = ''] = emulator.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { hostname, port: Number(port), path: req.path, method: req.method, headers: req.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: parseAnswer(text),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

function parseAnswer(text: string): RawResponse['json'] {
  try {
    return JSON.parse(text) as RawResponse['json'];
  } catch {
    return { Response: { RequestId: '' } };
  }
}

/** A minimal valid SubmitJob request. */
export function submitJobRequest(
  overrides: {
    jobName?: string;
    tasks?: { TaskName: string; TaskInstanceNum?: number }[];
    dependences?: { StartTask: string; EndTask: string }[];
    tags?: { Key: string; Value: string }[];
    clientToken?: string;
  } = {},
) {
  return {
    Placement: { Zone: 'ap-guangzhou-3' },
    Job: {
      JobName: overrides.jobName ?? 'sdk-job',
      Tasks: (overrides.tasks ?? [{ TaskName: 'main' }]).map((task) => ({
        ...task,
        Application: { DeliveryForm: 'LOCAL', Command: 'echo hello' },
      })),
      ...(overrides.dependences ? { Dependences: overrides.dependences } : {}),
      ...(overrides.tags ? { Tags: overrides.tags } : {}),
    },
    ...(overrides.clientToken ? { ClientToken: overrides.clientToken } : {}),
  };
}
