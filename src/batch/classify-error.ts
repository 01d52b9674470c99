import { ApplicationFailure } from '@temporalio/common';
import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import { ErrorType, type TencentApiErrorDetails } from '../shared/errors';
import { redactSecrets } from './credentials';
import { isError, safeCause } from './sanitize-error';

/**
 * The one place where failures of the Batch layer become `ApplicationFailure`s (STYLE habit 4): every
 * `type`, retryability, message and detail the activities see is decided in this file.
 */

/** Transport markers used as `TencentApiErrorDetails.code` when the API itself gave no code. */
export const TransportCode = {
  /** Connection refused or reset, DNS failure, socket hang up, aborted request. */
  Network: 'NETWORK',
  /** The request took longer than `TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS`. */
  Timeout: 'TIMEOUT',
  /** HTTP 200 whose body is not JSON. */
  NonJson: 'NON_JSON',
} as const;

/** `details[0].code` of failures this layer raises itself, before or after the API call. */
export const LocalCode = {
  /** A job ID failed the local shape check; no request was sent. */
  InvalidJobId: 'LOCAL_INVALID_JOB_ID',
  /** The input failed a local check (empty list, too many IDs, bad paging); no request was sent. */
  InvalidInput: 'LOCAL_INVALID_INPUT',
  /** The API answered in a shape it never documents. */
  MalformedResponse: 'MALFORMED_RESPONSE',
  /** An error none of the rules below recognise (a bug, or a new SDK failure mode). */
  Unexpected: 'UNEXPECTED',
} as const;

/**
 * Throttled calls are retried after a random delay in this range instead of the activity retry policy's
 * backoff. Why override: Tencent's limits are per second, so a second or two is enough; and Temporal's retry
 * backoff has no jitter, so many activities throttled in the same second would all come back in the same
 * second again. The random spread breaks that lockstep. The retry policy's maximumAttempts and
 * scheduleToClose still bound how long throttling can go on.
 */
export const THROTTLED_RETRY_DELAY_MS = { min: 1000, max: 3000 } as const;

/**
 * Thrown by the response parsers when the API answers in a shape it never documents (missing RequestId or
 * JobSet, unknown JobState). {@link classifyTencentError} turns it into a retryable
 * `ErrorType.MalformedResponse`: the API lies rarely and briefly, and the next answer is usually right.
 */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(
    message: string,
    /** The RequestId of the bad answer, when it had one. */
    readonly requestId?: string,
    /** The error the bad answer caused inside the SDK, if any. */
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const MAX_API_MESSAGE_LENGTH = 500;

/**
 * Turns any failure of a Tencent Cloud Batch call into a typed `ApplicationFailure`:
 *
 * - `type`: a stable {@link ErrorType} value; `nonRetryable` always set explicitly;
 * - `cause`: the original error, or a `SanitizedError` copy when the original could carry a secret;
 * - `details[0]`: {@link TencentApiErrorDetails} (code, requestId, action, httpStatus);
 * - `message`: what happened, what to do, and the RequestId (or the SDK's TraceId when there is none);
 *   never a secret.
 *
 * An `ApplicationFailure` passed in is returned unchanged, so callers can wrap whole blocks.
 *
 * A TIMEOUT or NETWORK failure does not prove the call had no effect (the server may have applied a
 * RetryJobs whose answer was lost): callers of non-idempotent actions own idempotency.
 *
 * @param err whatever the SDK call threw (or the response parsers: {@link MalformedResponseError})
 * @param action the API action, e.g. `RetryJobs`
 */
export function classifyTencentError(err: unknown, action: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof MalformedResponseError) {
    return failure({
      action,
      type: ErrorType.MalformedResponse,
      retryable: true,
      code: LocalCode.MalformedResponse,
      summary: `the API answered in an undocumented shape: ${err.message}`,
      advice: 'Retryable; if it persists, check that TENCENT_BATCH_ENDPOINT points at the Batch API.',
      requestId: err.requestId,
      cause: err,
    });
  }
  if (isSdkException(err)) return classifySdkException(err, action);
  if (isError(err)) {
    const transport = transportCodeOf(err);
    if (transport !== undefined) return transportFailure(action, transport, err, undefined);
    // The SDK reads `data.Response.Error` without checking: a JSON body without `Response` throws this.
    if (err.name === 'TypeError' && /\(reading '(?:Response|Error)'\)/.test(err.message)) {
      return classifyTencentError(
        new MalformedResponseError('the JSON body has no Response object', undefined, { cause: err }),
        action,
      );
    }
  }
  return unexpectedFailure(action, err);
}

