import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import {
  MalformedResponseError,
  THROTTLED_RETRY_DELAY_MS,
  classifyTencentError,
  invalidInputFailure,
  invalidJobIdFailure,
  throttledRetryDelayMs,
} from '../../src/batch/classify-error';
import { Credentials } from '../../src/batch/credentials';
import { SanitizedError } from '../../src/batch/sanitize-error';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES, type TencentApiErrorDetails } from '../../src/shared/errors';

/** node-fetch exactly as the SDK loads it, so FetchErrors here are the real class. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFetch = require(
  require.resolve('node-fetch', {
    paths: [dirname(require.resolve('tencentcloud-sdk-nodejs/package.json'))],
  }),
) as {
  FetchError: new (message: string, type: string, systemError?: { code: string }) => Error & { type: string };
  AbortError: new (message: string) => Error;
};

const SECRET_KEY = 'classify-test-secret-key-0123456789';
const SESSION_TOKEN = 'classify-test-session-token-abcdef';
// Constructing credentials registers their secrets for redaction, as parseBatchConfig does in a worker.
new Credentials('AKIDclassifytest0000000000000000', SECRET_KEY, SESSION_TOKEN);

const REQUEST_ID = '970e5a9f-2963-436c-8dad-4847360676f7';
const TRACE_ID = 'f2d2a3b4-0000-4000-8000-000000000000';

/** An API error answer (HTTP 200 with Response.Error), as the SDK builds it. */
function apiError(code: string, message = `message for ${code}`): TencentCloudSDKHttpException {
  const err = new TencentCloudSDKHttpException(message, REQUEST_ID, TRACE_ID);
  err.code = code;
  return err;
}

function detailsOf(failure: ApplicationFailure): TencentApiErrorDetails {
  return failure.details?.[0] as TencentApiErrorDetails;
}

function expectClassified(
  failure: ApplicationFailure,
  expected: { type: ErrorType; nonRetryable: boolean; code: string; requestId?: string; httpStatus?: number },
): void {
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.type).toBe(expected.type);
  expect(failure.nonRetryable).toBe(expected.nonRetryable);
  // The error type and the flag never disagree: a retry policy listing NON_RETRYABLE_ERROR_TYPES agrees too.
  expect(NON_RETRYABLE_ERROR_TYPES.includes(expected.type)).toBe(expected.nonRetryable);
  const details: TencentApiErrorDetails = { code: expected.code, action: 'RetryJobs' };
  if (expected.requestId !== undefined) details.requestId = expected.requestId;
  if (expected.httpStatus !== undefined) details.httpStatus = expected.httpStatus;
  expect(failure.details).toEqual([details]);
}

