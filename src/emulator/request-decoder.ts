/**
 * Reads the common parameters and the action's parameters out of an HTTP request, in every form the
 * official SDKs send (the Node SDK's client profile selects them with `reqMethod` and `signMethod`):
 *
 * | signing          | method | common parameters                 | action parameters                      |
 * | ---------------- | ------ | --------------------------------- | -------------------------------------- |
 * | TC3-HMAC-SHA256  | POST   | `X-TC-*` headers                  | JSON body (or a form body)             |
 * | TC3-HMAC-SHA256  | GET    | `X-TC-*` headers                  | query string, flattened (`JobIds.0=…`) |
 * | HmacSHA1/SHA256  | POST   | in the form body with the others  | form body, flattened                   |
 * | HmacSHA1/SHA256  | GET    | in the query string with the rest | query string, flattened                |
 *
 * A request is signature v3 (TC3) when it has an `Authorization` header, else signature v1 (its
 * `Signature` parameter; `SignatureMethod` defaults to HmacSHA1 as in API 2.0).
 */
import { ApiError, unknownParameter } from './api-error';
import type { ParamEncoding } from './params';
import { type SignedRequest, headerValue } from './tc3-verifier';

/** The signature methods the API accepts. */
export type SignatureMethod = 'TC3-HMAC-SHA256' | 'HmacSHA1' | 'HmacSHA256';

/** The common parameters of API 3.0, wherever the request carried them. */
export interface CommonParams {
  action?: string | undefined;
  version?: string | undefined;
  region?: string | undefined;
  language?: string | undefined;
}

/** A request with its parts found. */
export interface DecodedRequest {
  signatureMethod: SignatureMethod;
  common: CommonParams;
  /**
   * The action's parameters: the JSON body, or the flattened parameters nested back (`{JobIds: [...]}`).
   * A function because a body that is not JSON is answered only after the signature and the rate limit.
   */
  params: () => unknown;
  encoding: ParamEncoding;
  /** For signature v1 only: every parameter as received (decoded), `Signature` included. */
  v1Params?: Readonly<Record<string, string>>;
}

/** Parameters of signature v1 that are common, not the action's. */
const V1_COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Region',
  'Timestamp',
  'Nonce',
  'SecretId',
  'Signature',
  'SignatureMethod',
  'Token',
  'Language',
  'RequestClient',
]);

const FORM = 'application/x-www-form-urlencoded';

/**
 * Finds the parts of a request.
 * @throws {ApiError} `UnsupportedProtocol` for a method other than GET/POST or a body type the emulator
 *   does not read (multipart: no Batch action takes a file); `InvalidParameter` for a body that is not JSON.
 */
export function decodeRequest(request: SignedRequest): DecodedRequest {
  if (request.method !== 'GET' && request.method !== 'POST') {
    throw new ApiError(
      'UnsupportedProtocol',
      `The API accepts GET and POST requests (got ${request.method}).`,
    );
  }
  const contentType = (headerValue(request.headers, 'content-type') ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  const flat =
    request.method === 'GET'
      ? queryParams(request.query)
      : contentType === FORM
        ? queryParams(request.body.toString('utf8'))
        : undefined;
  if (
    request.method === 'POST' &&
    flat === undefined &&
    contentType !== 'application/json' &&
    contentType !== ''
  ) {
    throw new ApiError(
      'UnsupportedProtocol',
      `The emulator reads POST bodies of type application/json or ${FORM} (got ${contentType}).`,
    );
  }

  if (headerValue(request.headers, 'authorization') !== undefined || flat === undefined) {
    return {
      signatureMethod: 'TC3-HMAC-SHA256',
      common: {
        action: headerValue(request.headers, 'x-tc-action'),
        version: headerValue(request.headers, 'x-tc-version'),
        region: headerValue(request.headers, 'x-tc-region'),
        language: headerValue(request.headers, 'x-tc-language'),
      },
      ...(flat === undefined
        ? { params: () => parseJsonBody(request.body), encoding: 'json' as const }
        : { params: () => unflatten(flat), encoding: 'flattened' as const }),
    };
  }

  const method = flat['SignatureMethod'] ?? 'HmacSHA1';
  if (method !== 'HmacSHA1' && method !== 'HmacSHA256') {
    throw new ApiError(
      'AuthFailure.InvalidAuthorization',
      `The SignatureMethod ${JSON.stringify(method)} is not HmacSHA1 or HmacSHA256.`,
    );
  }
  const actionParams = Object.fromEntries(Object.entries(flat).filter(([key]) => !V1_COMMON_PARAMS.has(key)));
  return {
    signatureMethod: method,
    common: {
      action: flat['Action'],
      version: flat['Version'],
      region: flat['Region'],
      language: flat['Language'],
    },
    params: () => unflatten(actionParams),
    encoding: 'flattened',
    v1Params: flat,
  };
}

/** `a=1&b=x%20y` decoded; a repeated name keeps its first value. */
function queryParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) if (!Object.hasOwn(params, key)) params[key] = value;
  return params;
}

/** The body as JSON; an empty body is `{}`. */
function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.');
  }
}

/**
 * API 3.0's flattened names nested back: `Job.Tasks.0.TaskName=x` → `{Job: {Tasks: [{TaskName: 'x'}]}}`.
 * A level whose names are all indexes becomes an array (a missing index leaves a hole, which the parameter
 * check reports as missing).
 */
export function unflatten(flat: Readonly<Record<string, string>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const keys = name.split('.');
    if (keys.some((key) => key === '__proto__' || key === 'constructor' || key === 'prototype')) {
      throw unknownParameter(name);
    }
    let node = root;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) {
        if (!Object.hasOwn(node, key)) node[key] = value;
        return;
      }
      const child = node[key];
      if (typeof child !== 'object' || child === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return arraysFromIndexes(root) as Record<string, unknown>;
}

function arraysFromIndexes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, child]) => [key, arraysFromIndexes(child)] as const,
  );
  if (entries.length === 0 || !entries.every(([key]) => /^(0|[1-9]\d{0,3})$/.test(key))) {
    return Object.fromEntries(entries);
  }
  const array: unknown[] = [];
  for (const [key, child] of entries) array[Number(key)] = child;
  return array;
}

/**
 * The action and its parameters for the ledger and the fault rules, without failing: never the common
 * parameters of signature v1 (its `Token` and `Signature` must not be recorded). A body that cannot be read
 * is kept as text (first 10 000 characters).
 */
export function actionAndParamsOf(request: SignedRequest): { action: string; params: unknown } {
  try {
    const decoded = decodeRequest(request);
    return { action: decoded.common.action ?? '', params: decoded.params() };
  } catch {
    const text = request.body.toString('utf8');
    return {
      action: headerValue(request.headers, 'x-tc-action') ?? '',
      params: text === '' ? {} : text.slice(0, 10_000),
    };
  }
}