/** How one family of API error codes is handled. */
interface CodeRule {
  /** Exact codes and families: `X` matches `X` itself and every `X.<sub>`. */
  codes: readonly string[];
  type: ErrorType;
  retryable: boolean;
  /** What happened, as the start of the message. */
  summary: string;
  /** What to do about it. */
  advice: (action: string, code: string) => string;
}

const NOT_RETRIED = 'Not retried: the same request will fail the same way.';

/** First match wins, so specific codes come before their families. */
const CODE_RULES: readonly CodeRule[] = [
  {
    codes: ['InvalidParameter.JobIdMalformed'],
    type: ErrorType.InvalidJobId,
    retryable: false,
    summary: 'Tencent Cloud says a job ID is malformed',
    advice: () =>
      `${NOT_RETRIED} Fix the job IDs; the local check (src/shared/job-id.ts JOB_ID_PATTERN) let this one through.`,
  },
  {
    codes: ['RequestLimitExceeded'],
    type: ErrorType.Throttled,
    retryable: true,
    summary: 'Tencent Cloud throttled the call',
    advice: (action) =>
      `Retryable after a short random delay; if this persists, lower the ${action} rate limit ` +
      '(something else may share this account quota).',
  },
  {
    codes: [
      'AuthFailure',
      'UnauthorizedOperation',
      'IpInBlacklist',
      'IpNotInWhitelist',
      'OperationDenied', // undocumented for Batch; other services use it for CAM denials
    ],
    type: ErrorType.AuthFailure,
    retryable: false,
    summary: 'Tencent Cloud refused the credentials',
    advice: authAdvice,
  },
  {
    codes: [
      'InternalError',
      'ServiceUnavailable',
      'ResourceUnavailable',
      'ResourceInsufficient',
      'ResourceInUse',
    ],
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'Tencent Cloud failed on its side',
    advice: () => 'Retryable; the service usually recovers within seconds.',
  },
  {
    codes: [
      'InvalidParameter',
      'InvalidParameterValue',
      'MissingParameter',
      'UnknownParameter',
      'InvalidRequest',
      'InvalidAction',
      'ActionOffline',
      'NoSuchVersion',
      'NoSuchProduct',
      'UnsupportedProtocol',
      'UnsupportedRegion',
      'RequestSizeLimitExceeded',
      'ResponseSizeLimitExceeded',
      'DryRunOperation',
    ],
    type: ErrorType.InvalidRequest,
    retryable: false,
    summary: 'Tencent Cloud rejected the request as invalid',
    advice: (_action, code) =>
      code === 'UnsupportedRegion'
        ? `${NOT_RETRIED} Check TENCENTCLOUD_REGION.`
        : code === 'InvalidAction' || code === 'NoSuchVersion' || code === 'NoSuchProduct'
          ? `${NOT_RETRIED} Check that TENCENT_BATCH_ENDPOINT points at the Batch API (version 2017-03-12).`
          : `${NOT_RETRIED} This is a bug in the request this package built, or in its input.`,
  },
  {
    codes: ['ResourceNotFound'],
    type: ErrorType.JobNotFound,
    retryable: false,
    summary: 'Tencent Cloud does not know the job (or task)',
    advice: () =>
      `${NOT_RETRIED} The job was deleted or never existed in TENCENTCLOUD_REGION; check the job ID and region.`,
  },
  {
    codes: ['UnsupportedOperation'],
    type: ErrorType.UnsupportedOperation,
    retryable: false,
    summary: "Tencent Cloud does not allow the operation in the job's current state",
    advice: (action) =>
      action === 'RetryJobs'
        ? `${NOT_RETRIED} RetryJobs works only on jobs in FAILED; describe the job to see its state.`
        : `${NOT_RETRIED} Describe the job to see its state.`,
  },
  {
    codes: ['LimitExceeded'],
    type: ErrorType.NonRetryableApiError,
    retryable: false,
    summary: 'a Tencent Cloud quota is exhausted',
    advice: () => `${NOT_RETRIED} Free quota (finish or delete jobs) or ask Tencent Cloud to raise it.`,
  },
  {
    // Generic "operation failed": documented for every API without a fixed meaning. Treated like an unknown code.
    codes: ['FailedOperation'],
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'Tencent Cloud could not complete the operation',
    advice: () => 'Retryable within the activity retry policy limits; escalate if it persists.',
  },
];