describe('classifyTencentError: API error codes', () => {
  it.each<[string, ErrorType, boolean]>([
    ['RequestLimitExceeded', ErrorType.Throttled, false],
    ['RequestLimitExceeded.UinLimitExceeded', ErrorType.Throttled, false],
    ['RequestLimitExceeded.IPLimitExceeded', ErrorType.Throttled, false],
    ['RequestLimitExceeded.GlobalRegionUinLimitExceeded', ErrorType.Throttled, false],
    ['InternalError', ErrorType.ServiceError, false],
    ['InternalError.DbError', ErrorType.ServiceError, false],
    ['ServiceUnavailable', ErrorType.ServiceError, false],
    ['ResourceUnavailable', ErrorType.ServiceError, false],
    ['ResourceUnavailable.Cvm', ErrorType.ServiceError, false],
    ['ResourceInsufficient', ErrorType.ServiceError, false],
    ['ResourceInUse', ErrorType.ServiceError, false],
    ['FailedOperation', ErrorType.ServiceError, false],
    ['AuthFailure.SecretIdNotFound', ErrorType.AuthFailure, false],
    ['AuthFailure.InvalidSecretId', ErrorType.AuthFailure, false],
    ['AuthFailure.SignatureFailure', ErrorType.AuthFailure, false],
    ['AuthFailure.SignatureExpire', ErrorType.AuthFailure, false],
    ['AuthFailure.TokenFailure', ErrorType.AuthFailure, false],
    ['AuthFailure.MFAFailure', ErrorType.AuthFailure, false],
    ['AuthFailure.InvalidAuthorization', ErrorType.AuthFailure, false],
    ['AuthFailure.UnauthorizedOperation', ErrorType.PermissionDenied, true],
    ['AuthFailure.SomethingNew', ErrorType.AuthFailure, false],
    ['UnauthorizedOperation', ErrorType.PermissionDenied, true],
    ['UnauthorizedOperation.NoPermission', ErrorType.PermissionDenied, true],
    ['IpInBlacklist', ErrorType.PermissionDenied, true],
    ['IpNotInWhitelist', ErrorType.PermissionDenied, true],
    ['InvalidParameter', ErrorType.InvalidRequest, true],
    ['InvalidParameter.InvalidParameterCombination', ErrorType.InvalidRequest, true],
    ['InvalidParameter.JobIdMalformed', ErrorType.InvalidJobId, true],
    ['InvalidParameterValue', ErrorType.InvalidRequest, true],
    ['InvalidParameterValue.Zone', ErrorType.InvalidRequest, true],
    ['MissingParameter', ErrorType.InvalidRequest, true],
    ['UnknownParameter', ErrorType.InvalidRequest, true],
    ['InvalidAction', ErrorType.InvalidRequest, true],
    ['ActionOffline', ErrorType.InvalidRequest, true],
    ['NoSuchVersion', ErrorType.InvalidRequest, true],
    ['NoSuchProduct', ErrorType.InvalidRequest, true],
    ['InvalidRequest', ErrorType.InvalidRequest, true],
    ['UnsupportedProtocol', ErrorType.InvalidRequest, true],
    ['UnsupportedRegion', ErrorType.InvalidRequest, true],
    ['RequestSizeLimitExceeded', ErrorType.InvalidRequest, true],
    ['ResponseSizeLimitExceeded', ErrorType.InvalidRequest, true],
    ['DryRunOperation', ErrorType.InvalidRequest, true],
    ['ResourceNotFound', ErrorType.JobNotFound, true],
    ['ResourceNotFound.Job', ErrorType.JobNotFound, true],
    ['ResourceNotFound.Task', ErrorType.JobNotFound, true],
    ['UnsupportedOperation', ErrorType.UnsupportedOperation, true],
    ['UnsupportedOperation.JobStateNotFailed', ErrorType.UnsupportedOperation, true],
    ['LimitExceeded', ErrorType.NonRetryableApiError, true],
    ['LimitExceeded.JobQuota', ErrorType.NonRetryableApiError, true],
    ['SomethingNobodyDocumented', ErrorType.ServiceError, false],
    ['InvalidParameterish', ErrorType.ServiceError, false],
  ])('%s → %s (nonRetryable: %s)', (code, type, nonRetryable) => {
    const failure = classifyTencentError(apiError(code), 'RetryJobs');
    expectClassified(failure, { type, nonRetryable, code, requestId: REQUEST_ID });
    expect(failure.message).toContain(`(${code}: message for ${code})`);
    expect(failure.message).toContain(`RequestId: ${REQUEST_ID}`);
  });

  it('keeps the SDK exception itself as the cause', () => {
    const err = apiError('ResourceNotFound.Job');
    expect(classifyTencentError(err, 'RetryJobs').cause).toBe(err);
  });

  it('says which variable to check when the SecretId is refused', () => {
    const failure = classifyTencentError(apiError('AuthFailure.SecretIdNotFound'), 'RetryJobs');
    expect(failure.message).toMatch(
      /^RetryJobs: Tencent Cloud refused the credentials \(AuthFailure\.SecretIdNotFound/,
    );
    expect(failure.message).toContain('Check TENCENTCLOUD_SECRET_ID');
  });

  it.each([
    'AuthFailure',
    'AuthFailure.SecretIdNotFound',
    'AuthFailure.SignatureFailure',
    'AuthFailure.TokenFailure',
  ])('says %s is retried until the keys are fixed or rotated, with no restart of the worker', (code) => {
    const failure = classifyTencentError(apiError(code), 'DescribeJobs');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('Retried until Tencent Cloud accepts the calls again');
    expect(failure.message).toContain('Fix or rotate the keys');
    expect(failure.message).toContain('without a restart');
    expect(failure.message).not.toMatch(/not retried|restart the worker/i);
  });

  it.each([
    ['AuthFailure.SignatureFailure', 'TENCENTCLOUD_SECRET_KEY'],
    ['AuthFailure.SignatureExpire', 'clock'],
    ['AuthFailure.TokenFailure', 'TENCENTCLOUD_SESSION_TOKEN'],
    ['UnauthorizedOperation', 'batch:RetryJobs'],
    ['UnsupportedOperation', 'only on jobs in FAILED'],
    ['UnsupportedRegion', 'TENCENTCLOUD_REGION'],
  ])('tells the reader what to do about %s', (code, hint) => {
    expect(classifyTencentError(apiError(code), 'RetryJobs').message).toContain(hint);
  });

  it('retries throttled calls after a jittered delay of 1 to 3 seconds', () => {
    const delays = Array.from({ length: 50 }, () => {
      const failure = classifyTencentError(apiError('RequestLimitExceeded'), 'RetryJobs');
      return failure.nextRetryDelay as number;
    });
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(THROTTLED_RETRY_DELAY_MS.min);
      expect(delay).toBeLessThan(THROTTLED_RETRY_DELAY_MS.max);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
    expect(throttledRetryDelayMs(() => 0)).toBe(1000);
    expect(throttledRetryDelayMs(() => 0.5)).toBe(2000);
  });

  it('leaves the retry policy in charge of every other retryable failure', () => {
    expect(classifyTencentError(apiError('InternalError'), 'RetryJobs').nextRetryDelay).toBeUndefined();
  });

  it('treats an error answer without a code as a malformed response', () => {
    const err = new TencentCloudSDKHttpException('something', REQUEST_ID, TRACE_ID);
    expectClassified(classifyTencentError(err, 'RetryJobs'), {
      type: ErrorType.MalformedResponse,
      nonRetryable: false,
      code: 'MALFORMED_RESPONSE',
      requestId: REQUEST_ID,
    });
  });
});

describe('classifyTencentError: transport failures', () => {
  it('turns a non-200 answer into a retryable TransportError with the status', () => {
    const err = new TencentCloudSDKHttpException('Bad Gateway', '', TRACE_ID);
    err.httpCode = 502;
    const failure = classifyTencentError(err, 'RetryJobs');
    expectClassified(failure, {
      type: ErrorType.TransportError,
      nonRetryable: false,
      code: 'HTTP_502',
      httpStatus: 502,
    });
    expect(failure.message).toContain('HTTP 502');
    expect(failure.message).toContain(`TraceId: ${TRACE_ID}`);
  });

  it('turns a real connection reset, as the SDK wraps it, into a retryable NETWORK failure', async () => {
    const reset: NodeJS.ErrnoException = await realConnectionReset();
    expect(reset.code).toBe('ECONNRESET');
    // What node-fetch throws for it (and keeps as a raw FetchError when the body read fails).
    const fetchError = new nodeFetch.FetchError(
      `request to http://127.0.0.1:1/ failed, reason: ${reset.message}`,
      'system',
      { code: 'ECONNRESET' },
    );
    // The SDK keeps only the message of whatever fetch threw.
    const wrapped = new TencentCloudSDKHttpException(fetchError.message, '', TRACE_ID);
    for (const err of [reset, fetchError, wrapped]) {
      expectClassified(classifyTencentError(err, 'RetryJobs'), {
        type: ErrorType.TransportError,
        nonRetryable: false,
        code: 'NETWORK',
      });
    }
  });

  it.each([
    'request to http://127.0.0.1:9/ failed, reason: connect ECONNREFUSED 127.0.0.1:9',
    'request to https://batch.tencentcloudapi.com/ failed, reason: getaddrinfo ENOTFOUND batch.tencentcloudapi.com',
    'request to http://127.0.0.1:9090/ failed, reason: socket hang up',
    'The user aborted a request.',
  ])('classifies the SDK-wrapped network failure "%s" as NETWORK', (message) => {
    expectClassified(
      classifyTencentError(new TencentCloudSDKHttpException(message, '', TRACE_ID), 'RetryJobs'),
      {
        type: ErrorType.TransportError,
        nonRetryable: false,
        code: 'NETWORK',
      },
    );
  });

  it('classifies the SDK timeout (node-fetch request-timeout, wrapped) as TIMEOUT', () => {
    const timeout = new nodeFetch.FetchError('network timeout at: http://127.0.0.1:9090/', 'request-timeout');
    const wrapped = new TencentCloudSDKHttpException(timeout.message, '', TRACE_ID);
    for (const err of [timeout, wrapped]) {
      const failure = classifyTencentError(err, 'RetryJobs');
      expectClassified(failure, { type: ErrorType.TransportError, nonRetryable: false, code: 'TIMEOUT' });
      expect(failure.message).toContain('TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS');
    }
  });

  it('classifies a body that times out while being read as TIMEOUT', () => {
    const err = new nodeFetch.FetchError(
      'Response timeout while trying to fetch http://x/ (over 1000ms)',
      'body-timeout',
    );
    expect(detailsOf(classifyTencentError(err, 'RetryJobs')).code).toBe('TIMEOUT');
  });

  it('classifies an AbortError as a retryable NETWORK failure', () => {
    expectClassified(
      classifyTencentError(new nodeFetch.AbortError('The user aborted a request.'), 'RetryJobs'),
      {
        type: ErrorType.TransportError,
        nonRetryable: false,
        code: 'NETWORK',
      },
    );
  });

  it('classifies a 200 body that is not JSON (raw FetchError and SyntaxError) as NON_JSON', () => {
    let syntaxError: unknown;
    try {
      JSON.parse('<html>gateway</html>');
    } catch (err) {
      syntaxError = err;
    }
    expect(syntaxError).toBeInstanceOf(SyntaxError);
    const fetchError = new nodeFetch.FetchError(
      `invalid json response body at http://127.0.0.1:9090/ reason: ${(syntaxError as Error).message}`,
      'invalid-json',
    );
    for (const err of [syntaxError, fetchError]) {
      const failure = classifyTencentError(err, 'RetryJobs');
      expectClassified(failure, { type: ErrorType.TransportError, nonRetryable: false, code: 'NON_JSON' });
      expect(failure.cause).toBe(err);
    }
  });

  it('classifies the SDK tripping over JSON without a Response object as a malformed response', () => {
    let typeError: unknown;
    try {
      const data = JSON.parse('{}') as { Response: { Error: unknown } };
      void data.Response.Error;
    } catch (err) {
      typeError = err;
    }
    expect(classifyTencentError(typeError, 'DescribeJobs').type).toBe(ErrorType.MalformedResponse);
  });
});

describe('classifyTencentError: everything else', () => {
  it('returns an ApplicationFailure unchanged', () => {
    const original = ApplicationFailure.nonRetryable('already classified', ErrorType.InvalidInput);
    expect(classifyTencentError(original, 'RetryJobs')).toBe(original);
  });

  it('turns a MalformedResponseError into a retryable MalformedResponse with its RequestId', () => {
    const err = new MalformedResponseError('Response.JobSet is missing, not an array', REQUEST_ID);
    const failure = classifyTencentError(err, 'DescribeJobs');
    expect(failure.type).toBe(ErrorType.MalformedResponse);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details).toEqual([
      { code: 'MALFORMED_RESPONSE', action: 'DescribeJobs', requestId: REQUEST_ID },
    ]);
    expect(failure.message).toContain('Response.JobSet is missing');
  });

  it.each([new RangeError('bug'), 'a string', 42, undefined])(
    'turns an unrecognised failure (%p) into a retryable UNEXPECTED ServiceError',
    (thrown) => {
      const failure = classifyTencentError(thrown, 'RetryJobs');
      expect(failure.type).toBe(ErrorType.ServiceError);
      expect(failure.nonRetryable).toBe(false);
      expect(detailsOf(failure).code).toBe('UNEXPECTED');
    },
  );

  it('builds non-retryable local validation failures that say no request was sent', () => {
    const badId = invalidJobIdFailure('RetryJobs', 'jobIds[0]="nope": not a job ID');
    expect(badId.type).toBe(ErrorType.InvalidJobId);
    expect(badId.nonRetryable).toBe(true);
    expect(badId.message).toContain('not sent');
    const badInput = invalidInputFailure('RetryJobs', 'jobIds must name at least one job');
    expect(badInput.type).toBe(ErrorType.InvalidInput);
    expect(badInput.nonRetryable).toBe(true);
  });
});

