/**
 * A local emulator of the Tencent Cloud Batch API (2017-03-12) that the official SDKs talk to over HTTP as to
 * batch.tencentcloudapi.com. See ./README.md.
 */
export { startEmulator, type RunningEmulator } from './emulator';
export {
  type AdminAccess,
  type EmulatorOptions,
  EmulatorOptionsError,
  resolveEmulatorOptions,
} from './emulator-options';
export type { EmulatorControls } from './emulator-controls';
export type { CredentialControls, IssuedTemporaryCredentials, KeyListing } from './credential-store';
export {
  BATCH_ACTIONS,
  BATCH_API_VERSION,
  type BatchAction,
  DEFAULT_EMULATOR_CREDENTIALS,
  DEFAULT_RATE_LIMITS,
  type EmulatorCredentials,
} from './batch-api-constants';
export {
  DEFAULT_JOB_TIMING,
  type FinalJobState,
  InvalidJobScriptError,
  type JobScript,
  type ScriptedAttempt,
  parseJobScript,
} from './job-script';
export { InvalidJobError, type JobSpec } from './job-store';
export type { ForceStateOptions } from './job-planner';
export type { EmulatedJob } from './job-views';
export { FAULT_KINDS, type FaultKind, type FaultRule } from './faults';
export {
  type AppliedEffects,
  type AppliedRetry,
  Ledger,
  type LedgerEntry,
  type LedgerFilter,
  type WindowCount,
} from './ledger';
export { SCRIPT_TAG_KEY } from './actions';
export { ADMIN_PREFIX } from './admin-api';
export { seedDemoJobs, type DemoJob } from './demo-jobs';
export {
  type Tc3SignInput,
  type Tc3Signature,
  buildCanonicalRequest,
  computeSignature,
  sha256Hex,
  signTc3Request,
  utcDateOf,
} from './tc3-signer';
export { parseAuthorization, verifyTc3Request } from './tc3-verifier';
