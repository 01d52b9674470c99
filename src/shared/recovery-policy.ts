import { parseDurationMs } from './duration';
import type { RecoveryPolicyInput, RetryRule } from './recovery-types';

/** A policy with every default applied and every duration in milliseconds. */
export interface ResolvedPolicy {
  pollIntervalMs: number;
  maxRetriesPerJob: number;
  backoff: { initialIntervalMs: number; factor: number; maxIntervalMs: number; jitter: number };
  deadlineMs: number;
  stuckTimeoutMs: number;
  retryRules: RetryRule[];
  repeatedFailureLimit: number;
  failureDetails: 'auto' | 'always';
  onFailedInterrupted: 'ESCALATE' | 'WAIT';
  decisionTimeoutMs: number;
  continueAsNewAfterEvents: number;
}

/**
 * Defaults, with why:
 * - poll every minute: Batch jobs run for minutes to hours, and DescribeJobs is rate-limited (2/s by the
 *   international docs) across the whole account, so tighter polling buys little and costs quota;
 * - 3 retries with 30s→10m backoff: spot reclaims and transient node faults clear within a few tries, while a
 *   job that fails four times needs a person;
 * - 24h deadline and decision timeout: a day-long batch pipeline is the common upper bound, and an escalation
 *   must still be answerable the next working day;
 * - 6h stuck: longer than a normal long task, short enough that a hung job is seen the same day.
 */
export const DEFAULT_POLICY: Readonly<ResolvedPolicy> = Object.freeze({
  pollIntervalMs: 60_000,
  maxRetriesPerJob: 3,
  backoff: Object.freeze({ initialIntervalMs: 30_000, factor: 2, maxIntervalMs: 600_000, jitter: 0.2 }),
  deadlineMs: 24 * 3_600_000,
  stuckTimeoutMs: 6 * 3_600_000,
  retryRules: [],
  repeatedFailureLimit: 0,
  failureDetails: 'auto',
  onFailedInterrupted: 'ESCALATE',
  decisionTimeoutMs: 24 * 3_600_000,
  continueAsNewAfterEvents: 10_000,
});

/** Polling faster than this would spend the account's DescribeJobs quota for no gain. */
export const MIN_POLL_INTERVAL_MS = 1_000;
const MAX_RULES = 50;
const MAX_PATTERN_LENGTH = 512;

export type PolicyResolution = { ok: true; policy: ResolvedPolicy } | { ok: false; problems: string[] };

/** Applies defaults and validates every field, reporting every problem at once. Pure. */
export function resolvePolicy(input: RecoveryPolicyInput | undefined): PolicyResolution {
  const p = input ?? {};
  const problems: string[] = [];
  const duration = (name: string, value: string | number | undefined, fallback: number, min = 1): number => {
    if (value === undefined) return fallback;
    if (min === 0 && isZeroDuration(value)) return 0;
    const ms = parseDurationMs(value);
    if (ms === undefined || ms < min) {
      problems.push(`policy.${name}: ${JSON.stringify(value)} is not a duration of at least ${min} ms`);
      return fallback;
    }
    return ms;
  };
  const int = (
    name: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`policy.${name}: ${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const num = (
    name: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`policy.${name}: ${JSON.stringify(value)} must be a number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(
    name: string,
    value: T | undefined,
    allowed: readonly T[],
    fallback: T,
  ): T => {
    if (value === undefined) return fallback;
    if (!allowed.includes(value)) {
      problems.push(`policy.${name}: ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value;
  };

  const d = DEFAULT_POLICY;
  const b = p.backoff ?? {};
  const policy: ResolvedPolicy = {
    pollIntervalMs: duration('pollInterval', p.pollInterval, d.pollIntervalMs, MIN_POLL_INTERVAL_MS),
    maxRetriesPerJob: int('maxRetriesPerJob', p.maxRetriesPerJob, d.maxRetriesPerJob, 0, 100),
    backoff: {
      // 0 retries at once (every retry: 0 × factor is still 0).
      initialIntervalMs: duration(
        'backoff.initialInterval',
        b.initialInterval,
        d.backoff.initialIntervalMs,
        0,
      ),
      factor: num('backoff.factor', b.factor, d.backoff.factor, 1, 100),
      maxIntervalMs: duration('backoff.maxInterval', b.maxInterval, d.backoff.maxIntervalMs),
      jitter: num('backoff.jitter', b.jitter, d.backoff.jitter, 0, 1),
    },
    deadlineMs: duration('deadline', p.deadline, d.deadlineMs),
    stuckTimeoutMs: duration('stuckTimeout', p.stuckTimeout, d.stuckTimeoutMs),
    retryRules: validateRules(p.retryRules, problems),
    repeatedFailureLimit: int('repeatedFailureLimit', p.repeatedFailureLimit, d.repeatedFailureLimit, 0, 100),
    failureDetails: oneOf('failureDetails', p.failureDetails, ['auto', 'always'], d.failureDetails),
    onFailedInterrupted: oneOf(
      'onFailedInterrupted',
      p.onFailedInterrupted,
      ['ESCALATE', 'WAIT'],
      'ESCALATE',
    ),
    decisionTimeoutMs: duration(
      'escalation.decisionTimeout',
      p.escalation?.decisionTimeout,
      d.decisionTimeoutMs,
    ),
    continueAsNewAfterEvents: int(
      'continueAsNewAfterEvents',
      p.continueAsNewAfterEvents,
      d.continueAsNewAfterEvents,
      100,
      50_000,
    ),
  };
  if (policy.backoff.maxIntervalMs < policy.backoff.initialIntervalMs) {
    problems.push('policy.backoff.maxInterval must not be shorter than backoff.initialInterval');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy };
}

function validateRules(rules: RetryRule[] | undefined, problems: string[]): RetryRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) {
    problems.push('policy.retryRules must be an array');
    return [];
  }
  if (rules.length > MAX_RULES) problems.push(`policy.retryRules: at most ${MAX_RULES} rules`);
  rules.forEach((rule, i) => {
    if (rule === null || typeof rule !== 'object') {
      problems.push(`policy.retryRules[${i}] must be an object`);
      return;
    }
    if (rule.action !== 'RETRY' && rule.action !== 'ESCALATE') {
      problems.push(`policy.retryRules[${i}].action must be RETRY or ESCALATE`);
    }
    for (const key of ['onStateReason', 'onExitCode', 'onTaskName'] as const) {
      const v = rule[key];
      if (v !== undefined && (typeof v !== 'string' || v.length > MAX_PATTERN_LENGTH)) {
        problems.push(
          `policy.retryRules[${i}].${key} must be a string of at most ${MAX_PATTERN_LENGTH} characters`,
        );
      }
    }
  });
  return rules;
}

/** True when a rule needs failure details (StateReason, exit codes or task names) to be evaluated. */
export function rulesNeedDetails(rules: readonly RetryRule[]): boolean {
  return rules.some(
    (r) => r.onStateReason !== undefined || r.onExitCode !== undefined || r.onTaskName !== undefined,
  );
}

/** `0`, `'0'`, `'0s'`, `'0ms'`...: a zero the duration parser (which wants a positive duration) would refuse. */
function isZeroDuration(value: string | number): boolean {
  return value === 0 || (typeof value === 'string' && /^0+(\.0+)?\s*(ms|s|m|h|d)?$/.test(value.trim()));
}
