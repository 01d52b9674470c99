/**
 * Pure decisions about one failure: which rule applies, how it compares with the previous one, and how long to
 * back off. No workflow APIs, so they are unit-tested directly.
 */
import type { FailedTask } from '../shared/batch-types';
import { fnv1a } from '../shared/job-id';
import type { ResolvedPolicy } from '../shared/recovery-policy';
import type { FailureRecord, RetryRule } from '../shared/recovery-types';

/** Glob match where `*` matches any run of characters (including none) and the rest is literal. */
export function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last))
    return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, pos);
    if (found < 0 || found + middle.length > end) return false;
    pos = found + middle.length;
  }
  return true;
}

function anyMatches(pattern: string | undefined, values: readonly string[]): boolean {
  return pattern === undefined || values.some((v) => globMatches(pattern, v));
}

/** The texts each rule condition is matched against, gathered from the job and its failed instances. */
function ruleInputs(failure: FailureRecord): { reasons: string[]; exitCodes: string[]; taskNames: string[] } {
  const tasks: FailedTask[] = failure.failedTasks ?? [];
  const reasons = [failure.stateReason, ...tasks.flatMap((t) => t.failedInstances.map((i) => i.stateReason))];
  return {
    reasons: reasons.filter((r): r is string => typeof r === 'string'),
    exitCodes: tasks.flatMap((t) =>
      t.failedInstances.flatMap((i) => (i.exitCode === undefined ? [] : [String(i.exitCode)])),
    ),
    taskNames: tasks.map((t) => t.taskName),
  };
}

/** First rule whose every condition matches, or undefined (the default: retry). */
export function matchRule(rules: readonly RetryRule[], failure: FailureRecord): RetryRule | undefined {
  const inputs = ruleInputs(failure);
  return rules.find(
    (rule) =>
      anyMatches(rule.onStateReason, inputs.reasons) &&
      anyMatches(rule.onExitCode, inputs.exitCodes) &&
      anyMatches(rule.onTaskName, inputs.taskNames),
  );
}

/**
 * A failure's signature: failed task names with their exit codes and reasons, sorted, so two failures with the
 * same cause compare equal whatever the order the API listed them in. Undefined without details.
 */
export function failureSignature(
  stateReason: string | undefined,
  tasks: FailedTask[] | undefined,
): string | undefined {
  if (tasks === undefined) return undefined;
  const parts = tasks
    .map((t) => {
      const codes = [...new Set(t.failedInstances.map((i) => String(i.exitCode ?? '?')))].sort().join(',');
      const reasons = [...new Set(t.failedInstances.map((i) => i.stateReason ?? ''))].sort().join('|');
      return `${t.taskName}[${codes}](${reasons})`;
    })
    .sort();
  return `${stateReason ?? ''}::${parts.join(';')}`;
}

/**
 * Delay before retry number `retriesSoFar + 1`: exponential, capped, with symmetric jitter. `random` is the job's
 * {@link retryJitter}.
 */
export function backoffDelayMs(
  policy: ResolvedPolicy['backoff'],
  retriesSoFar: number,
  random: () => number,
): number {
  const base = Math.min(
    policy.maxIntervalMs,
    policy.initialIntervalMs * Math.pow(policy.factor, retriesSoFar),
  );
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/**
 * The jitter of retry number `retriesSoFar + 1` of `jobId`, as a `random` for {@link backoffDelayMs}: a hash of the
 * two (FNV-1a), so the owner and the job watcher, which may hand the retry over on the owner's standing order,
 * compute the same delay, and a wave of failures still spreads (every job draws its own).
 */
export function retryJitter(jobId: string, retriesSoFar: number): () => number {
  const hash = fnv1a(`${jobId}#${retriesSoFar}`);
  return () => hash / 0x1_0000_0000;
}

/**
 * When a retry may go out: the backoff counts from the failure (its EndTime), not from when it was read, since a
 * failure read late has waited part of it already. Never before now, and never later than a whole backoff from
 * now (an EndTime ahead of the reader's clock, or none).
 */
export function backoffEndMs(failedAt: string | undefined, nowMs: number, delayMs: number): number {
  const failedAtMs = failedAt === undefined ? Number.NaN : Date.parse(failedAt);
  const fromMs = Number.isFinite(failedAtMs) ? Math.min(failedAtMs, nowMs) : nowMs;
  return Math.max(nowMs, fromMs + delayMs);
}
