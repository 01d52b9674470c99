/** Options of `startEmulator`, their defaults, and the check that reports every bad option at once. */
import {
  type BatchAction,
  DEFAULT_EMULATOR_CREDENTIALS,
  DEFAULT_RATE_LIMITS,
  type EmulatorCredentials,
  isBatchAction,
} from './batch-api-constants';
import { type FaultRule, checkFaultRule } from './faults';
import { InvalidJobScriptError, type JobScript, parseJobScript } from './job-script';

/** How to start an emulator. Every field is optional. */
export interface EmulatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Accepted credentials. @default [DEFAULT_EMULATOR_CREDENTIALS] */
  credentials?: EmulatorCredentials[];
  /**
   * Requests per second per action, merged over the defaults (RetryJobs 2, DescribeJob 2, DescribeJobs 2,
   * DescribeTask 3, SubmitJob 7, TerminateJob 2, DeleteJob 2). 0 or Infinity: unlimited.
   */
  rateLimits?: Partial<Record<BatchAction, number>>;
  /** Emulated seconds per real second for job progress (60: a minute of job time per second). @default 1 */
  timeScale?: number;
  /** Outcome of jobs created without a script. @default every attempt succeeds */
  defaultScript?: JobScript;
  /** Fault rules active from the start. @default [] */
  faults?: FaultRule[];
  /** Seed of fault probabilities and generated IDs. @default 1 */
  seed?: number;
  /** Largest accepted |X-TC-Timestamp − server time| in seconds, as the API's 5 minutes. @default 300 */
  clockSkewToleranceSeconds?: number;
  /** Also append every ledger entry to this JSONL file (truncated at start). @default none */
  ledgerPath?: string;
  /**
   * Who may use the unsigned admin API under /_emulator/: 'loopback' (requests from 127.0.0.1 / ::1 only),
   * 'any', or 'off'. @default 'loopback'
   */
  adminAccess?: AdminAccess;
}

/** Who may use the admin API. */
export type AdminAccess = 'loopback' | 'any' | 'off';

/** Options with every default applied. */
export interface ResolvedEmulatorOptions {
  host: string;
  port: number;
  credentials: EmulatorCredentials[];
  rateLimits: Record<BatchAction, number>;
  timeScale: number;
  defaultScript: JobScript;
  faults: FaultRule[];
  seed: number;
  clockSkewToleranceSeconds: number;
  ledgerPath: string | undefined;
  adminAccess: AdminAccess;
}

/** Thrown by `startEmulator` for bad options; lists every problem. */
export class EmulatorOptionsError extends Error {
  override readonly name = 'EmulatorOptionsError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid emulator options: ${problems.join('; ')}`);
  }
}

/** Applies defaults and checks every option. @throws {EmulatorOptionsError} */
export function resolveEmulatorOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const problems: string[] = [];
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`port must be 0..65535, got ${port}`);
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) problems.push(`timeScale must be > 0, got ${timeScale}`);
  const credentials = options.credentials ?? [{ ...DEFAULT_EMULATOR_CREDENTIALS }];
  if (credentials.length === 0) problems.push('credentials must list at least one SecretId/SecretKey pair');
  for (const c of credentials) {
    if (!c.secretId || !c.secretKey)
      problems.push('every credential needs a non-empty secretId and secretKey');
  }
  const rateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const [action, rps] of Object.entries(options.rateLimits ?? {})) {
    if (!isBatchAction(action)) problems.push(`rateLimits: unknown action ${action}`);
    else if (typeof rps !== 'number' || Number.isNaN(rps) || rps < 0) {
      problems.push(`rateLimits.${action} must be >= 0, got ${String(rps)}`);
    } else rateLimits[action] = rps;
  }
  let defaultScript: JobScript = { attempts: [{ outcome: 'SUCCEED' }] };
  if (options.defaultScript !== undefined) {
    try {
      defaultScript = parseJobScript(options.defaultScript);
    } catch (error) {
      if (!(error instanceof InvalidJobScriptError)) throw error;
      problems.push(`defaultScript: ${error.problems.join('; ')}`);
    }
  }
  for (const rule of options.faults ?? []) {
    try {
      checkFaultRule(rule);
    } catch (error) {
      problems.push(`faults: ${(error as Error).message}`);
    }
  }
  const clockSkewToleranceSeconds = options.clockSkewToleranceSeconds ?? 300;
  if (!(clockSkewToleranceSeconds >= 0)) problems.push('clockSkewToleranceSeconds must be >= 0');
  const adminAccess = options.adminAccess ?? 'loopback';
  if (!['loopback', 'any', 'off'].includes(adminAccess))
    problems.push(`adminAccess must be loopback, any or off`);
  if (problems.length > 0) throw new EmulatorOptionsError(problems);
  return {
    host: options.host ?? '127.0.0.1',
    port,
    credentials,
    rateLimits,
    timeScale,
    defaultScript,
    faults: options.faults ?? [],
    seed: options.seed ?? 1,
    clockSkewToleranceSeconds,
    ledgerPath: options.ledgerPath,
    adminAccess,
  };
}