describe('classifyTencentError: secrets', () => {
  function everythingPrintable(failure: ApplicationFailure): string {
    const causes: string[] = [];
    for (let cause: unknown = failure.cause; cause instanceof Error; cause = cause.cause) {
      causes.push(cause.message, cause.stack ?? '', JSON.stringify(cause), inspect(cause, { depth: 10 }));
    }
    return [
      failure.message,
      failure.stack ?? '',
      JSON.stringify(failure),
      JSON.stringify(failure.details),
      inspect(failure, { depth: 10, showHidden: true }),
      ...causes,
    ].join('\n');
  }

  it('scrubs a secret echoed in an API message and replaces the cause with a sanitized copy', () => {
    const err = apiError(
      'AuthFailure.SignatureFailure',
      `bad signature for key ${SECRET_KEY} and ${SESSION_TOKEN}`,
    );
    const failure = classifyTencentError(err, 'RetryJobs');
    const text = everythingPrintable(failure);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SESSION_TOKEN);
    expect(failure.message).toContain('[REDACTED]');
    expect(failure.cause).toBeInstanceOf(SanitizedError);
    expect(failure.cause).toMatchObject({
      originalName: 'TencentCloudSDKHttpException',
      code: 'AuthFailure.SignatureFailure',
      requestId: REQUEST_ID,
    });
  });

  it('drops object-valued fields such as request headers from the cause, at every depth', () => {
    const inner = Object.assign(new Error('inner'), {
      config: { headers: { 'X-TC-Token': SESSION_TOKEN, Authorization: `key ${SECRET_KEY}` } },
    });
    const outer = new Error('request failed: socket hang up', { cause: inner });
    const failure = classifyTencentError(outer, 'RetryJobs');
    expect(detailsOf(failure).code).toBe('NETWORK');
    expect(failure.cause).toBeInstanceOf(SanitizedError);
    expect(failure.cause?.cause).toBeInstanceOf(SanitizedError);
    const text = everythingPrintable(failure);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SESSION_TOKEN);
  });
});

/** A real ECONNRESET: a server that accepts the connection and resets it before answering. */
async function realConnectionReset(): Promise<Error> {
  const server: Server = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  try {
    return await new Promise<Error>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: address.port, method: 'POST', path: '/' }, () =>
        reject(new Error('expected the connection to be reset')),
      );
      req.on('error', resolve);
      req.end('{}');
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
