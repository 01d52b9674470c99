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

/** How one kind of failure is reported: what the activities match on and what a person reads. */
export interface FailureKind {
  type: ErrorType;
  retryable: boolean;
  /** What happened, as the start of the message. */
  summary: string;
  /** What to do about it; `{action}` is replaced by the API action. */
  advice: string;
}

const NOT_RETRIED = 'Not retried: the same request will fail the same way.';
const RETRIED_UNTIL_ACCEPTED = 'Retried until Tencent Cloud accepts the calls again; no job fails for it.';
const FIX_OR_ROTATE =
  `${RETRIED_UNTIL_ACCEPTED} Fix or rotate the keys: the worker reads them from its credential source on every ` +
  'call and picks up new ones without a restart (keys set in its environment, TENCENTCLOUD_CREDENTIALS=env, need one).';
const RETRY_POLICY_BOUNDS = 'Retryable within the activity retry policy limits; escalate if it persists.';

/**
 * The kinds of API error codes. Each is decided once here; the code table below only points at them, so
 * changing how a whole family is handled (e.g. credentials refused → pause and retry) is one edit.
 */
const kinds = {
  throttled: {
    type: ErrorType.Throttled,
    retryable: true,
    summary: 'Tencent Cloud throttled the call',
    advice:
      'Retryable after a short random delay; if this persists, lower the {action} rate limit ' +
      '(something else may share this account quota).',
  },
  // Retryable because these are Tencent's side failing or busy; the service usually recovers in seconds.
  serviceError: {
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'Tencent Cloud failed on its side',
    advice: 'Retryable; the service usually recovers within seconds.',
  },
  // The resource is busy with another operation (a termination, a scale-down): it ends on its own.
  resourceBusy: {
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'the resource is busy with another operation',
    advice: 'Retryable; the other operation usually finishes within seconds.',
  },
  // Documented for every API without a fixed meaning, so treated like a code nobody documented.
  failedOperation: {
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'Tencent Cloud could not complete the operation',
    advice: RETRY_POLICY_BOUNDS,
  },
  // Platform trouble (credentials expired, rotated or mistyped), not a failure of the jobs: retried with the
  // activity's backoff (src/workflows/activity-options.ts) until someone fixes the keys, read on every call.
  credentialsRefused: {
    type: ErrorType.AuthFailure,
    retryable: true,
    summary: 'Tencent Cloud refused the credentials',
    advice: `${FIX_OR_ROTATE} Check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.`,
  },
  // The credentials are valid, but the account's policies (CAM, IP lists) do not allow the call.
  permissionDenied: {
    type: ErrorType.PermissionDenied,
    retryable: false,
    summary: 'Tencent Cloud refused the call for lack of permission',
    advice: 'Not retried: grant the identity of TENCENTCLOUD_SECRET_ID the CAM permission batch:{action}.',
  },
  invalidRequest: {
    type: ErrorType.InvalidRequest,
    retryable: false,
    summary: 'Tencent Cloud rejected the request as invalid',
    advice: `${NOT_RETRIED} This is a bug in the request this package built, or in its input.`,
  },
  invalidJobId: {
    type: ErrorType.InvalidJobId,
    retryable: false,
    summary: 'Tencent Cloud says a job ID is malformed',
    advice: `${NOT_RETRIED} Fix the job IDs; the local check (src/shared/job-id.ts JOB_ID_PATTERN) let this one through.`,
  },
  jobNotFound: {
    type: ErrorType.JobNotFound,
    retryable: false,
    summary: 'Tencent Cloud does not know the job (or task)',
    advice: `${NOT_RETRIED} The job was deleted or never existed in TENCENTCLOUD_REGION; check the job ID and region.`,
  },
  unsupportedOperation: {
    type: ErrorType.UnsupportedOperation,
    retryable: false,
    summary: "Tencent Cloud does not allow the operation in the job's current state",
    advice: `${NOT_RETRIED} Describe the job to see its state (RetryJobs works only on jobs in FAILED).`,
  },
  quotaExhausted: {
    type: ErrorType.NonRetryableApiError,
    retryable: false,
    summary: 'a Tencent Cloud quota is exhausted',
    advice: `${NOT_RETRIED} Free quota (finish or delete jobs) or ask Tencent Cloud to raise it.`,
  },
  // Not an API answer at all: most likely a new failure mode of the SDK, so retried within the policy.
  unexpected: {
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'the call failed in a way this package does not recognise',
    advice: 'Retryable within the activity retry policy limits; report this as a bug if it persists.',
  },
  // Unknown codes are retried: every family that can never succeed is in the table, so a new code is most
  // likely a new transient condition. The activity retry policy (which must be finite) is the limit.
  unknown: {
    type: ErrorType.ServiceError,
    retryable: true,
    summary: 'Tencent Cloud answered with an error code this package does not know',
    advice: RETRY_POLICY_BOUNDS,
  },
} satisfies Record<string, FailureKind>;