/**
 * Unknown codes are retried: a code outside the documented families is most likely a new server-side or
 * transient condition, and the families that can never succeed (AuthFailure, UnauthorizedOperation,
 * InvalidParameter..., ResourceNotFound, UnsupportedOperation, LimitExceeded) are all matched above. The
 * limit is the activity retry policy (maximumAttempts / scheduleToClose), which must therefore be finite.
 */
const UNKNOWN_CODE_RULE: CodeRule = {
  codes: [],
  type: ErrorType.ServiceError,
  retryable: true,
  summary: 'Tencent Cloud answered with an error code this package does not know',
  advice: () => 'Retryable within the activity retry policy limits; escalate if it persists.',
};

function authAdvice(action: string, code: string): string {
  const prefix = 'Not retried: fix the credentials and restart the worker.';
  switch (code) {
    case 'AuthFailure.SecretIdNotFound':
    case 'AuthFailure.InvalidSecretId':
      return `${prefix} Check TENCENTCLOUD_SECRET_ID (the key may be wrong, deleted or disabled).`;
    case 'AuthFailure.SignatureFailure':
      return `${prefix} Check TENCENTCLOUD_SECRET_KEY: it must be the key of TENCENTCLOUD_SECRET_ID.`;
    case 'AuthFailure.SignatureExpire':
      return "Not retried: the request's timestamp was more than 5 minutes off Tencent Cloud's clock; sync this host's clock (NTP).";
    case 'AuthFailure.TokenFailure':
      return `${prefix} TENCENTCLOUD_SESSION_TOKEN is invalid or expired: issue new temporary credentials.`;
    case 'AuthFailure.MFAFailure':
      return `${prefix} The identity requires MFA, which API calls cannot provide.`;
    case 'AuthFailure.InvalidAuthorization':
      return `${prefix} The Authorization header was rejected: check TENCENTCLOUD_SECRET_ID and TENCENT_BATCH_ENDPOINT.`;
    case 'IpInBlacklist':
    case 'IpNotInWhitelist':
      return "Not retried: this host's IP address is refused by the account's IP policy.";
    default:
      return code.startsWith('AuthFailure.') && code !== 'AuthFailure.UnauthorizedOperation'
        ? `${prefix} Check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.`
        : `Not retried: grant the identity of TENCENTCLOUD_SECRET_ID the CAM permission batch:${action}.`;
  }
}

function ruleFor(code: string): CodeRule {
  return (
    CODE_RULES.find((rule) =>
      rule.codes.some((family) => code === family || code.startsWith(`${family}.`)),
    ) ?? UNKNOWN_CODE_RULE
  );
}

