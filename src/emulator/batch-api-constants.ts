/**
 * Names and limits of the Tencent Cloud Batch API (2017-03-12) that the emulator reproduces. Values follow
 * /work/shared/reference/tencent-batch-api.md; where the docs disagree, the comment says which source won.
 */

/** The only API version the emulator answers; any other gets `NoSuchVersion`. */
export const BATCH_API_VERSION = '2017-03-12';

/** The product name in error messages and the service of the Go/Python SDKs' credential scope. */
export const BATCH_SERVICE = 'batch';

/** The actions the emulator implements. Any other `X-TC-Action` gets `InvalidAction`. */
export const BATCH_ACTIONS = [
  'SubmitJob',
  'DescribeJob',
  'DescribeJobs',
  'DescribeTask',
  'RetryJobs',
  'TerminateJob',
  'DeleteJob',
] as const;
export type BatchAction = (typeof BATCH_ACTIONS)[number];

/** True when `value` names an action the emulator implements. */
export function isBatchAction(value: unknown): value is BatchAction {
  return typeof value === 'string' && (BATCH_ACTIONS as readonly string[]).includes(value);
}

/**
 * Requests per second per action. RetryJobs follows the seed document (2/s); the others follow the
 * international docs, the stricter of the two editions, so that a client that passes here also passes in
 * production. DeleteJob is not in the reference table: it gets the same 2/s as TerminateJob.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<BatchAction, number>> = {
  RetryJobs: 2,
  DescribeJob: 2,
  DescribeJobs: 2,
  DescribeTask: 3,
  SubmitJob: 7,
  TerminateJob: 2,
  DeleteJob: 2,
};

/** Most job IDs one RetryJobs or DescribeJobs request may carry (Chinese docs). */
export const MAX_JOB_IDS_PER_REQUEST = 100;

/** DescribeJobs paging: default and largest `Limit`. */
export const DESCRIBE_JOBS_LIMIT = { default: 20, max: 100 } as const;

/** DescribeTask paging: default and largest `Limit`. */
export const DESCRIBE_TASK_LIMIT = { default: 100, max: 1000 } as const;

/** Largest request body API 3.0 accepts over POST (10 MB); larger gets `RequestSizeLimitExceeded`. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/** Accepted `X-TC-Language` values. */
export const LANGUAGES = ['zh-CN', 'en-US'] as const;

/**
 * Credentials the emulator accepts unless told otherwise. Public on purpose: they only ever open the local
 * emulator. The SecretId has the `AKID` + 32 characters shape of real ones so clients that check it pass.
 */
export const DEFAULT_EMULATOR_CREDENTIALS: Readonly<EmulatorCredentials> = Object.freeze({
  secretId: 'AKIDEMULATOR000000000000000000000000',
  secretKey: 'emulator-secret-key-not-for-production',
});

/** A SecretId/SecretKey pair the emulator accepts, optionally bound to a session token. */
export interface EmulatorCredentials {
  secretId: string;
  secretKey: string;
  /** When set, requests signed with this SecretId must carry this `X-TC-Token`. */
  token?: string;
}
