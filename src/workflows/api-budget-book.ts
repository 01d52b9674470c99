/**
 * The ledger behind the Tencent API budget workflow, without any Temporal API: the slots granted per action and
 * the slowdowns after refusals. Pure and deterministic (time comes in as an argument), so it is unit-tested on
 * its own.
 *
 * A grant is a list of moments, one per call. Slots of one action are handed out in order, and the k-th slot
 * after any slot is at least one window later, where k is the rate in force and the window one second plus
 * {@link SLOT_MARGIN_MS}. Callers send each call at its slot or give the slot up, so no one-second window at the
 * API ever holds more than the limit, whichever worker process the calls come from.
 */
import {
  SLOT_MARGIN_MS,
  type ApiBudgetState,
  type ApiCallsGrant,
  type ApiCallsRequest,
  type BudgetedAction,
} from '../shared/api-budget-types';

/** A refusal halves the action's rate, down to a quarter of its limit... */
const SLOWDOWN_FACTOR = 0.5;
const SLOWEST_FACTOR = 0.25;
/** ...once per second at most (the refusals of one burst are one signal that the account is busy)... */
const SLOWDOWN_SPACING_MS = 1_000;
/** ...and the rate doubles back after each this long without a refusal. */
const RECOVERY_STEP_MS = 20_000;
/**
 * The first slot lies this far after the grant unless the caller asks for more: the answer takes a moment to reach
 * its caller, and a slot used late is given up.
 */
const GRANT_LEAD_MS = 100;
/**
 * A background request is granted only while the action's queue of granted slots is shorter than this many windows
 * (two calls at 2/s), so a call that cannot wait finds at most that much background work ahead of it.
 */
const BACKGROUND_HORIZON_WINDOWS = 1;
/** Slots older than this never constrain a new one (the slowest rate's window is 4.3 s). */
const FORGET_AFTER_MS = 10_000;

export class ApiBudgetBook {
  private readonly granted: Partial<Record<BudgetedAction, number[]>>;
  private readonly slowdowns: NonNullable<ApiBudgetState['slowdowns']>;

  constructor(carried?: ApiBudgetState) {
    // Copies (the sandbox has no structuredClone): the carried input stays as it was received.
    this.granted = Object.fromEntries(
      Object.entries(carried?.granted ?? {}).map(([action, slots]) => [action, [...slots]]),
    );
    this.slowdowns = { ...carried?.slowdowns };
  }

  /**
   * Grants `request.calls` slots of its action, the first a moment after `nowMs` or later; a background request
   * whose first slot would lie beyond {@link BACKGROUND_HORIZON_WINDOWS} windows gets none.
   */
  grant(request: ApiCallsRequest, nowMs: number): ApiCallsGrant {
    const rate = this.rateInForce(request.action, request.limitRps, nowMs);
    const perWindow = rate >= 1 ? Math.floor(rate) : 1;
    const windowMs = (rate >= 1 ? 1_000 : 1_000 / rate) + SLOT_MARGIN_MS;
    const granted = (this.granted[request.action] ?? []).filter((t) => t > nowMs - FORGET_AFTER_MS);
    const earliest = nowMs + (request.leadMs ?? GRANT_LEAD_MS);
    const nextSlot = (): number => {
      const slot = Math.max(earliest, granted[granted.length - 1] ?? 0);
      const bounding = granted[granted.length - perWindow];
      return bounding === undefined ? slot : Math.max(slot, bounding + windowMs);
    };
    if (request.background && nextSlot() - earliest > BACKGROUND_HORIZON_WINDOWS * windowMs) {
      return { slots: [], rateInForce: rate };
    }
    const slots: number[] = [];
    for (let i = 0; i < request.calls; i++) {
      const slot = nextSlot();
      granted.push(slot);
      slots.push(slot);
    }
    this.granted[request.action] = granted;
    return { slots, rateInForce: rate };
  }

  /** The API refused a call of `action` for its rate: slow that action down for a while. */
  refused(action: BudgetedAction, nowMs: number): void {
    const current = this.slowdowns[action];
    if (current && nowMs - current.sinceMs < SLOWDOWN_SPACING_MS) return;
    const factor = Math.max(SLOWEST_FACTOR, this.factor(action, nowMs) * SLOWDOWN_FACTOR);
    this.slowdowns[action] = { factor, sinceMs: nowMs };
  }

  /** The rate granted for `action` at `nowMs`, given its limit. */
  rateInForce(action: BudgetedAction, limitRps: number, nowMs: number): number {
    return limitRps * this.factor(action, nowMs);
  }

  toState(nowMs: number): ApiBudgetState {
    const granted: ApiBudgetState['granted'] = {};
    for (const [action, slots] of Object.entries(this.granted) as [BudgetedAction, number[]][]) {
      const recent = slots.filter((t) => t > nowMs - FORGET_AFTER_MS);
      if (recent.length > 0) granted[action] = recent;
    }
    const slowdowns: ApiBudgetState['slowdowns'] = {};
    for (const action of Object.keys(this.slowdowns) as BudgetedAction[]) {
      if (this.factor(action, nowMs) < 1) slowdowns[action] = this.slowdowns[action];
    }
    return { granted, slowdowns };
  }

  private factor(action: BudgetedAction, nowMs: number): number {
    const slowdown = this.slowdowns[action];
    if (!slowdown) return 1;
    const steps = Math.floor((nowMs - slowdown.sinceMs) / RECOVERY_STEP_MS);
    return Math.min(1, slowdown.factor * 2 ** steps);
  }
}
