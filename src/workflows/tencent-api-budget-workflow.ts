/**
 * `tencentApiBudgetWorkflow`: the one budget of Tencent API calls for a namespace's account. Every activity asks
 * it, by Update, when it may send each call, and tells it, by signal, when the API refused a call for its rate
 * anyway. Its answers are computed at once (no timers): callers wait for their slots themselves. Because every
 * grant comes from one workflow, the limit holds across every worker process, on any task-queue partitioning and
 * with no server setting. Started on first use (update-with-start), it runs until terminated, continuing as new
 * as its history grows.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  BUDGETED_ACTIONS,
  MAX_LEAD_MS,
  apiCallRefusedSignal,
  grantApiCallsUpdate,
  type ApiBudgetState,
  type ApiCallsRequest,
} from '../shared/api-budget-types';
import { ApiBudgetBook } from './api-budget-book';

/** Continue as new well before the server's suggestion (4 MiB or 10,240 events): an update costs about 5 events. */
const MAX_HISTORY_EVENTS = 2_000;
/** The most calls one request may ask for (a few DescribeTask pages, one DescribeJobs per 100 jobs). */
const MAX_CALLS_PER_REQUEST = 100;

export async function tencentApiBudgetWorkflow(carried?: ApiBudgetState): Promise<void> {
  const book = new ApiBudgetBook(carried);
  setHandler(grantApiCallsUpdate, (request) => book.grant(request, Date.now()), {
    validator: validateRequest,
  });
  setHandler(apiCallRefusedSignal, ({ action }) => {
    if ((BUDGETED_ACTIONS as readonly string[]).includes(action)) book.refused(action, Date.now());
  });
  await condition(() => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  });
  await condition(allHandlersFinished);
  await continueAsNew<typeof tencentApiBudgetWorkflow>(book.toState(Date.now()));
}

/** Refused before it reaches history: a request no caller of this package makes. */
function validateRequest(request: ApiCallsRequest): void {
  if (!(BUDGETED_ACTIONS as readonly string[]).includes(request?.action)) {
    throw new Error(`unknown action ${JSON.stringify(request?.action)}`);
  }
  if (!Number.isInteger(request.calls) || request.calls < 1 || request.calls > MAX_CALLS_PER_REQUEST) {
    throw new Error(`calls must be an integer from 1 to ${MAX_CALLS_PER_REQUEST}`);
  }
  if (!(Number.isFinite(request.limitRps) && request.limitRps > 0)) {
    throw new Error('limitRps must be a number above 0');
  }
  const { leadMs } = request;
  if (leadMs !== undefined && !(Number.isFinite(leadMs) && leadMs >= 0 && leadMs <= MAX_LEAD_MS)) {
    throw new Error(`leadMs must be from 0 to ${MAX_LEAD_MS}`);
  }
}
