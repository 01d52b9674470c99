/**
 * The API budget workflow on its own, on the dev server: what it admits and how a refusal reported by the API
 * changes its grants. The ledger's arithmetic: test/unit/api-budget-book.test.ts; every action at its limit across
 * worker processes: test/e2e/api-budget.e2e.test.ts.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  apiCallRefusedSignal,
  grantApiCallsUpdate,
  type ApiCallsGrant,
  type ApiCallsRequest,
} from '../../src/shared/api-budget-types';
import { tencentApiBudgetWorkflow } from '../../src/workflows';
import { devServerEnv, uniqueTaskQueue, waitFor, workflowBundle } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs `body` against a budget workflow of its own, with a worker, and terminates the workflow after. */
async function withBudget(
  body: (
    grant: (request: ApiCallsRequest) => Promise<ApiCallsGrant>,
    handle: WorkflowHandle<typeof tencentApiBudgetWorkflow>,
  ) => Promise<void>,
): Promise<void> {
  const taskQueue = uniqueTaskQueue('api-budget');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(tencentApiBudgetWorkflow, {
      taskQueue,
      workflowId: `api-budget-${taskQueue}`,
    });
    try {
      await body((request) => handle.executeUpdate(grantApiCallsUpdate, { args: [request] }), handle);
    } finally {
      await handle.terminate('test over');
    }
  });
}

it('refuses a request no caller of the package makes, before it reaches history', async () => {
  await withBudget(async (grant, handle) => {
    const refused: unknown[] = [
      { action: 'ListJobs', calls: 1, limitRps: 2 },
      { action: 'RetryJobs', calls: 0, limitRps: 2 },
      { action: 'RetryJobs', calls: 101, limitRps: 2 },
      { action: 'RetryJobs', calls: 1.5, limitRps: 2 },
      { action: 'RetryJobs', calls: 1, limitRps: 0 },
      { action: 'RetryJobs', calls: 1, limitRps: 2, leadMs: 5_001 },
    ];
    for (const request of refused) {
      await expect(grant(request as ApiCallsRequest)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    }
    // The largest request a caller may make is granted in full.
    const largest = await grant({ action: 'RetryJobs', calls: 100, limitRps: 2, leadMs: 5_000 });
    expect(largest.slots).toHaveLength(100);
    const { events } = await handle.fetchHistory();
    const accepted = (events ?? []).filter(
      (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    );
    expect(accepted).toHaveLength(1);
  });
});

it('slows an action down once told the API refused one of its calls, and no other action', async () => {
  await withBudget(async (grant, handle) => {
    expect((await grant({ action: 'DescribeJobs', calls: 1, limitRps: 10 })).rateInForce).toBe(10);
    await handle.signal(apiCallRefusedSignal, { action: 'DescribeJobs' });
    await waitFor(
      async () => (await grant({ action: 'DescribeJobs', calls: 1, limitRps: 10 })).rateInForce === 5,
      { timeoutMs: 5_000, description: 'DescribeJobs granted at half its limit' },
    );
    expect((await grant({ action: 'RetryJobs', calls: 1, limitRps: 2 })).rateInForce).toBe(2);
  });
});