/** A kind with advice specific to one code. */
function withAdvice(kind: FailureKind, advice: string): FailureKind {
  return { ...kind, advice };
}

/** Credentials refused, with what to check. */
function refused(check: string): FailureKind {
  return withAdvice(kinds.credentialsRefused, `${FIX_OR_ROTATE} ${check}`);
}

const CHECK_SECRET_ID = 'Check TENCENTCLOUD_SECRET_ID (the key may be wrong, deleted or disabled).';
const CHECK_ENDPOINT = `${NOT_RETRIED} Check that TENCENT_BATCH_ENDPOINT points at the Batch API (version 2017-03-12).`;
const CHECK_ZONE = `${NOT_RETRIED} Check TENCENTCLOUD_REGION and the zone of the job.`;
const CHECK_IP = "Not retried: this host's IP address is refused by the account's IP policy.";

/**
 * Error codes and families (`X` covers `X.<anything>` unless a longer entry matches) to their kind: the
 * common codes of API 3.0 and every Batch code of the official SDKs' lists (test/batch walks them all).
 */
const CODE_TABLE: Readonly<Record<string, FailureKind>> = {
  RequestLimitExceeded: kinds.throttled,

  InternalError: kinds.serviceError,
  ServiceUnavailable: kinds.serviceError,
  ResourceUnavailable: kinds.serviceError,
  ResourceInsufficient: kinds.serviceError,
  ResourceInUse: kinds.resourceBusy,
  'UnsupportedOperation.AcceptOtherRequest': kinds.resourceBusy,
  'UnsupportedOperation.ComputeEnvAcceptOtherRequest': kinds.resourceBusy,
  'UnsupportedOperation.ComputeNodeIsTerminating': kinds.resourceBusy,
  FailedOperation: kinds.failedOperation,

  AuthFailure: kinds.credentialsRefused,
  'AuthFailure.SecretIdNotFound': refused(CHECK_SECRET_ID),
  'AuthFailure.InvalidSecretId': refused(CHECK_SECRET_ID),
  'AuthFailure.SignatureFailure': refused(
    'Check TENCENTCLOUD_SECRET_KEY: it must be the key of TENCENTCLOUD_SECRET_ID.',
  ),
  'AuthFailure.SignatureExpire': withAdvice(
    kinds.credentialsRefused,
    `${RETRIED_UNTIL_ACCEPTED} The request's timestamp was more than 5 minutes off Tencent Cloud's clock: sync this host's clock (NTP).`,
  ),
  'AuthFailure.TokenFailure': refused(
    'TENCENTCLOUD_SESSION_TOKEN is invalid or expired: issue new temporary credentials.',
  ),
  'AuthFailure.MFAFailure': refused('The identity requires MFA, which API calls cannot provide.'),
  'AuthFailure.InvalidAuthorization': refused(
    'The Authorization header was rejected: check TENCENTCLOUD_SECRET_ID and TENCENT_BATCH_ENDPOINT.',
  ),
  // Despite its family, this one is CAM saying no: the credentials themselves are fine.
  'AuthFailure.UnauthorizedOperation': kinds.permissionDenied,
  UnauthorizedOperation: kinds.permissionDenied,
  OperationDenied: kinds.permissionDenied, // undocumented for Batch; other services use it for CAM denials
  IpInBlacklist: withAdvice(kinds.permissionDenied, CHECK_IP),
  IpNotInWhitelist: withAdvice(kinds.permissionDenied, CHECK_IP),

  'InvalidParameter.JobIdMalformed': kinds.invalidJobId,
  InvalidParameter: kinds.invalidRequest,
  InvalidParameterValue: kinds.invalidRequest,
  InvalidParameterAtLeastOneAttribute: kinds.invalidRequest,
  AllowedOneAttributeInEnvIdAndComputeEnv: kinds.invalidRequest,
  InvalidFilter: kinds.invalidRequest,
  MissingParameter: kinds.invalidRequest,
  UnknownParameter: kinds.invalidRequest,
  InvalidRequest: kinds.invalidRequest,
  UnsupportedProtocol: kinds.invalidRequest,
  RequestSizeLimitExceeded: kinds.invalidRequest,
  ResponseSizeLimitExceeded: kinds.invalidRequest,
  DryRunOperation: kinds.invalidRequest,
  InvalidAction: withAdvice(kinds.invalidRequest, CHECK_ENDPOINT),
  ActionOffline: kinds.invalidRequest,
  NoSuchVersion: withAdvice(kinds.invalidRequest, CHECK_ENDPOINT),
  NoSuchProduct: withAdvice(kinds.invalidRequest, CHECK_ENDPOINT),
  UnsupportedRegion: withAdvice(kinds.invalidRequest, `${NOT_RETRIED} Check TENCENTCLOUD_REGION.`),
  InvalidZone: withAdvice(kinds.invalidRequest, CHECK_ZONE),
  'InvalidParameterValue.InvalidZoneMismatchRegion': withAdvice(kinds.invalidRequest, CHECK_ZONE),
  'InvalidParameterValue.UnavailableZone': withAdvice(kinds.invalidRequest, CHECK_ZONE),

  ResourceNotFound: kinds.jobNotFound,
  // What these name is configuration in the request (a compute environment, node or template), not a job.
  'ResourceNotFound.ComputeEnv': kinds.invalidRequest,
  'ResourceNotFound.ComputeNode': kinds.invalidRequest,
  'ResourceNotFound.TaskTemplate': kinds.invalidRequest,

  UnsupportedOperation: kinds.unsupportedOperation,
  LimitExceeded: kinds.quotaExhausted,
};