function classifySdkException(err: TencentCloudSDKHttpException, action: string): ApplicationFailure {
  const requestId = err.requestId || undefined;
  if (err.code) {
    const rule = ruleFor(err.code);
    return failure({
      action,
      type: rule.type,
      retryable: rule.retryable,
      code: err.code,
      summary: rule.summary,
      apiMessage: err.message,
      advice: rule.advice(action, err.code),
      requestId,
      cause: err,
      nextRetryDelayMs: rule.type === ErrorType.Throttled ? throttledRetryDelayMs() : undefined,
    });
  }
  if (err.httpCode !== undefined) {
    return failure({
      action,
      type: ErrorType.TransportError,
      retryable: true,
      code: `HTTP_${err.httpCode}`,
      summary: `the endpoint answered HTTP ${err.httpCode} instead of an API response`,
      apiMessage: err.message,
      advice:
        'Retryable; if it persists, check TENCENT_BATCH_ENDPOINT, TENCENT_BATCH_PROTOCOL and any proxy.',
      httpStatus: err.httpCode,
      traceId: err.traceId,
      cause: err,
    });
  }
  if (requestId !== undefined) {
    // An API answer (it has a RequestId) with an Error object but no Code.
    return classifyTencentError(
      new MalformedResponseError(`an error answer without Error.Code (${err.message})`, requestId, {
        cause: err,
      }),
      action,
    );
  }
  // The SDK wraps every fetch failure (connect, reset, timeout) into this class, keeping only the message.
  return transportFailure(action, transportCodeOf(err) ?? TransportCode.Network, err, err.traceId);
}

