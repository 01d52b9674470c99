/**
 * The activities' side of the Tencent API budget (src/workflows/tencent-api-budget-workflow.ts): every Batch call
 * waits for a slot the budget workflow grants, and a RequestLimitExceeded answer slows the action down and is
 * retried within the same attempt instead of failing the activity.
 */
import { ApplicationFailure, ApplicationFailureCategory, type MetricMeter } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { BatchApi } from '../batch/batch-api';
import { SendDeadlineMissedError, sendAtSlot } from '../batch/send-at-slot';
import {
  API_BUDGET_WORKFLOW_TYPE,
  DEFAULT_API_BUDGET_TASK_QUEUE,
  DEFAULT_API_BUDGET_WORKFLOW_ID,
  INTERNATIONAL_API_RATE_LIMITS,
  MAX_LEAD_MS,
  SLOT_LATE_TOLERANCE_MS,
  apiCallRefusedSignal,
  grantApiCallsUpdate,
  type ApiCallsGrant,
  type ApiRateLimits,
  type BudgetedAction,
} from '../shared/api-budget-types';
import { ErrorType } from '../shared/errors';
import { currentActivity, heartbeatProgress, pauseHeartbeating } from './activity-progress';

/** Grants API calls; {@link createTemporalApiBudget} is the one every worker uses. */
export interface ApiBudget {
  /**
   * Resolves `readyAheadMs` before the slot of one call of `action` (or at once when that moment has passed), with
   * the slot (epoch ms). The call must leave at its slot, or within {@link SLOT_LATE_TOLERANCE_MS} after it, or not
   * at all. A `background` call (a poll) that finds the action busy gets `undefined` instead, after a few tries.
   */
  take(action: BudgetedAction, readyAheadMs?: number, background?: boolean): Promise<number | undefined>;
  /** The API refused a call of `action` for its rate: the budget slows the action down for a while. */
  refused(action: BudgetedAction): Promise<void>;
}

/** Metric names of the budget, as exported. */
export const API_BUDGET_METRICS = {
  /** Counter, label `action`: Batch calls sent. */
  calls: 'tencent_batch_api_calls',
  /** Counter, label `action`: calls the API refused with RequestLimitExceeded (then retried in the attempt). */
  rateLimited: 'tencent_batch_api_rate_limited',
  /** Gauge, label `action`: the requests/s the budget granted at its last answer (the limit, or less). */
  rateInForce: 'tencent_batch_api_rate_in_force',
} as const;

export interface TemporalApiBudgetOptions {
  /** The client the budget workflow is reached with. */
  client: Client;
  /**
   * Where the budget workflow runs: a queue that a worker from `createRecoveryWorkers` (same `apiBudgetTaskQueue`)
   * polls. Every process naming the same workflow ID must name the same queue. @default DEFAULT_API_BUDGET_TASK_QUEUE
   */
  taskQueue?: string;
  /** One budget workflow per Tencent account. @default DEFAULT_API_BUDGET_WORKFLOW_ID */
  workflowId?: string;
  /** Requests per second per action. @default INTERNATIONAL_API_RATE_LIMITS */
  limits?: Partial<ApiRateLimits>;
  /** Where the budget's metrics go. */
  meter?: () => MetricMeter;
}

const MIN_LEAD_MS = 100;
/** A raised lead halves every this long without a slow answer. */
const LEAD_HALF_LIFE_MS = 2_000;

/**
 * How far ahead of now a call asks for its slot: long enough for the grant to come back before the call must start,
 * and no longer, since every millisecond of it is a millisecond each call waits. It follows the budget's answers:
 * up at once to twice a slow answer, then halved by each answer after and by every {@link LEAD_HALF_LIFE_MS} that
 * passes. A slot missed because its grant came too late doubles it. A slot missed because this process was stalled
 * when the grant came (a busy event loop) leaves it alone: a longer lead would have stalled as long. Before, the
 * lead fell only by a fifth per answer, and a stall while the worker bundled its workflow code at start kept a
 * process's calls seconds behind their slots for minutes.
 */
