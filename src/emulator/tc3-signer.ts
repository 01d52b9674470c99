/**
 * TC3-HMAC-SHA256 (Tencent Cloud API 3.0 signature v3), written from the published algorithm with Node's
 * crypto and nothing of the SDK's signer, so that a bug in one cannot hide a bug in the other. The verifier
 * uses these functions on what it received; tests and hand-made clients use {@link signTc3Request}.
 */
import { createHash, createHmac } from 'node:crypto';

/** The only algorithm API 3.0 accepts in `Authorization`. */
export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

/** The fixed last element of the credential scope. */
export const TC3_TERMINATOR = 'tc3_request';

/** Lowercase hex SHA-256 of a string (as UTF-8) or of raw bytes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The UTC calendar date (`YYYY-MM-DD`) of a unix timestamp in seconds: the date of the credential scope. */
export function utcDateOf(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/** What the canonical request is built from. Header names may be in any case; values are trimmed. */
export interface CanonicalRequestInput {
  /** @default 'POST' */
  method?: string;
  /** @default '/' */
  path?: string;
  /** The query string without `?`; empty for POST. @default '' */
  query?: string;
  /** The signed headers, name → value; all of them are signed, in name order. */
  headers: Readonly<Record<string, string>>;
  /** The request body exactly as sent: its bytes are hashed, never re-serialised. */
  payload: string | Buffer;
}

/** The canonical request and the parts of it other steps need. */
export interface CanonicalRequest {
  canonicalRequest: string;
  /** Lowercase header names joined with `;`, as they appear in `Authorization`. */
  signedHeaders: string;
  payloadHash: string;
}

/** Builds the canonical request: method, path, query, canonical headers, signed headers, payload hash. */
export function buildCanonicalRequest(input: CanonicalRequestInput): CanonicalRequest {
  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const payloadHash = sha256Hex(input.payload);
  const canonicalRequest = [
    (input.method ?? 'POST').toUpperCase(),
    input.path ?? '/',
    input.query ?? '',
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { canonicalRequest, signedHeaders, payloadHash };
}

/** `<date>/<service>/tc3_request`. */
export function credentialScope(date: string, service: string): string {
  return `${date}/${service}/${TC3_TERMINATOR}`;
}

/** The string to sign: algorithm, timestamp, credential scope, hash of the canonical request. */
export function buildStringToSign(timestampSeconds: number, scope: string, canonicalRequest: string): string {
  return [TC3_ALGORITHM, String(timestampSeconds), scope, sha256Hex(canonicalRequest)].join('\n');
}

/** The hex signature of a string to sign, with the key derived from the secret key, date and service. */
export function computeSignature(
  secretKey: string,
  date: string,
  service: string,
  stringToSign: string,
): string {
  const secretDate = hmac(`TC3${secretKey}`, date);
  const secretService = hmac(secretDate, service);
  const secretSigning = hmac(secretService, TC3_TERMINATOR);
  return createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
}

/** Everything needed to sign one request. */
export interface Tc3SignInput extends CanonicalRequestInput {
  secretId: string;
  secretKey: string;
  /** The credential-scope service: `batch` for the Go/Python SDKs, the endpoint's first label for Node's. */
  service: string;
  timestampSeconds: number;
}

/** A signature with its intermediate values, so tests can compare each step with official vectors. */
export interface Tc3Signature extends CanonicalRequest {
  stringToSign: string;
  signature: string;
  /** The complete `Authorization` header value. */
  authorization: string;
}

/** Signs a request the way every official API 3.0 client does. */
export function signTc3Request(input: Tc3SignInput): Tc3Signature {
  const date = utcDateOf(input.timestampSeconds);
  const scope = credentialScope(date, input.service);
  const canonical = buildCanonicalRequest(input);
  const stringToSign = buildStringToSign(input.timestampSeconds, scope, canonical.canonicalRequest);
  const signature = computeSignature(input.secretKey, date, input.service, stringToSign);
  const authorization =
    `${TC3_ALGORITHM} Credential=${input.secretId}/${scope}, ` +
    `SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
  return { ...canonical, stringToSign, signature, authorization };
}
