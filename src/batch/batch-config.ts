import { existsSync } from 'node:fs';
import {
  CREDENTIAL_SOURCE_KINDS,
  fixedCredentialSource,
  type CredentialSource,
  type CredentialSourceKind,
} from './credential-source';
import { Credentials } from './credentials';
import { createProviderSource, profileCredentialPaths } from './sdk-credential-providers';

/**
 * Configuration of the Tencent Cloud Batch client, read once at the process edge (worker, CLI) with
 * {@link parseBatchConfig}. Nothing else in the package reads these variables.
 */
export interface BatchConfig {
  /**
   * Where each API call gets its credentials (`TENCENTCLOUD_CREDENTIALS`, see {@link CredentialSourceKind}).
   * The default `env` source holds `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the optional
   * `TENCENTCLOUD_SESSION_TOKEN`, validated once; the others ask the SDK's provider on every call. Redacted when
   * logged.
   */
  readonly credentials: CredentialSource;
  /**
   * `TENCENTCLOUD_REGION`: the region whose Batch jobs this process manages.
   * @default 'ap-guangzhou'
   */
  readonly region: string;
  /**
   * `TENCENT_BATCH_ENDPOINT`: host or host:port, no scheme (e.g. `127.0.0.1:9090` for the emulator).
   * @default 'batch.tencentcloudapi.com'
   */
  readonly endpoint: string;
  /**
   * `TENCENT_BATCH_PROTOCOL`.
   * @default 'https://'
   */
  readonly protocol: BatchProtocol;
  /**
   * `TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS`: how long one API call may take, connection to last body byte.
   * @default 10
   */
  readonly requestTimeoutSeconds: number;
}

/** Schemes the SDK can speak; `http://` is for local emulators. */
export type BatchProtocol = 'https://' | 'http://';

/** The environment variables {@link parseBatchConfig} reads. */
export const BATCH_CONFIG_VARIABLES = [
  'TENCENTCLOUD_CREDENTIALS',
  'TENCENTCLOUD_SECRET_ID',
  'TENCENTCLOUD_SECRET_KEY',
  'TENCENTCLOUD_SESSION_TOKEN',
  'TENCENTCLOUD_ROLE_ARN',
  'TENCENTCLOUD_ROLE_SESSION_NAME',
  'TKE_REGION',
  'TKE_PROVIDER_ID',
  'TKE_WEB_IDENTITY_TOKEN_FILE',
  'TKE_ROLE_ARN',
  'TENCENTCLOUD_REGION',
  'TENCENT_BATCH_ENDPOINT',
  'TENCENT_BATCH_PROTOCOL',
  'TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS',
] as const;
export type BatchConfigVariable = (typeof BATCH_CONFIG_VARIABLES)[number];

/** Defaults of the optional variables. */
export const BATCH_CONFIG_DEFAULTS = {
  /** Tencent Cloud's own default region in its docs and consoles. */
  region: 'ap-guangzhou',
  /** The public API 3.0 endpoint; the SDK routes it to the nearest region. */
  endpoint: 'batch.tencentcloudapi.com',
  protocol: 'https://',
  /**
   * 10 s, not the SDK's 60 s: Batch API calls answer in well under a second, so a call still open after 10 s
   * is hung (dead connection, stalled gateway). Failing it fast turns it into a retryable TIMEOUT that
   * Temporal retries on a fresh connection, instead of holding an activity slot (and, for RetryJobs, a
   * rate-limit token's worth of time) for a minute. Keep it below the activities' start-to-close timeout.
   */
  requestTimeoutSeconds: 10,
} as const satisfies Omit<BatchConfig, 'credentials'>;

/** Largest accepted request timeout: beyond this a hung call holds an activity slot for no benefit. */
export const MAX_REQUEST_TIMEOUT_SECONDS = 120;

/** One problem with one variable. Never contains a secret's value. */
export interface BatchConfigIssue {
  variable: BatchConfigVariable;
  message: string;
}

/** Every problem found in the configuration, reported together so that one restart fixes them all. */
export class BatchConfigError extends Error {
  override readonly name = 'BatchConfigError';
  /** Every problem found, in variable order. */
  readonly issues: readonly BatchConfigIssue[];

  constructor(issues: readonly BatchConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `Invalid Tencent Cloud Batch configuration (${count}):\n` +
        issues.map((i) => `  - ${i.message}`).join('\n'),
    );
    this.issues = issues;
  }
}

