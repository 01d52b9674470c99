/**
 * Checks the TC3-HMAC-SHA256 `Authorization` of a request against the configured credentials.
 *
 * Official clients sign a local endpoint differently, and the emulator must accept them all:
 * - the Node SDK signs service = the endpoint's first label (`127` for `127.0.0.1:9090`) and the host
 *   without its port, while its Host header carries the port;
 * - the Go and Python SDKs sign service `batch` and the host with the port.
 * So the service is taken from the credential scope as given, and the signature is checked against the Host
 * header as received and with the port removed, and with header values as received and lowercased. Any
 * SignedHeaders list is accepted, and the payload hash is taken over the body bytes exactly as received.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, missingParameter } from './api-error';
import type { EmulatorCredentials } from './batch-api-constants';
import {
  TC3_ALGORITHM,
  TC3_TERMINATOR,
  buildCanonicalRequest,
  buildStringToSign,
  computeSignature,
  credentialScope,
  utcDateOf,
} from './tc3-signer';

/** The parts of an HTTP request the signature covers. */
export interface SignedRequest {
  method: string;
  /** The path as received, e.g. `/`. */
  path: string;
  /** The query string without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as received. */
  body: Buffer;
}

/** What the verifier needs besides the request. */
export interface VerifyOptions {
  credentials: readonly EmulatorCredentials[];
  /** The server's clock, unix seconds. */
  nowSeconds: number;
  /** Largest accepted distance between X-TC-Timestamp and the server clock. */
  clockSkewToleranceSeconds: number;
}

/** Who signed a verified request. */
export interface VerifiedSigner {
  secretId: string;
  /** The credential-scope service the client used (`batch`, `127`, ...). */
  service: string;
}

/** The parsed `Authorization` header. */
export interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_PATTERN = new RegExp(
  `^${TC3_ALGORITHM}\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]{64})\\s*$`,
);

/** Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>`. */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const match = AUTHORIZATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [, credential = '', signedHeaderList = '', signature = ''] = match;
  const scope = credential.split('/');
  if (scope.length !== 4) return undefined;
  const [secretId = '', date = '', service = '', terminator] = scope;
  if (!secretId || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !service || terminator !== TC3_TERMINATOR)
    return undefined;
  const signedHeaders = signedHeaderList.split(';').map((name) => name.trim().toLowerCase());
  if (signedHeaders.some((name) => name === '')) return undefined;
  return { secretId, date, service, signedHeaders, signature: signature.toLowerCase() };
}

/**
 * Verifies a request's signature, returning who signed it or the AuthFailure the real API would answer.
 * Order of checks: header shape, timestamp, SecretId, token, signature.
 */
export function verifyTc3Request(request: SignedRequest, options: VerifyOptions): VerifiedSigner {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === undefined || authorization === '') {
    throw new ApiError('AuthFailure.InvalidAuthorization', 'The Authorization header is missing.');
  }
  const parsed = parseAuthorization(authorization);
  if (!parsed) {
    throw new ApiError(
      'AuthFailure.InvalidAuthorization',
      `The Authorization header is not a valid ${TC3_ALGORITHM} authorization ` +
        `(expected "${TC3_ALGORITHM} Credential=<SecretId>/<date>/<service>/${TC3_TERMINATOR}, ` +
        'SignedHeaders=<names>, Signature=<hex>").',
    );
  }

  const timestamp = checkTimestamp(headerValue(request.headers, 'x-tc-timestamp'), options);
  const credentials = findCredentials(
    parsed.secretId,
    headerValue(request.headers, 'x-tc-token'),
    options,
    'X-TC-Token',
  );
  if (parsed.date !== utcDateOf(timestamp)) {
    throw new ApiError(
      'AuthFailure.SignatureFailure',
      `The credential scope date ${parsed.date} is not the UTC date of X-TC-Timestamp ${timestamp}.`,
    );
  }

  const scope = credentialScope(parsed.date, parsed.service);
  const expected = Buffer.from(parsed.signature, 'hex');
  for (const headers of signedHeaderVariants(request.headers, parsed.signedHeaders)) {
    const { canonicalRequest } = buildCanonicalRequest({
      method: request.method,
      path: request.path,
      query: request.query,
      headers,
      payload: request.body,
    });
    const stringToSign = buildStringToSign(timestamp, scope, canonicalRequest);
    const actual = Buffer.from(
      computeSignature(credentials.secretKey, parsed.date, parsed.service, stringToSign),
      'hex',
    );
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) {
      return { secretId: credentials.secretId, service: parsed.service };
    }
  }
  throw new ApiError(
    'AuthFailure.SignatureFailure',
    'The provided credentials could not be validated. Please check your signature is correct.',
  );
}

