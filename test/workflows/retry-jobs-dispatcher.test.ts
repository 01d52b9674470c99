/**
 * The RetryJobs dispatcher on its own, on the dev server (real time, real signals), with a recording stand-in for
 * the RetryJobs activity: what calls a burst of requests becomes. End to end with the real activity and the
 * emulator: test/e2e/rate-limit.e2e.test.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { RetryFailedJobsInput, RetryFailedJobsOutput } from '../../src/activities';
import type { RetryRequest } from '../../src/shared/dispatcher-types';
import { retryRequestedSignal } from '../../src/shared/dispatcher-types';
import { retryJobsDispatcherWorkflow } from '../../src/workflows';
import { createDispatchActivities } from '../../src/activities/request-retries';
import { devServerEnv, uniqueTaskQueue, waitFor, workflowBundle } from '../helpers/temporal';
import { recordHistory } from '../support/record-history';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A RetryJobs stand-in that takes `callMs` per call and records each call. */
function recordingRetries(callMs: number) {
  const calls: string[][] = [];
  const retryFailedJobs = async ({ failures }: RetryFailedJobsInput): Promise<RetryFailedJobsOutput> => {
    calls.push(failures.map((f) => f.jobId));
    await new Promise((resolve) => setTimeout(resolve, callMs));
    return {
      outcomes: failures.map((f) => ({ jobId: f.jobId, outcome: 'RETRIED' as const, requestId: 'req-test' })),
    };
  };
  return { calls, retryFailedJobs };
}

const request = (i: number, jobs = 1): RetryRequest => ({
  requesterWorkflowId: `requester-${i}`,
  requestId: `request-${i}`,
  failures: Array.from({ length: jobs }, (_, j) => ({
    jobId: `job-${String(i).padStart(4, '0')}${String(j).padStart(4, '0')}`,
    endTime: '2026-11-25T00:00:00Z',
  })),
});

it('turns 450 one-job requests arriving over seconds into a few full calls, each job once', async () => {
  const taskQueue = uniqueTaskQueue('dispatcher');
  const retries = recordingRetries(1_500);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    activities: {
      retryFailedJobs: retries.retryFailedJobs,
      ...createDispatchActivities({ client: env.client }),
    },
    // As in production: the retry queue lets one call start per second.
    maxTaskQueueActivitiesPerSecond: 1,
  });
  const workflowId = `dispatcher-${taskQueue}`;
  let arrivalMs = 0;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(retryJobsDispatcherWorkflow, {
      taskQueue,
      workflowId,
      args: [{ retryTaskQueue: taskQueue }],
    });
    // Requests arrive in ten bursts half a second apart, as a wave's owners see their failures (sent in parallel,
    // so a loaded machine stretches each burst little).
    const firstSignalAt = Date.now();
    for (let burst = 0; burst < 10; burst++) {
      const ids = Array.from({ length: 45 }, (_, i) => burst * 45 + i);
      await Promise.all(ids.map((i) => handle.signal(retryRequestedSignal, { requests: [request(i)] })));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    arrivalMs = Date.now() - firstSignalAt;
    // Wrong sizes are refused: nothing could retry them in one call.
    await handle.signal(retryRequestedSignal, { requests: [request(9_000, 101)] });
    await waitFor(() => retries.calls.flat().length >= 450, { timeoutMs: 30_000 });
    await handle.terminate('test over');
    await recordHistory(handle, 'dispatcher-burst');
  });
  const jobs = retries.calls.flat();
  expect(new Set(jobs).size).toBe(450);
  expect(jobs).toHaveLength(450);
  expect(retries.calls.every((c) => c.length <= 100)).toBe(true);
  // A partial batch waits until half a second (RetryJobs' pace) after the last call, never for the call in flight
  // (each takes 1.5 s here): partial calls go out at most one per half second of arrivals, plus the last. One call
  // per request fails it.
  const partialCalls = retries.calls.filter((c) => c.length < 100).length;
  expect(partialCalls).toBeLessThanOrEqual(Math.ceil(arrivalMs / 500) + 2);
}, 60_000);

it('continues as new under steady load and takes a request delivered twice once, each job retried once', async () => {
  const taskQueue = uniqueTaskQueue('dispatcher-steady');
  const retries = recordingRetries(200);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    activities: {
      retryFailedJobs: retries.retryFailedJobs,
      ...createDispatchActivities({ client: env.client }),
    },
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(retryJobsDispatcherWorkflow, {
      taskQueue,
      workflowId: `dispatcher-${taskQueue}`,
      args: [{ retryTaskQueue: taskQueue, continueAsNewAfterEvents: 120 }],
    });
    // Requests never stop arriving for long, and each is delivered twice (a signal-with-start retried after its
    // answer was lost).
    for (let i = 0; i < 120; i++) {
      await handle.signal(retryRequestedSignal, { requests: [request(i)] });
      await handle.signal(retryRequestedSignal, { requests: [request(i)] });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const runBeforeTheEnd = (await handle.describe()).runId;
    await waitFor(() => retries.calls.flat().length >= 120, { timeoutMs: 30_000 });
    expect(runBeforeTheEnd).not.toBe(handle.firstExecutionRunId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await handle.terminate('test over');
  });
  const jobs = retries.calls.flat();
  expect(jobs).toHaveLength(120);
  expect(new Set(jobs).size).toBe(120);
}, 90_000);

it('carries the requests not sent yet and the request IDs taken through continue-as-new', async () => {
  const taskQueue = uniqueTaskQueue('dispatcher-carry');
  // Calls slow enough that requests arrive while the run lets its last call end before continuing as new.
  const retries = recordingRetries(1_000);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
    activities: {
      retryFailedJobs: retries.retryFailedJobs,
      ...createDispatchActivities({ client: env.client }),
    },
  });
  let sent = 0;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(retryJobsDispatcherWorkflow, {
      taskQueue,
      workflowId: `dispatcher-${taskQueue}`,
      args: [{ retryTaskQueue: taskQueue, gatherWindow: '50ms', continueAsNewAfterEvents: 40 }],
    });
    // One request after another until the run has continued as new.
    await waitFor(
      async () => {
        await handle.signal(retryRequestedSignal, { requests: [request(sent++)] });
        return (await handle.describe()).runId !== handle.firstExecutionRunId;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'a continue-as-new' },
    );
    // The first request delivered again, to the new run, then a last new one.
    await handle.signal(retryRequestedSignal, { requests: [request(0)] });
    const last = request(sent++);
    await handle.signal(retryRequestedSignal, { requests: [last] });
    await waitFor(() => retries.calls.some((call) => call.includes(last.failures[0]?.jobId ?? '')), {
      timeoutMs: 20_000,
      description: 'the last request sent',
    });
    await handle.terminate('test over');
  });
  const expected = Array.from({ length: sent }, (_, i) => request(i).failures.map((f) => f.jobId)).flat();
  expect([...retries.calls.flat()].sort()).toEqual(expected.sort());
}, 60_000);