/**
 * Reads and validates the Batch client configuration once. Pure but for one look at the file system (with
 * `TENCENTCLOUD_CREDENTIALS=profile`, that a profile file exists): pass `process.env` at the process edge,
 * a plain object in tests.
 *
 * Optional variables set to the empty string count as unset (docker-compose and CI often write `VAR=`).
 * Messages name the variable and the problem, never a secret's value.
 *
 * @throws {BatchConfigError} listing every bad or missing variable at once.
 */
export function parseBatchConfig(env: Readonly<Record<string, string | undefined>>): BatchConfig {
  const issues: BatchConfigIssue[] = [];
  const report = (variable: BatchConfigVariable, message: string): void => {
    issues.push({ variable, message });
  };

  const kind = parseCredentialKind(optional(env, 'TENCENTCLOUD_CREDENTIALS'), report);
  // Keys in the environment are read by `env` and `sts` (the keys that assume the role) only.
  const usesKeys = kind === 'env' || kind === 'sts';
  const secretId = usesKeys ? requiredSecret(env, 'TENCENTCLOUD_SECRET_ID', report) : undefined;
  const secretKey = usesKeys ? requiredSecret(env, 'TENCENTCLOUD_SECRET_KEY', report) : undefined;
  const sessionToken = usesKeys ? optionalSecret(env, 'TENCENTCLOUD_SESSION_TOKEN', report) : undefined;
  if (kind !== undefined && !usesKeys && kind !== 'default-chain') reportUnusedKeys(env, kind, report);
  const role = kind === 'sts' ? parseStsRole(env, report) : undefined;
  if (kind === 'oidc') requireTkeVariables(env, report);
  if (kind === 'profile') requireProfileFile(report);
  const region = parseRegion(optional(env, 'TENCENTCLOUD_REGION') ?? BATCH_CONFIG_DEFAULTS.region, report);
  const endpoint = parseEndpoint(
    optional(env, 'TENCENT_BATCH_ENDPOINT') ?? BATCH_CONFIG_DEFAULTS.endpoint,
    report,
  );
  const protocol = parseProtocol(
    optional(env, 'TENCENT_BATCH_PROTOCOL') ?? BATCH_CONFIG_DEFAULTS.protocol,
    report,
  );
  const requestTimeoutSeconds = parseTimeout(optional(env, 'TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS'), report);

  // With temporary credentials the SDK sends the session token as a plain X-TC-Token header; over http://
  // anyone on the path could reuse it until it expires. Loopback (an emulator) is the only safe http:// target.
  // Every source but fixed long-lived keys may hand out temporary ones, whose token travels the same way.
  const mayCarryToken = sessionToken !== undefined || (kind !== undefined && kind !== 'env');
  if (protocol === 'http://' && mayCarryToken && endpoint !== undefined && !isLoopback(endpoint)) {
    report(
      'TENCENT_BATCH_PROTOCOL',
      sessionToken !== undefined
        ? 'TENCENT_BATCH_PROTOCOL is http:// with TENCENTCLOUD_SESSION_TOKEN set and a non-loopback ' +
            'TENCENT_BATCH_ENDPOINT: the token would travel in clear text; use https://'
        : `TENCENT_BATCH_PROTOCOL is http:// with TENCENTCLOUD_CREDENTIALS=${kind} (temporary credentials) ` +
            'and a non-loopback TENCENT_BATCH_ENDPOINT: the token would travel in clear text; use https://',
    );
  }

  if (
    issues.length > 0 ||
    kind === undefined ||
    (usesKeys && (secretId === undefined || secretKey === undefined)) ||
    region === undefined ||
    endpoint === undefined ||
    protocol === undefined ||
    requestTimeoutSeconds === undefined
  ) {
    throw new BatchConfigError(sortIssues(issues));
  }
  const keys =
    secretId !== undefined && secretKey !== undefined
      ? new Credentials(secretId, secretKey, sessionToken)
      : undefined;
  return Object.freeze({
    credentials: credentialSourceFor(kind, keys, role, region),
    region,
    endpoint,
    protocol,
    requestTimeoutSeconds,
  });
}

type Report = (variable: BatchConfigVariable, message: string) => void;

/** The role that `sts` assumes. */
interface StsRole {
  roleArn: string;
  roleSessionName: string;
}