/**
 * How an API error code is handled: its own entry, else its nearest family's (`A.B.C` → `A.B` → `A`), else
 * the retryable unknown kind. `known` says whether the table had an answer.
 */
export function kindOfErrorCode(code: string): FailureKind & { known: boolean } {
  for (let key = code; key !== ''; key = key.slice(0, Math.max(0, key.lastIndexOf('.')))) {
    const kind = CODE_TABLE[key];
    if (kind !== undefined && Object.hasOwn(CODE_TABLE, key)) return { ...kind, known: true };
  }
  return { ...kinds.unknown, known: false };
}

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
  const cause = isError(err) ? err : undefined;
  if (err instanceof MalformedResponseError)
    return malformedResponse(action, err.message, err.requestId, err);
  if (isSdkException(err)) {
    const requestId = err.requestId || undefined;
    if (err.code) {
      const kind = kindOfErrorCode(err.code);
      return failure(action, kind, {
        code: err.code,
        apiMessage: err.message,
        requestId,
        cause: err,
        nextRetryDelayMs: kind.type === ErrorType.Throttled ? throttledRetryDelayMs() : undefined,
      });
    }
    // An API answer (it has a RequestId) with an Error object but no Code.
    if (requestId !== undefined && err.httpCode === undefined) {
      return malformedResponse(action, `an error answer without Error.Code (${err.message})`, requestId, err);
    }
  }
  const transport = cause && transportFailureOf(cause);
  if (transport) {
    const traceId = isSdkException(err) ? err.traceId : undefined;
    return failure(action, transport.kind, { ...transport, apiMessage: cause.message, traceId, cause });
  }
  // The SDK reads `data.Response.Error` without checking: a JSON body without `Response` throws this.
  if (cause?.name === 'TypeError' && /\(reading '(?:Response|Error)'\)/.test(cause.message)) {
    return malformedResponse(action, 'the JSON body has no Response object', undefined, cause);
  }
  return failure(action, kinds.unexpected, {
    code: LocalCode.Unexpected,
    apiMessage: cause ? `${cause.name}: ${cause.message}` : `a thrown ${typeof err}`,
    cause,
  });
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

