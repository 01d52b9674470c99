/**
 * Checks a signature v1 request (HmacSHA1 or HmacSHA256, `signMethod` in the Node SDK's client profile):
 * the signed string is the method, host, path and every parameter but `Signature`, sorted by name and
 * joined as `name=value` with their values decoded, `POST127.0.0.1:9090/?Action=…&Nonce=…`; the signature is
 * its base64 HMAC under the SecretKey. As with TC3, the host is tried as received and without its port
 * (the Node SDK signs its endpoint setting as given, which carries the port).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError, missingParameter } from './api-error';
import {
  type SignedRequest,
  type VerifiedSigner,
  type VerifyOptions,
  checkTimestamp,
  findCredentials,
  headerValue,
  stripPort,
} from './tc3-verifier';

const HASHES = { HmacSHA1: 'sha1', HmacSHA256: 'sha256' } as const;

/**
 * Verifies a v1 request's `Signature` parameter, returning who signed it or the AuthFailure the API answers.
 * Order of checks as for TC3: presence, timestamp, SecretId, token, signature.
 */
export function verifyV1Request(
  request: Pick<SignedRequest, 'method' | 'path' | 'headers'>,
  params: Readonly<Record<string, string>>,
  method: keyof typeof HASHES,
  options: VerifyOptions,
): VerifiedSigner {
  const signature = params['Signature'];
  const secretId = params['SecretId'];
  if (!signature || !secretId) {
    throw new ApiError(
      'AuthFailure.InvalidAuthorization',
      'The request has neither an Authorization header (TC3-HMAC-SHA256) nor the SecretId and Signature ' +
        'parameters (HmacSHA1/HmacSHA256).',
    );
  }
  checkTimestamp(params['Timestamp'], options);
  if (!params['Nonce']) throw missingParameter('Nonce');
  const credentials = findCredentials(secretId, params['Token'], options, 'Token parameter');

  const signed = Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort()
    .map((name) => `${name}=${params[name] ?? ''}`)
    .join('&');
  const expected = Buffer.from(signature, 'base64');
  const host = headerValue(request.headers, 'host') ?? '';
  for (const candidate of new Set([host, stripPort(host)])) {
    const text = `${request.method}${candidate}${request.path}?${signed}`;
    const actual = createHmac(HASHES[method], credentials.secretKey).update(text, 'utf8').digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) {
      return { secretId: credentials.secretId, service: 'batch' };
    }
  }
  throw new ApiError(
    'AuthFailure.SignatureFailure',
    'The provided credentials could not be validated. Please check your signature is correct.',
  );
}