/** Sessions are named after the package unless told otherwise: CloudAudit then shows who acted. */
const DEFAULT_ROLE_SESSION_NAME = 'tencent-batch-recovery';

function credentialSourceFor(
  kind: CredentialSourceKind,
  keys: Credentials | undefined,
  role: StsRole | undefined,
  region: string,
): CredentialSource {
  if (kind === 'env' && keys) return fixedCredentialSource(keys);
  if (kind === 'sts' && keys && role) return createProviderSource({ kind, base: keys, region, ...role });
  if (kind === 'env' || kind === 'sts') throw new Error(`unreachable: ${kind} without its keys`);
  return createProviderSource({ kind });
}

function parseCredentialKind(value: string | undefined, report: Report): CredentialSourceKind | undefined {
  if (value === undefined) return 'env';
  const kind = CREDENTIAL_SOURCE_KINDS.find((k) => k === value.trim().toLowerCase());
  if (kind === undefined) {
    report(
      'TENCENTCLOUD_CREDENTIALS',
      `TENCENTCLOUD_CREDENTIALS=${JSON.stringify(value)} must be one of ${CREDENTIAL_SOURCE_KINDS.join(', ')}`,
    );
  }
  return kind;
}

/** Keys set beside a source that ignores them are a mistake waiting to confuse someone: say so. */
function reportUnusedKeys(
  env: Readonly<Record<string, string | undefined>>,
  kind: CredentialSourceKind,
  report: Report,
): void {
  for (const name of [
    'TENCENTCLOUD_SECRET_ID',
    'TENCENTCLOUD_SECRET_KEY',
    'TENCENTCLOUD_SESSION_TOKEN',
  ] as const) {
    if (optional(env, name) !== undefined) {
      report(
        name,
        `${name} is set but TENCENTCLOUD_CREDENTIALS=${kind} does not use it: unset it, or use TENCENTCLOUD_CREDENTIALS=env`,
      );
    }
  }
}

function parseStsRole(
  env: Readonly<Record<string, string | undefined>>,
  report: Report,
): StsRole | undefined {
  const roleArn = optional(env, 'TENCENTCLOUD_ROLE_ARN');
  if (roleArn === undefined) {
    report(
      'TENCENTCLOUD_ROLE_ARN',
      'TENCENTCLOUD_ROLE_ARN is not set (TENCENTCLOUD_CREDENTIALS=sts assumes it)',
    );
  } else if (!/^qcs::cam::uin\/\d+:role(?:Name)?\/\S+$/.test(roleArn)) {
    report(
      'TENCENTCLOUD_ROLE_ARN',
      `TENCENTCLOUD_ROLE_ARN=${JSON.stringify(roleArn)} is not a role ARN (qcs::cam::uin/<uin>:roleName/<name>)`,
    );
  }
  const roleSessionName = optional(env, 'TENCENTCLOUD_ROLE_SESSION_NAME') ?? DEFAULT_ROLE_SESSION_NAME;
  if (!/^[\w+=,.@-]{2,128}$/.test(roleSessionName)) {
    report(
      'TENCENTCLOUD_ROLE_SESSION_NAME',
      'TENCENTCLOUD_ROLE_SESSION_NAME must be 2-128 characters of letters, digits and +=,.@-_',
    );
  }
  return roleArn === undefined ? undefined : { roleArn, roleSessionName };
}

/** The SDK reads these itself, on the first call; checking them here reports them with the rest at start. */
function requireTkeVariables(env: Readonly<Record<string, string | undefined>>, report: Report): void {
  for (const name of [
    'TKE_REGION',
    'TKE_PROVIDER_ID',
    'TKE_WEB_IDENTITY_TOKEN_FILE',
    'TKE_ROLE_ARN',
  ] as const) {
    if (optional(env, name) === undefined) {
      report(
        name,
        `${name} is not set (TENCENTCLOUD_CREDENTIALS=oidc reads it; TKE sets it on pods with an OIDC role)`,
      );
    }
  }
}

/**
 * The profile file must exist at start; its content is read on every call (so a rotated key is picked up), and a
 * file that is missing later, or has no key, is reported by the call that needed it.
 */
function requireProfileFile(report: Report): void {
  const paths = profileCredentialPaths();
  if (!paths.some((p) => existsSync(p))) {
    report(
      'TENCENTCLOUD_CREDENTIALS',
      `TENCENTCLOUD_CREDENTIALS=profile but no profile file exists (${paths.join(', ')})`,
    );
  }
}

