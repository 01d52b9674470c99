/**
 * `ApplicationFailure.type` values this package raises. Callers in any language match on these strings,
 * so they are part of the public contract: add, never rename.
 */
export const ErrorType = {
  /** The workflow or activity input is invalid. Never retried. */
  InvalidInput: 'InvalidInput',
  /** A job ID does not have the shape of a Tencent Batch job ID. Never retried. */
  InvalidJobId: 'InvalidJobId',
  /**
   * Tencent Cloud refused the credentials or signature (AuthFailure.*): platform trouble, not the jobs'. Retried
   * slowly until the keys are fixed; never fails a job.
   */
  AuthFailure: 'TencentBatchAuthFailure',
  /** The credentials are valid but not allowed the call (UnauthorizedOperation*, CAM, IP lists). Never retried. */
  PermissionDenied: 'TencentBatchPermissionDenied',
  /** The request was malformed for the API (InvalidParameter*, MissingParameter, UnknownParameter...). */
  InvalidRequest: 'TencentBatchInvalidRequest',
  /** The job does not exist (ResourceNotFound.Job). */
  JobNotFound: 'TencentBatchJobNotFound',
  /** The operation is not allowed in the job's state (UnsupportedOperation). */
  UnsupportedOperation: 'TencentBatchUnsupportedOperation',
  /** A quota (LimitExceeded) or another refusal that retrying cannot fix. */
  NonRetryableApiError: 'TencentBatchNonRetryableApiError',
  /** The API throttled the call (RequestLimitExceeded*). Retried with backoff. */
  Throttled: 'TencentBatchThrottled',
  /** InternalError, ServiceUnavailable, ResourceUnavailable. Retried. */
  ServiceError: 'TencentBatchServiceError',
  /** Network failure, timeout, non-200 gateway answer or a body that is not JSON. Retried. */
  TransportError: 'TencentBatchTransportError',
  /** The API answered in a shape it never documents (missing fields, wrong types). Retried. */
  MalformedResponse: 'TencentBatchMalformedResponse',
  /** Polling: nothing changed yet. Raised on purpose so the activity retry policy drives the poll. */
  JobsUnchanged: 'JobsUnchanged',
  /**
   * Polling: the API budget was busy with calls that cannot wait (first reads, a read a signal asked for, retries),
   * so this poll gave way. BENIGN, retried at the next poll.
   */
  ApiBudgetBusy: 'ApiBudgetBusy',
  /** The escalation webhook could not be reached or refused the notification. Retried. */
  EscalationDeliveryFailed: 'EscalationDeliveryFailed',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Error types that retrying can never fix: listed in activity retry policies' `nonRetryableErrorTypes`. */
export const NON_RETRYABLE_ERROR_TYPES: readonly ErrorType[] = [
  ErrorType.InvalidInput,
  ErrorType.InvalidJobId,
  ErrorType.PermissionDenied,
  ErrorType.InvalidRequest,
  ErrorType.JobNotFound,
  ErrorType.UnsupportedOperation,
  ErrorType.NonRetryableApiError,
];

/**
 * Details attached to every Tencent API failure (`ApplicationFailure.details[0]`). Never holds credentials.
 */
export interface TencentApiErrorDetails {
  /** The API's error code (e.g. `RequestLimitExceeded`), or a transport marker such as `HTTP_502`, `NETWORK`, `TIMEOUT`, `NON_JSON`. */
  code: string;
  /** The API's RequestId, when the API answered. */
  requestId?: string;
  /** The action that failed (e.g. `RetryJobs`). */
  action: string;
  /** HTTP status of a non-200 answer. */
  httpStatus?: number;
}