function isSdkException(err: unknown): err is TencentCloudSDKHttpException {
  return (
    err instanceof TencentCloudSDKHttpException ||
    (isError(err) &&
      typeof (err as Partial<TencentCloudSDKHttpException>).getRequestId === 'function' &&
      typeof (err as Partial<TencentCloudSDKHttpException>).getTraceId === 'function')
  );
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

/** Which transport failure an error is, if any: by node-fetch's `type`, the system `code`, then the text. */
function transportCodeOf(err: Error): (typeof TransportCode)[keyof typeof TransportCode] | undefined {
  const { type, code } = err as { type?: unknown; code?: unknown };
  if (err.name === 'FetchError') {
    if (type === 'invalid-json') return TransportCode.NonJson;
    if (type === 'request-timeout' || type === 'body-timeout') return TransportCode.Timeout;
    if (code === 'ETIMEDOUT') return TransportCode.Timeout;
    return TransportCode.Network;
  }
  if (err.name === 'SyntaxError') return TransportCode.NonJson;
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
    return TransportCode.Timeout;
  if (err.name === 'AbortError') return TransportCode.Network;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return TransportCode.Network;
  if (/network timeout|timed? ?out|ETIMEDOUT/i.test(err.message)) return TransportCode.Timeout;
  if (/invalid json|Unexpected token|JSON at position|end of JSON input/i.test(err.message))
    return TransportCode.NonJson;
  if (
    /socket hang up|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|aborted|premature close/i.test(
      err.message,
    )
  )
    return TransportCode.Network;
  return undefined;
}

function transportFailure(
  action: string,
  code: (typeof TransportCode)[keyof typeof TransportCode],
  err: Error,
  traceId: string | undefined,
): ApplicationFailure {
  const text = {
    [TransportCode.Timeout]: {
      summary: 'no answer from Tencent Cloud within the request timeout',
      advice:
        'Retryable; the call may still have taken effect. TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS sets the timeout.',
    },
    [TransportCode.NonJson]: {
      summary: 'Tencent Cloud answered with a body that is not JSON',
      advice:
        'Retryable; if it persists, check that TENCENT_BATCH_ENDPOINT points at the Batch API (not a proxy page).',
    },
    [TransportCode.Network]: {
      summary: 'the connection to Tencent Cloud failed',
      advice:
        'Retryable; the call may still have taken effect. If it persists, check TENCENT_BATCH_ENDPOINT and the network.',
    },
  }[code];
  return failure({
    action,
    type: ErrorType.TransportError,
    retryable: true,
    code,
    summary: text.summary,
    apiMessage: err.message,
    advice: text.advice,
    traceId,
    cause: err,
  });
}

function unexpectedFailure(action: string, err: unknown): ApplicationFailure {
  const cause = isError(err) ? err : undefined;
  const described = isError(err) ? `${err.name}: ${err.message}` : `a thrown ${typeof err}`;
  return failure({
    action,
    type: ErrorType.ServiceError,
    retryable: true,
    code: LocalCode.Unexpected,
    summary: 'the call failed in a way this package does not recognise',
    apiMessage: described,
    advice: 'Retryable within the activity retry policy limits; report this as a bug if it persists.',
    cause,
  });
}

/**
 * `ErrorType.InvalidJobId`, non-retryable: a job ID failed the local shape check, so no request was sent.
 * @param problems the `summary` of `normalizeJobIds`, or a description of the one bad ID
 */
export function invalidJobIdFailure(action: string, problems: string): ApplicationFailure {
  return failure({
    action,
    type: ErrorType.InvalidJobId,
    retryable: false,
    code: LocalCode.InvalidJobId,
    summary: 'not sent: a job ID is malformed',
    apiMessage: problems,
    advice: 'Not retried: fix the job IDs (they look like job-rybewp57).',
  });
}

/** `ErrorType.InvalidInput`, non-retryable: the input failed a local check, so no request was sent. */
export function invalidInputFailure(action: string, problem: string): ApplicationFailure {
  return failure({
    action,
    type: ErrorType.InvalidInput,
    retryable: false,
    code: LocalCode.InvalidInput,
    summary: 'not sent: the input is invalid',
    apiMessage: problem,
    advice: 'Not retried: fix the input.',
  });
}

/** A random delay in {@link THROTTLED_RETRY_DELAY_MS}, whole milliseconds. */
export function throttledRetryDelayMs(random: () => number = Math.random): number {
  const { min, max } = THROTTLED_RETRY_DELAY_MS;
  return Math.floor(min + random() * (max - min));
}

interface FailureSpec {
  action: string;
  type: ErrorType;
  retryable: boolean;
  code: string;
  summary: string;
  /** The API's (or the underlying error's) own words, quoted after the code. */
  apiMessage?: string;
  advice: string;
  requestId?: string | undefined;
  traceId?: string | undefined;
  httpStatus?: number;
  cause?: Error | undefined;
  nextRetryDelayMs?: number | undefined;
}

function failure(spec: FailureSpec): ApplicationFailure {
  const quoted = spec.apiMessage ? `: ${truncate(spec.apiMessage.trim(), MAX_API_MESSAGE_LENGTH)}` : '';
  const reference =
    spec.requestId !== undefined
      ? ` RequestId: ${spec.requestId}.`
      : spec.traceId
        ? ` No RequestId (TraceId: ${spec.traceId}).`
        : '';
  const message = redactSecrets(
    `${spec.action}: ${spec.summary} (${spec.code}${quoted}). ${spec.advice}${reference}`,
  );
  const details: TencentApiErrorDetails = {
    code: spec.code,
    action: spec.action,
    ...(spec.requestId !== undefined ? { requestId: spec.requestId } : {}),
    ...(spec.httpStatus !== undefined ? { httpStatus: spec.httpStatus } : {}),
  };
  return ApplicationFailure.create({
    message,
    type: spec.type,
    nonRetryable: !spec.retryable,
    details: [details],
    cause: spec.cause === undefined ? undefined : safeCause(spec.cause),
    ...(spec.nextRetryDelayMs !== undefined ? { nextRetryDelay: spec.nextRetryDelayMs } : {}),
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