function optional(
  env: Readonly<Record<string, string | undefined>>,
  name: BatchConfigVariable,
): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function requiredSecret(
  env: Readonly<Record<string, string | undefined>>,
  name: BatchConfigVariable,
  report: Report,
): string | undefined {
  const value = env[name];
  if (value === undefined) {
    report(name, `${name} is not set`);
    return undefined;
  }
  if (value === '') {
    report(name, `${name} is empty`);
    return undefined;
  }
  return checkSecretShape(name, value, report);
}

function optionalSecret(
  env: Readonly<Record<string, string | undefined>>,
  name: BatchConfigVariable,
  report: Report,
): string | undefined {
  const value = optional(env, name);
  return value === undefined ? undefined : checkSecretShape(name, value, report);
}

/** Problems are described by kind only: the value itself is never echoed. */
function checkSecretShape(name: BatchConfigVariable, value: string, report: Report): string | undefined {
  if (value.trim() === '') {
    report(name, `${name} is blank (only whitespace)`);
    return undefined;
  }
  if (value !== value.trim()) {
    // A pasted newline or space is the usual cause of AuthFailure.SignatureFailure: catch it here instead.
    report(name, `${name} has leading or trailing whitespace`);
    return undefined;
  }
  // Control characters or spaces inside would break the HTTP header the value travels in (or is signed for).
  if (/[\s\p{Cc}]/u.test(value)) {
    report(name, `${name} contains whitespace or control characters`);
    return undefined;
  }
  return value;
}

const REGION_PATTERN = /^[a-z]{2}-[a-z]+(?:-[a-z0-9]+)*$/;

function parseRegion(value: string, report: Report): string | undefined {
  if (REGION_PATTERN.test(value)) return value;
  report(
    'TENCENTCLOUD_REGION',
    `TENCENTCLOUD_REGION=${JSON.stringify(value)} is not a Tencent Cloud region (e.g. ap-guangzhou, na-siliconvalley)`,
  );
  return undefined;
}

function parseEndpoint(value: string, report: Report): string | undefined {
  const name = 'TENCENT_BATCH_ENDPOINT';
  // The value could carry userinfo (user:password@host); only echo values that cannot.
  const shown = value.includes('@') ? 'the value' : JSON.stringify(value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    report(
      name,
      `${name}=${shown} must be host or host:port without a scheme; set the scheme in TENCENT_BATCH_PROTOCOL`,
    );
    return undefined;
  }
  if (/[\s/?#@\\]/.test(value)) {
    report(name, `${name}=${shown} must be host or host:port only (no path, query, userinfo or whitespace)`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    report(name, `${name}=${shown} is not a valid host or host:port`);
    return undefined;
  }
  const port = /:(\d+)$/.exec(value)?.[1];
  if (url.hostname === '' || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    report(name, `${name}=${shown} is not a valid host or host:port (port must be 1-65535)`);
    return undefined;
  }
  return value;
}

function parseProtocol(value: string, report: Report): BatchProtocol | undefined {
  const normalized = value.toLowerCase().replace(/:\/\/$/, '');
  if (normalized === 'https') return 'https://';
  if (normalized === 'http') return 'http://';
  report(
    'TENCENT_BATCH_PROTOCOL',
    `TENCENT_BATCH_PROTOCOL=${JSON.stringify(value)} must be https:// or http://`,
  );
  return undefined;
}

function parseTimeout(value: string | undefined, report: Report): number | undefined {
  if (value === undefined) return BATCH_CONFIG_DEFAULTS.requestTimeoutSeconds;
  const seconds = /^\d+(?:\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_REQUEST_TIMEOUT_SECONDS) return seconds;
  report(
    'TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS',
    `TENCENT_BATCH_REQUEST_TIMEOUT_SECONDS=${JSON.stringify(value)} must be a number of seconds ` +
      `greater than 0 and at most ${MAX_REQUEST_TIMEOUT_SECONDS}`,
  );
  return undefined;
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(`http://${endpoint}`).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sortIssues(issues: BatchConfigIssue[]): BatchConfigIssue[] {
  return [...issues].sort(
    (a, b) => BATCH_CONFIG_VARIABLES.indexOf(a.variable) - BATCH_CONFIG_VARIABLES.indexOf(b.variable),
  );
}
