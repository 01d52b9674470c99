/**
 * The Tencent API budget: one ledger per account (one workflow), one limit per action. Types and message
 * definitions shared by the budget workflow and the activities that ask it for calls.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** The Batch actions this package calls (every one of them goes through the budget). */
export const BUDGETED_ACTIONS = [
  'DescribeJobs',
  'DescribeJob',
  'DescribeTask',
  'RetryJobs',
  'SubmitJob',
  'TerminateJob',
  'DeleteJob',
] as const;
export type BudgetedAction = (typeof BUDGETED_ACTIONS)[number];

/** Requests per second per action. */
export type ApiRateLimits = Record<BudgetedAction, number>;

/**
 * The defaults: the seed document's RetryJobs 2/s and the international docs' figures for the others
 * (../shared/reference/tencent-batch-api.md). The lower figure wherever the docs disagree.
 */
export const INTERNATIONAL_API_RATE_LIMITS: Readonly<ApiRateLimits> = Object.freeze({
  DescribeJobs: 2,
  DescribeJob: 2,
  DescribeTask: 3,
  RetryJobs: 2,
  SubmitJob: 7,
  TerminateJob: 2,
  DeleteJob: 2,
});

/** The current Chinese docs' higher figures: a documented option for accounts whose limits are those. */
export const CHINA_DOCS_API_RATE_LIMITS: Readonly<ApiRateLimits> = Object.freeze({
  DescribeJobs: 10,
  DescribeJob: 50,
  DescribeTask: 20,
  RetryJobs: 10,
  SubmitJob: 20,
  TerminateJob: 10,
  DeleteJob: 10,
});

/** Workflow type of the budget (the activities start it by name: they never import workflow code). */
export const API_BUDGET_WORKFLOW_TYPE = 'tencentApiBudgetWorkflow';

/** The budget workflow's ID unless configured: one per namespace, i.e. one Tencent account per namespace. */
export const DEFAULT_API_BUDGET_WORKFLOW_ID = 'tencent-batch-api-budget';

/**
 * The task queue of the budget workflow unless configured: a queue of its own, polled by one small workflow worker
 * in every worker process, so that slot grants never wait behind the recovery workflows' tasks (with a wave of
 * 500 one-job workflows on the same queue, each grant waited its turn among thousands of workflow tasks).
 */
export const DEFAULT_API_BUDGET_TASK_QUEUE = 'tencent-batch-api-budget';

/** Asks for `calls` calls of `action`; the caller's configured limit for that action comes along. */
export interface ApiCallsRequest {
  action: BudgetedAction;
  calls: number;
  limitRps: number;
  /**
   * How far ahead of the grant the first slot must lie, so that the answer reaches the caller in time: callers
   * raise it when answers come slowly (a loaded server) instead of missing slot after slot. @default 100
   */
  leadMs?: number;
  /**
   * Calls that can wait for a later turn (the job watcher's polls): granted only when their first slot lies within
   * about two windows of now, and refused otherwise (no slots), so they never queue ahead of calls that cannot
   * wait (first reads, a read a signal asked for, RetryJobs). @default false
   */
  background?: boolean;
}

/** The most a caller may ask the first slot to lie ahead. */
export const MAX_LEAD_MS = 5_000;

/** When the calls may be sent: epoch milliseconds, one per call, each to be used within the grant's tolerance. */
export interface ApiCallsGrant {
  /** Empty when a background request was refused: the budget is busy for now. */
  slots: number[];
  /** The rate the budget grants at now: the limit, or less while it slows down after a refusal. */
  rateInForce: number;
}

/** What a budget workflow carries into its next run. */
export interface ApiBudgetState {
  /** Per action, the slots granted recently (some may lie in the future), oldest first. */
  granted: Partial<Record<BudgetedAction, number[]>>;
  /** Per action, the slowdown after a RequestLimitExceeded answer. */
  slowdowns: Partial<Record<BudgetedAction, { factor: number; sinceMs: number }>>;
}

export const grantApiCallsUpdate = defineUpdate<ApiCallsGrant, [ApiCallsRequest]>('grantApiCalls');
/** The API answered RequestLimitExceeded anyway (another service spends the same budget): slow that action down. */
export const apiCallRefusedSignal = defineSignal<[{ action: BudgetedAction }]>('apiCallRefused');

/**
 * The budget spaces its slots so that any window of one second plus this margin holds no more calls than the
 * limit: a call sent up to {@link SLOT_LATE_TOLERANCE_MS} after its slot, and arriving up to the rest of the margin
 * later (transport, clocks of different hosts), still keeps every one-second window at the limit. Every
 * millisecond of it is throughput given up (at 150 ms, 13% of each action's limit), so it is sized to what the
 * benchmarks measure: `min_window_slack_ms` in bench/results/*.json is how much of it the calls left unused.
 */
export const SLOT_MARGIN_MS = 150;

/**
 * The time between two DescribeJobs calls at the budget's pace at the default limit (2 per window of one second
 * plus the margin): what the job watcher paces its polls by.
 */
export const DESCRIBE_JOBS_SPACING_MS = (1_000 + SLOT_MARGIN_MS) / INTERNATIONAL_API_RATE_LIMITS.DescribeJobs;
/**
 * A request not handed to a socket within this long after its slot is not sent (src/batch/send-at-slot.ts): the
 * slot is given up and another asked for.
 */
export const SLOT_LATE_TOLERANCE_MS = 75;