export class GrantLead {
  private ms = MIN_LEAD_MS;
  private setAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.setAt = now();
  }

  get current(): number {
    const decayed = this.ms * 2 ** (-(this.now() - this.setAt) / LEAD_HALF_LIFE_MS);
    return Math.round(clamp(decayed, MIN_LEAD_MS, MAX_LEAD_MS));
  }

  /** A grant that came back `answerMs` after the request, in time to use its slot. */
  answered(answerMs: number): void {
    this.set(Math.max(answerMs * 2, this.current / 2));
  }

  /** A slot given up; `grantCameLate` when the grant came back after the call had to start. */
  missed(answerMs: number, grantCameLate: boolean): void {
    if (grantCameLate) this.set(Math.max(answerMs * 2, this.current * 2));
  }

  private set(ms: number): void {
    this.ms = clamp(ms, MIN_LEAD_MS, MAX_LEAD_MS);
    this.setAt = this.now();
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** How long one request to the budget workflow may take (normally tens of milliseconds). */
const ASK_DEADLINE_MS = 10_000;

/** How often a background call asks before it gives up its turn, and about how long it waits between asks. */
const BACKGROUND_TRIES = 3;
const BACKGROUND_PAUSE_MS = 1_000;

/** How long to wait before asking the budget again after the Temporal frontend failed to answer. */
const ASK_AGAIN_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** The budget held by one workflow, shared by every process that names the same workflow ID and namespace. */
export function createTemporalApiBudget(options: TemporalApiBudgetOptions): ApiBudget {
  const limits = { ...INTERNATIONAL_API_RATE_LIMITS, ...options.limits };
  const workflowId = options.workflowId ?? DEFAULT_API_BUDGET_WORKFLOW_ID;
  const taskQueue = options.taskQueue ?? DEFAULT_API_BUDGET_TASK_QUEUE;
  const meter = options.meter;

  const lead = new GrantLead();

  const ask = async (action: BudgetedAction, background: boolean): Promise<ApiCallsGrant> => {
    for (let failures = 0; ; failures++) {
      heartbeatProgress();
      try {
        // A deadline: an update admitted just before the server restarted may never be answered.
        return await options.client.withDeadline(Date.now() + ASK_DEADLINE_MS, () =>
          options.client.workflow.executeUpdateWithStart(grantApiCallsUpdate, {
            args: [
              {
                action,
                calls: 1,
                limitRps: limits[action],
                leadMs: lead.current,
                ...(background ? { background } : {}),
              },
            ],
            startWorkflowOperation: new WithStartWorkflowOperation(API_BUDGET_WORKFLOW_TYPE, {
              workflowId,
              taskQueue,
              workflowIdConflictPolicy: 'USE_EXISTING',
              args: [],
            }),
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw budgetRefusal(action, err);
        // Platform trouble (frontend restarting or throttled, budget workflow continuing as new): never a call
        // without a grant; wait and ask again, for as long as the activity lives.
        const waitMs = ASK_AGAIN_MS[Math.min(failures, ASK_AGAIN_MS.length - 1)] as number;
        currentActivity()?.log.warn('Could not reach the API budget workflow; asking again', {
          action,
          workflowId,
          inMs: waitMs,
          error: err instanceof Error ? err.message : String(err),
        });
        await pauseHeartbeating(waitMs);
      }
    }
  };

  return {
    async take(action, readyAheadMs = 0, background = false) {
      for (let busy = 0; ;) {
        const askedAt = Date.now();
        const grant = await ask(action, background);
        const answeredAt = Date.now();
        const answerMs = answeredAt - askedAt;
        meter?.().createGauge(API_BUDGET_METRICS.rateInForce, 'float').set(grant.rateInForce, { action });
        const slot = grant.slots[0];
        if (slot === undefined) {
          // Busy with calls that cannot wait. A pause of its own for each poll, so polls refused together spread out.
          if (++busy >= BACKGROUND_TRIES) return undefined;
          await pauseHeartbeating(BACKGROUND_PAUSE_MS * (1 + Math.random()));
          continue;
        }
        const startAt = slot - readyAheadMs;
        if (startAt > Date.now()) await pauseHeartbeating(startAt - Date.now());
        // A slot used late could crowd a later window: give it up and ask again.
        if (Date.now() - slot <= SLOT_LATE_TOLERANCE_MS) {
          lead.answered(answerMs);
          return slot;
        }
        lead.missed(answerMs, answeredAt - slot > SLOT_LATE_TOLERANCE_MS);
      }
    },
    async refused(action) {
      try {
        await options.client.workflow.getHandle(workflowId).signal(apiCallRefusedSignal, { action });
      } catch (err) {
        currentActivity()?.log.warn('Could not tell the API budget about a refusal', {
          action,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    },
  };
}

function budgetRefusal(action: string, err: WorkflowUpdateFailedError): ApplicationFailure {
  return ApplicationFailure.create({
    message: `the API budget refused a request for ${action}: ${err.cause?.message ?? err.message}`,
    type: ErrorType.InvalidInput,
    nonRetryable: true,
    cause: err,
  });
}

/** The longest a call starts ahead of its slot to have its request ready in time. */
const MAX_READY_AHEAD_MS = 1_000;

/** Sends one request of `action` at a slot of the budget (see {@link budgetedCaller}). */
export type BudgetedCall = <T>(action: BudgetedAction, call: () => Promise<T>) => Promise<T>;

/**
 * Sends each call's request at a slot of the budget. The call starts ahead of its slot by about as long as this
 * process's requests take to get ready (credentials, signing, a busy event loop), and the request waits at the
 * Batch client's agent for the slot itself. A request that could leave only past its slot's tolerance is not sent
 * and waits for a new slot; one the API refuses for its rate (another service spends the same account's budget)
 * slows the budget down and is sent again at a later slot. Every other failure passes through unchanged. A
 * `background` caller's call that finds the budget busy fails with a BENIGN, retryable `ApiBudgetBusy`: a poll
 * gives its turn to calls that cannot wait and comes back at its next interval.
 */
export function budgetedCaller(
  budget: ApiBudget,
  meter?: () => MetricMeter,
  { background = false }: BudgetedOptions = {},
): BudgetedCall {
  let readyAheadMs = 0;
  const learn = (readyAfterMs: number) => {
    // Up at once, down slowly: one slow request is a sign of more.
    readyAheadMs = clamp(Math.max(readyAfterMs * 1.5, readyAheadMs * 0.9), 0, MAX_READY_AHEAD_MS);
  };
  return async (action, call) => {
    for (;;) {
      const slot = await budget.take(action, readyAheadMs, background);
      if (slot === undefined) throw budgetBusy(action);
      let sent = true;
      try {
        const { answer, readyAfterMs } = await sendAtSlot(slot, SLOT_LATE_TOLERANCE_MS, call);
        if (readyAfterMs !== undefined) learn(readyAfterMs);
        return answer;
      } catch (err) {
        if (err instanceof SendDeadlineMissedError) {
          sent = false;
          learn(err.readyAfterMs);
          currentActivity()?.log.warn('A Batch request was ready only after its slot; asking for another', {
            action,
            lateMs: err.missedByMs,
          });
          continue;
        }
        if (!(err instanceof ApplicationFailure && err.type === ErrorType.Throttled)) throw err;
        meter?.().createCounter(API_BUDGET_METRICS.rateLimited).add(1, { action });
        await budget.refused(action);
      } finally {
        if (sent) meter?.().createCounter(API_BUDGET_METRICS.calls).add(1, { action });
      }
    }
  };
}

/** How a caller's calls stand in the budget. */
export interface BudgetedOptions {
  /** Calls that give way when the budget is busy (polls). @default false */
  background?: boolean;
}

function budgetBusy(action: BudgetedAction): ApplicationFailure {
  return ApplicationFailure.create({
    message: `the API budget for ${action} is busy with calls that cannot wait; this poll waits for its next turn`,
    type: ErrorType.ApiBudgetBusy,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/** The Batch client behind the budget: every call goes through one {@link budgetedCaller}. */
export function budgetedBatchApi(
  api: BatchApi,
  budget: ApiBudget,
  meter?: () => MetricMeter,
  options?: BudgetedOptions,
): BatchApi {
  const budgeted = budgetedCaller(budget, meter, options);
  const paced =
    <I, O>(action: BudgetedAction, call: (input: I) => Promise<O>) =>
    (input: I): Promise<O> =>
      budgeted(action, () => call(input));
  return {
    describeJobs: paced('DescribeJobs', (i) => api.describeJobs(i)),
    describeJob: paced('DescribeJob', (i) => api.describeJob(i)),
    describeTask: paced('DescribeTask', (i) => api.describeTask(i)),
    retryJobs: paced('RetryJobs', (i) => api.retryJobs(i)),
    submitJob: paced('SubmitJob', (i) => api.submitJob(i)),
    terminateJob: paced('TerminateJob', (i) => api.terminateJob(i)),
    deleteJob: paced('DeleteJob', (i) => api.deleteJob(i)),
  };
}
