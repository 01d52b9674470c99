/**
 * The Tencent Cloud Batch client layer used by the activities: configuration read once at the process edge,
 * the typed {@link BatchApi} over the official SDK, and the one classifier of its failures.
 */
export type { BatchApi, JobDetail, JobSummary, TaskDetail, TaskMetrics } from './batch-api';
export {
  BATCH_CONFIG_DEFAULTS,
  BATCH_CONFIG_VARIABLES,
  type BatchConfig,
  BatchConfigError,
  type BatchConfigIssue,
  type BatchConfigVariable,
  type BatchProtocol,
  MAX_REQUEST_TIMEOUT_SECONDS,
  parseBatchConfig,
} from './batch-config';
export {
  LocalCode,
  MalformedResponseError,
  THROTTLED_RETRY_DELAY_MS,
  TransportCode,
  classifyTencentError,
} from './classify-error';
export {
  CREDENTIAL_SOURCE_KINDS,
  CREDENTIALS_UNAVAILABLE_PREFIX,
  type CredentialSource,
  type CredentialSourceKind,
  CredentialsUnavailableError,
} from './credential-source';
export { Credentials, REDACTED, redactSecrets } from './credentials';
export { SanitizedError } from './sanitize-error';
export { createBatchApi, createCredentialCheck } from './tencent-batch-api';
