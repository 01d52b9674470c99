/**
 * Fault injection: rules that make some API requests misbehave the way a real network or gateway does.
 * The decision is taken when a request arrives (before authentication, as a gateway would), from the rules
 * in the order they were added: the first rule that matches the action and fires wins.
 *
 * A rule fires on every matching request, or with `probability` (drawn from the emulator's seeded random),
 * and at most `times` times when given (then it is spent and removed).
 */
import type { BatchAction } from './batch-api-constants';
import type { SeededRandom } from './random';

/** The kinds of fault, and what the client sees. */
export const FAULT_KINDS = [
  /** The request is held `latencyMs` (default 1000), then handled normally. */
  'latency',
  /**
   * The request is handled on arrival (its change applied, its rate-limit slot taken), then its answer is held
   * `latencyMs` (default 1000): a slow API. A caller that gives up or dies meanwhile never hears it.
   */
  'slow-answer',
  /** HTTP 200 with API error `InternalError`; nothing applied. */
  'internal-error',
  /** A gateway answer with HTTP 502 / 503 / 504 and an HTML body; nothing applied. */
  'http-502',
  'http-503',
  'http-504',
  /** The connection is reset before any answer; nothing applied. */
  'connection-reset',
  /** HTTP 200 with an HTML body that is not JSON; nothing applied. */
  'non-json',
  /** HTTP 200 with API error `RequestLimitExceeded`, whatever the rate limiter says; nothing applied. */
  'request-limit-exceeded',
  /** The request is handled and its change applied, then the connection is reset: no answer. */
  'apply-then-drop',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault rule. */
export interface FaultRule {
  /** The action it applies to. @default '*' (every action, including unknown ones) */
  action?: BatchAction | '*';
  kind: FaultKind;
  /** Chance, in [0, 1], that a matching request gets the fault. @default 1 */
  probability?: number;
  /** Most requests the rule affects; then it is removed. @default unlimited */
  times?: number;
  /**
   * Delay before the fault takes effect (for `latency`, before the request is handled; for `slow-answer`, between
   * handling it and answering). @default 1000 for latency and slow-answer, 0 otherwise
   */
  latencyMs?: number;
}

/** The fault chosen for one request. */
export interface ChosenFault {
  kind: FaultKind;
  latencyMs: number;
}

/** Checks a rule from outside TypeScript; throws a RangeError naming the problem. */
export function checkFaultRule(rule: FaultRule): FaultRule {
  if (!FAULT_KINDS.includes(rule.kind)) {
    throw new RangeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}, got ${String(rule.kind)}`);
  }
  const { probability, times, latencyMs } = rule;
  if (
    probability !== undefined &&
    !(typeof probability === 'number' && probability >= 0 && probability <= 1)
  ) {
    throw new RangeError(`fault probability must be in [0, 1], got ${String(probability)}`);
  }
  if (times !== undefined && !(Number.isInteger(times) && times >= 1)) {
    throw new RangeError(`fault times must be a positive integer, got ${String(times)}`);
  }
  if (latencyMs !== undefined && !(typeof latencyMs === 'number' && latencyMs >= 0)) {
    throw new RangeError(`fault latencyMs must be a non-negative number, got ${String(latencyMs)}`);
  }
  return rule;
}

/** The active fault rules of one emulator. */
export class FaultInjector {
  private rules: { rule: FaultRule; remaining: number }[] = [];

  constructor(
    private readonly random: SeededRandom,
    initial: readonly FaultRule[] = [],
  ) {
    for (const rule of initial) this.add(rule);
  }

  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void {
    checkFaultRule(rule);
    this.rules.push({ rule: { ...rule }, remaining: rule.times ?? Infinity });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The rules still active, with how many more requests each may affect. */
  list(): (FaultRule & { remaining: number })[] {
    return this.rules.map(({ rule, remaining }) => ({ ...rule, remaining }));
  }

  /** Decides the fault of a request of `action` (the X-TC-Action as received), if any. */
  choose(action: string): ChosenFault | undefined {
    for (const entry of this.rules) {
      const target = entry.rule.action ?? '*';
      if (target !== '*' && target !== action) continue;
      // Draw only for probabilistic rules, so adding a certain rule does not shift the random sequence.
      const probability = entry.rule.probability ?? 1;
      if (probability < 1 && this.random.next() >= probability) continue;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.rules = this.rules.filter((e) => e !== entry);
      const kind = entry.rule.kind;
      const heldByDefault = kind === 'latency' || kind === 'slow-answer';
      return { kind, latencyMs: entry.rule.latencyMs ?? (heldByDefault ? 1000 : 0) };
    }
    return undefined;
  }
}