/** Transport failures are all retryable: none is an answer from the API. */
function transportKind(summary: string, advice: string): FailureKind {
  return { type: ErrorType.TransportError, retryable: true, summary, advice };
}

const TRANSPORT_KINDS: Readonly<Record<(typeof TransportCode)[keyof typeof TransportCode], FailureKind>> = {
  [TransportCode.Timeout]: transportKind(
    'no answer from Tencent Cloud within the request timeout',
    'Retryable; the call may still have taken effect. TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS sets the timeout.',
  ),
  [TransportCode.NonJson]: transportKind(
    'Tencent Cloud answered with a body that is not JSON',
    'Retryable; if it persists, check that TENCENT_BATCH_ENDPOINT points at the Batch API (not a proxy page).',
  ),
  [TransportCode.Network]: transportKind(
    'the connection to Tencent Cloud failed',
    'Retryable; the call may still have taken effect. If it persists, check TENCENT_BATCH_ENDPOINT and the network.',
  ),
};

/**
 * The transport failure an error is, if any: a non-200 status, then node-fetch's `type`, the system `code`,
 * and last the text, because the SDK wraps every fetch failure (connect, reset, timeout) into its own
 * exception keeping only the message.
 */
function transportFailureOf(
  err: Error,
): { kind: FailureKind; code: string; httpStatus?: number } | undefined {
  const { type, code, httpCode } = err as { type?: unknown; code?: unknown; httpCode?: unknown };
  if (typeof httpCode === 'number') {
    return {
      kind: transportKind(
        `the endpoint answered HTTP ${httpCode} instead of an API response`,
        'Retryable; if it persists, check TENCENT_BATCH_ENDPOINT, TENCENT_BATCH_PROTOCOL and any proxy.',
      ),
      code: `HTTP_${httpCode}`,
      httpStatus: httpCode,
    };
  }
  const marker = ((): keyof typeof TRANSPORT_KINDS | undefined => {
    if (err.name === 'FetchError') {
      if (type === 'invalid-json') return TransportCode.NonJson;
      if (type === 'request-timeout' || type === 'body-timeout' || code === 'ETIMEDOUT')
        return TransportCode.Timeout;
      return TransportCode.Network;
    }
    if (err.name === 'SyntaxError') return TransportCode.NonJson;
    if (err.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
      return TransportCode.Timeout;
    if (err.name === 'AbortError' || (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)))
      return TransportCode.Network;
    if (/network timeout|timed? ?out|ETIMEDOUT/i.test(err.message)) return TransportCode.Timeout;
    if (/invalid json|Unexpected token|JSON at position|end of JSON input/i.test(err.message))
      return TransportCode.NonJson;
    if (
      /socket hang up|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|aborted|premature close/i.test(
        err.message,
      )
    )
      return TransportCode.Network;
    // The SDK's own exception without code or status is always a fetch failure.
    return isSdkException(err) ? TransportCode.Network : undefined;
  })();
  return marker === undefined ? undefined : { kind: TRANSPORT_KINDS[marker], code: marker };
}