/**
 * The request's timestamp (unix seconds), checked against the server clock.
 * @throws {ApiError} `MissingParameter`, `InvalidParameter` or `AuthFailure.SignatureExpire`.
 */
export function checkTimestamp(value: string | undefined, options: VerifyOptions): number {
  if (value === undefined || value === '') throw missingParameter('Timestamp');
  if (!/^\d+$/.test(value)) {
    throw new ApiError('InvalidParameter', 'The parameter `Timestamp` must be a unix time in seconds.');
  }
  const timestamp = Number(value);
  if (Math.abs(options.nowSeconds - timestamp) > options.clockSkewToleranceSeconds) {
    throw new ApiError(
      'AuthFailure.SignatureExpire',
      `Signature expired: the request timestamp ${timestamp} is more than ${options.clockSkewToleranceSeconds} ` +
        `seconds from the server time ${options.nowSeconds}.`,
    );
  }
  return timestamp;
}

/**
 * The credentials of a SecretId, with the session token checked.
 * @throws {ApiError} `AuthFailure.SecretIdNotFound` or `AuthFailure.TokenFailure`.
 */
export function findCredentials(
  secretId: string,
  token: string | undefined,
  options: VerifyOptions,
  tokenName: string,
): EmulatorCredentials {
  const credentials = options.credentials.find((c) => c.secretId === secretId);
  if (!credentials) {
    throw new ApiError(
      'AuthFailure.SecretIdNotFound',
      'The SecretId is not found, please ensure that your SecretId is correct.',
    );
  }
  if (credentials.token !== undefined && token !== credentials.token) {
    throw new ApiError(
      'AuthFailure.TokenFailure',
      `The ${tokenName} is missing or does not match the SecretId.`,
    );
  }
  return credentials;
}

/**
 * The signed headers as clients may have signed them: values as received, and lowercased (the official
 * TC3 document lowercases header values, e.g. `x-tc-action:describeinstances`); each with `host` as received
 * and without its port (the Node SDK signs the hostname alone while sending `host:port`).
 */
function signedHeaderVariants(
  headers: IncomingHttpHeaders,
  names: readonly string[],
): Record<string, string>[] {
  const received: Record<string, string> = {};
  for (const name of names) received[name] = headerValue(headers, name) ?? '';
  const lowercased = Object.fromEntries(
    Object.entries(received).map(([name, value]) => [name, value.toLowerCase()]),
  );
  const variants = new Map<string, Record<string, string>>();
  for (const base of [received, lowercased]) {
    const host = base['host'];
    const candidates = host === undefined ? [base] : [base, { ...base, host: stripPort(host) }];
    for (const candidate of candidates) variants.set(JSON.stringify(candidate), candidate);
  }
  return [...variants.values()];
}

/** `127.0.0.1:9090` → `127.0.0.1`; `[::1]:9090` → `[::1]`; a host without port is returned as is. */
export function stripPort(host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*):\d+$/.exec(host);
  return match?.[1] ?? host;
}

/** A header as one string (repeated headers joined the way Node joins them). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