function isSdkException(err: unknown): err is TencentCloudSDKHttpException {
  return (
    err instanceof TencentCloudSDKHttpException ||
    (isError(err) &&
      typeof (err as Partial<TencentCloudSDKHttpException>).getRequestId === 'function' &&
      typeof (err as Partial<TencentCloudSDKHttpException>).getTraceId === 'function')
  );
}

/** Retryable `ErrorType.MalformedResponse`: the API lies rarely and briefly, the next answer is usually right. */
function malformedResponse(
  action: string,
  problem: string,
  requestId: string | undefined,
  cause: Error,
): ApplicationFailure {
  return failure(
    action,
    {
      type: ErrorType.MalformedResponse,
      retryable: true,
      summary: `the API answered in an undocumented shape: ${problem}`,
      advice: 'Retryable; if it persists, check that TENCENT_BATCH_ENDPOINT points at the Batch API.',
    },
    { code: LocalCode.MalformedResponse, requestId, cause },
  );
}

/**
 * `ErrorType.InvalidJobId`, non-retryable: a job ID failed the local shape check, so no request was sent.
 * @param problems the `summary` of `normalizeJobIds`, or a description of the one bad ID
 */
export function invalidJobIdFailure(action: string, problems: string): ApplicationFailure {
  return failure(
    action,
    {
      type: ErrorType.InvalidJobId,
      retryable: false,
      summary: 'not sent: a job ID is malformed',
      advice: 'Not retried: fix the job IDs (they look like job-rybewp57).',
    },
    { code: LocalCode.InvalidJobId, apiMessage: problems },
  );
}

/** `ErrorType.InvalidInput`, non-retryable: the input failed a local check, so no request was sent. */
export function invalidInputFailure(action: string, problem: string): ApplicationFailure {
  return failure(
    action,
    {
      type: ErrorType.InvalidInput,
      retryable: false,
      summary: 'not sent: the input is invalid',
      advice: 'Not retried: fix the input.',
    },
    { code: LocalCode.InvalidInput, apiMessage: problem },
  );
}

/** A random delay in {@link THROTTLED_RETRY_DELAY_MS}, whole milliseconds. */
export function throttledRetryDelayMs(random: () => number = Math.random): number {
  const { min, max } = THROTTLED_RETRY_DELAY_MS;
  return Math.floor(min + random() * (max - min));
}

interface FailureFacts {
  code: string;
  /** The API's (or the underlying error's) own words, quoted after the code. */
  apiMessage?: string | undefined;
  requestId?: string | undefined;
  traceId?: string | undefined;
  httpStatus?: number | undefined;
  cause?: Error | undefined;
  nextRetryDelayMs?: number | undefined;
}

const MAX_API_MESSAGE_LENGTH = 500;

function failure(action: string, kind: FailureKind, facts: FailureFacts): ApplicationFailure {
  const quoted = facts.apiMessage ? `: ${truncate(facts.apiMessage.trim(), MAX_API_MESSAGE_LENGTH)}` : '';
  const reference =
    facts.requestId !== undefined
      ? ` RequestId: ${facts.requestId}.`
      : facts.traceId
        ? ` No RequestId (TraceId: ${facts.traceId}).`
        : '';
  const advice = kind.advice.replaceAll('{action}', action);
  const message = redactSecrets(`${action}: ${kind.summary} (${facts.code}${quoted}). ${advice}${reference}`);
  const details: TencentApiErrorDetails = {
    code: facts.code,
    action,
    ...(facts.requestId !== undefined ? { requestId: facts.requestId } : {}),
    ...(facts.httpStatus !== undefined ? { httpStatus: facts.httpStatus } : {}),
  };
  return ApplicationFailure.create({
    message,
    type: kind.type,
    nonRetryable: !kind.retryable,
    details: [details],
    cause: facts.cause === undefined ? undefined : safeCause(facts.cause),
    ...(facts.nextRetryDelayMs !== undefined ? { nextRetryDelay: facts.nextRetryDelayMs } : {}),
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
