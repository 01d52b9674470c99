/**
 * Workflow behaviour over hours of workflow time, on the Java time-skipping test server. The Batch API here is a
 * scripted in-memory fake (job progress counted in reads); the same behaviours run against the emulator and the
 * dev server in test/e2e.
 */
import {
  CancelledFailure,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { localActivityRuns } from '../support/local-activities';
import { createDispatchActivities, type DispatchActivities } from '../../src/activities/request-retries';
import type { EscalationNotice, RecoverBatchJobsInput } from '../../src/shared/recovery-types';
import type { ObservedFailure } from '../../src/shared/batch-types';
import {
  jobStateChangedSignal,
  resolveEscalationUpdate,
  retryNowUpdate,
  statusQuery,
} from '../../src/shared/messages';
import { ErrorType } from '../../src/shared/errors';
import { DEFAULT_JOB_WATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { recordHistory } from '../support/record-history';
import { ScriptedBatchApi } from '../support/scripted-batch-api';
import { registerSearchAttributes, timeSkippingEnv, workflowBundle, waitFor } from '../helpers/temporal';
import { noApiBudget } from '../support/no-api-budget';

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let bundle: Awaited<ReturnType<typeof workflowBundle>>;
let seq = 0;

beforeAll(async () => {
  bundle = await workflowBundle(require.resolve('../../src/workflows'));
});

// A fresh test server per test (~0.6 s). The server's time-skipping lock is counted, and a workflow that closes
// while one of its activity attempts is in flight (terminated at a test's end, or cancelled) never gives its
// lock back (sdk-java#1138): on a shared server every later test's clock would then run in real time.
beforeEach(async () => {
  env = await timeSkippingEnv();
  await registerSearchAttributes(env);
});

/** Runs `body` with a worker whose activities use `api`, on a queue of its own. */
async function withWorker<T>(
  api: ScriptedBatchApi,
  body: (ctx: {
    taskQueue: string;
    notices: EscalationNotice[];
    input: (i: RecoverBatchJobsInput) => RecoverBatchJobsInput;
  }) => Promise<T>,
  overrides: Partial<DispatchActivities> = {},
): Promise<T> {
  const taskQueue = `ts-${process.pid}-${++seq}`;
  const notices: EscalationNotice[] = [];
  const activities = createActivities({ batchApi: api, apiBudget: noApiBudget });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...activities,
      ...createDispatchActivities({ client: env.client }),
      ...overrides,
      notifyEscalation: (notice: EscalationNotice) => {
        notices.push(notice);
        return Promise.resolve({ delivered: ['log' as const] });
      },
    },
  });
  // The job watcher and the RetryJobs dispatcher run on the same queue; they have tests of their own too.
  const input = (i: RecoverBatchJobsInput): RecoverBatchJobsInput => ({
    ...i,
    taskQueues: { retry: taskQueue, describe: taskQueue },
  });
  return worker.runUntil(body({ taskQueue, notices, input }));
}

/** Workflows a test started: terminated after the test if still running, before its server goes away. */
const started: WorkflowHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  await env?.teardown();
});

async function start(taskQueue: string, input: RecoverBatchJobsInput) {
  const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
    taskQueue,
    workflowId: `wf-${process.pid}-${++seq}`,
    args: [input],
  });
  started.push(handle);
  return handle;
}

describe('recoverBatchJobsWorkflow (time-skipping)', () => {
  it('retries a job that fails twice and reports success with two retries', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'FAILED', 'SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const before = await env.currentTimeMs();
      const result = await (await start(taskQueue, input({ jobIds: ['job-aaaaaaaa'] }))).result();
      expect(result.overall).toBe('SUCCEEDED');
      expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 2 });
      expect(api.retriesOf('job-aaaaaaaa')).toBe(2);
      // Backoff before each retry: ~30 s then ~60 s (±20% jitter).
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(72_000);
    });
  });

  it('has the watcher hand the retry to the dispatcher on a standing order, the owner only learning of it', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(
        taskQueue,
        input({ jobIds: ['job-aaaaaaaa'], policy: { backoff: { initialInterval: '10s', jitter: 0 } } }),
      );
      const result = await handle.result();
      expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
      expect(result.jobs[0]?.timeline.map((e) => e.detail).join('\n')).toContain('standing order');
      // The owner hands nothing over and runs no activity: the watcher's news says the retry is with the
      // dispatcher, which waits out the 10 s backoff; one more task learns the answer.
      const events = (await handle.fetchHistory()).events ?? [];
      expect(localActivityRuns(events).filter((r) => r.activityType === 'requestRetries')).toHaveLength(0);
      expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
      const signalled = events.flatMap((e, index) => {
        const attributes = e.workflowExecutionSignaledEventAttributes;
        return attributes ? [{ index, name: attributes.signalName, event: e }] : [];
      });
      const payload = (e: (typeof events)[number]): string =>
        Buffer.from(e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data ?? []).toString();
      const news = signalled.find(
        (s) => s.name === 'watchedJobsChanged' && payload(s.event).includes('handedOver'),
      );
      const answered = signalled.find((s) => s.name === 'retryAnswered');
      expect(news).toBeDefined();
      expect(answered?.index).toBeGreaterThan(news?.index ?? Infinity);
      const time = answered?.event.eventTime;
      const answeredAtMs = Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
      const failedAtMs = Date.parse(result.jobs[0]?.lastFailure?.endTime ?? '');
      expect(answeredAtMs).toBeGreaterThanOrEqual(failedAtMs + 10_000);
    });
  });

  it('waits five hours for a long job through the shared watcher, with neither history growing per poll', async () => {
    const api = new ScriptedBatchApi(300).script('job-aaaaaaaa', ['SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const before = await env.currentTimeMs();
      const handle = await start(
        taskQueue,
        input({ jobIds: ['job-aaaaaaaa'], policy: { pollInterval: '1m' } }),
      );
      const result = await handle.result();
      expect(result.overall).toBe('SUCCEEDED');
      // The job ends on its 300th read: the watcher polled about once a minute for five hours (a rebuilt poll set
      // reads at once).
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(280 * 60_000);
      await recordHistory(handle, 'ts-five-hour-wait');
      const owner = (await handle.fetchHistory()).events ?? [];
      const watcher = env.client.workflow.getHandle(`${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${taskQueue}`);
      const watcherEvents = (await watcher.fetchHistory()).events ?? [];
      // The owner: registration, two renewals (every 2 h), the news, leaving. The watcher: polls rebuilt every
      // hour (cancel, a timer to the part's turn, schedule), one change. Neither grows with the ~300 polls.
      expect(owner.length).toBeLessThan(80);
      expect(watcherEvents.length).toBeLessThan(150);
      // (Idle afterwards, the watcher may already have timed out here: the server skips time to its run timeout.)
      await watcher.terminate('test over').catch(() => undefined);
      await recordHistory(watcher, 'ts-job-watcher');
    });
  });

  it('keeps handing a retry to the dispatcher while the Temporal server refuses it for longer than the hand-over may retry, then succeeds', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'SUCCEED']);
    const handOver = createDispatchActivities({ client: env.client }).requestRetries;
    let refused = 0;
    // The first 40 attempts fail (more than REQUEST_RETRIES_OPTIONS' 10-minute schedule-to-close allows), as a
    // frontend that is down or throttling the namespace would.
    const requestRetries: DispatchActivities['requestRetries'] = (hand) => {
      if (refused < 40) {
        refused += 1;
        return Promise.reject(new Error('frontend unavailable'));
      }
      return handOver(hand);
    };
    await withWorker(
      api,
      async ({ taskQueue, notices, input }) => {
        const result = await (await start(taskQueue, input({ jobIds: ['job-aaaaaaaa'] }))).result();
        expect(result.overall).toBe('SUCCEEDED');
        expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
        expect(refused).toBe(40);
        expect(notices).toHaveLength(0);
        expect(api.retriesOf('job-aaaaaaaa')).toBe(1);
      },
      { requestRetries },
    );
  });

  it('postpones a retry that RetryJobs refused as a whole, without escalating, and sends it once the API accepts', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'SUCCEED']).refuseRetryJobs(2);
    const handOver = createDispatchActivities({ client: env.client }).requestRetries;
    const handedOver: ObservedFailure[] = [];
    const requestRetries: DispatchActivities['requestRetries'] = (hand) => {
      handedOver.push(...hand.deliveries.flatMap((d) => d.requests.flatMap((r) => r.failures)));
      return handOver(hand);
    };
    await withWorker(
      api,
      async ({ taskQueue, notices, input }) => {
        // A repeated-failure check gives the watcher no standing orders: the owner hands every attempt over itself.
        const recovery = input({ jobIds: ['job-aaaaaaaa'], policy: { repeatedFailureLimit: 3 } });
        const result = await (await start(taskQueue, recovery)).result();
        expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
        expect(result.jobs[0]?.timeline.filter((t) => t.event === 'RETRY_POSTPONED')).toHaveLength(2);
        expect(notices).toHaveLength(0);
        expect(api.retriesOf('job-aaaaaaaa')).toBe(1);
        // Only the first hand-over of the failure may skip the activity's read: a call was made for it since.
        expect(handedOver.map((f) => f.firstHandOverReadAt !== undefined)).toEqual([true, false, false]);
      },
      { requestRetries },
    );
  });

  it('keeps watching without escalating while job states cannot be read, pausing a minute between reads', async () => {
    // UnauthorizedOperation is not retried by the read activity: without the pause the watcher would read in a loop.
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'SUCCEED']).refuseDescribeJobs(3);
    await withWorker(api, async ({ taskQueue, notices, input }) => {
      const result = await (await start(taskQueue, input({ jobIds: ['job-aaaaaaaa'] }))).result();
      expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
      expect(notices).toHaveLength(0);
      expect(api.describeRefusals).toBe(3);
      const firstRead = result.jobs[0]?.timeline.find((t) => t.event === 'STATE_CHANGED');
      expect(Date.parse(firstRead?.at ?? '') - Date.parse(result.startedAt)).toBeGreaterThanOrEqual(
        3 * 60_000,
      );
    });
  });

  it('escalates when the budget is spent and ends as ESCALATED when nobody decides in time', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED']);
    await withWorker(api, async ({ taskQueue, notices, input }) => {
      const result = await (
        await start(
          taskQueue,
          input({
            jobIds: ['job-aaaaaaaa'],
            policy: { maxRetriesPerJob: 1, escalation: { decisionTimeout: '2h' } },
          }),
        )
      ).result();
      expect(result.overall).toBe('NEEDS_ATTENTION');
      expect(result.jobs[0]).toMatchObject({ outcome: 'ESCALATED', retries: 1 });
      expect(notices).toHaveLength(1);
      expect(notices[0]?.jobs[0]).toMatchObject({ jobId: 'job-aaaaaaaa', reason: 'RETRY_BUDGET_EXHAUSTED' });
    });
  });

  it('retries again after an operator decides RETRY, and then succeeds', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'FAILED', 'SUCCEED']);
    await withWorker(api, async ({ taskQueue, notices, input }) => {
      const handle = await start(
        taskQueue,
        input({ jobIds: ['job-aaaaaaaa'], policy: { maxRetriesPerJob: 1 } }),
      );
      // Time skips only while a result is awaited or on env.sleep: move the clock past two failures and a backoff.
      await waitFor(
        async () => {
          await env.sleep('1m');
          return (await handle.query(statusQuery)).overall === 'AWAITING_DECISION';
        },
        { timeoutMs: 30_000 },
      );
      const ack = await handle.executeUpdate(resolveEscalationUpdate, {
        args: [{ decision: 'RETRY', extraRetries: 1, operator: 'ana' }],
      });
      expect(ack.jobIds).toEqual(['job-aaaaaaaa']);
      const result = await handle.result();
      expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 2 });
      expect(result.jobs[0]?.timeline.map((t) => t.event)).toContain('DECISION');
      expect(notices).toHaveLength(1);
      await recordHistory(handle, 'ts-escalate-then-retry-decision');
    });
  });

  it('rejects a decision for a job that is not awaiting one', async () => {
    const api = new ScriptedBatchApi(1_000_000).script('job-aaaaaaaa', ['SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(taskQueue, input({ jobIds: ['job-aaaaaaaa'] }));
      const decision: unknown = await handle
        .executeUpdate(resolveEscalationUpdate, { args: [{ decision: 'ABANDON' }] })
        .catch((e: unknown) => e);
      expect(decision).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((decision as WorkflowUpdateFailedError).cause?.message).toMatch(/no job is awaiting a decision/);
      const retryNow: unknown = await handle
        .executeUpdate(retryNowUpdate, { args: [{}] })
        .catch((e: unknown) => e);
      expect((retryNow as WorkflowUpdateFailedError).cause?.message).toMatch(/waiting to be retried/);
      expect((await handle.query(statusQuery)).jobs[0]?.phase).toBe('WATCHING');
    });
  });

  it('reacts to a job-state-changed signal at once instead of at the next hourly poll, and retries now on request', async () => {
    const api = new ScriptedBatchApi(1_000_000).script('job-aaaaaaaa', ['SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(
        taskQueue,
        input({
          jobIds: ['job-aaaaaaaa'],
          policy: { pollInterval: '1h', backoff: { initialInterval: '30m', maxInterval: '1h' } },
        }),
      );
      await waitFor(async () => (await handle.query(statusQuery)).jobs[0]?.lastKnownState === 'RUNNING', {
        timeoutMs: 30_000,
      });
      // Failed now, so its 30-minute backoff has most of its time left when the operator asks for a retry now.
      const endTime = api.fail('job-aaaaaaaa', new Date(await env.currentTimeMs()).toISOString());
      // Time does not skip here (no result awaited): only the signal can make the workflow look again.
      await handle.signal(jobStateChangedSignal, { jobId: 'job-aaaaaaaa', state: 'FAILED' });
      const waiting = await waitFor(
        async () => {
          const job = (await handle.query(statusQuery)).jobs[0];
          return job?.phase === 'WAITING_TO_RETRY' ? job : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(waiting.lastFailure?.endTime).toBe(endTime);
      const ack = await handle.executeUpdate(retryNowUpdate, { args: [{ jobIds: ['job-aaaaaaaa'] }] });
      expect(ack.jobIds).toEqual(['job-aaaaaaaa']);
      await waitFor(async () => (await handle.query(statusQuery)).jobs[0]?.retries === 1, {
        timeoutMs: 30_000,
      });
      expect(api.retriesOf('job-aaaaaaaa')).toBe(1);
    });
  });

  it('escalates a job stuck in one state past the stuck timeout', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['HANG']);
    await withWorker(api, async ({ taskQueue, notices, input }) => {
      const before = await env.currentTimeMs();
      const result = await (
        await start(
          taskQueue,
          input({
            jobIds: ['job-aaaaaaaa'],
            policy: { stuckTimeout: '3h', escalation: { decisionTimeout: '1h' } },
          }),
        )
      ).result();
      expect(result.jobs[0]).toMatchObject({ outcome: 'ESCALATED', lastKnownState: 'RUNNING' });
      expect(notices[0]?.jobs[0]?.reason).toBe('STUCK');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(4 * HOUR);
    });
  });

  it('escalates every unfinished job at the overall deadline', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['HANG']).script('job-bbbbbbbb', ['SUCCEED']);
    await withWorker(api, async ({ taskQueue, notices, input }) => {
      const result = await (
        await start(
          taskQueue,
          input({
            jobIds: ['job-aaaaaaaa', 'job-bbbbbbbb'],
            policy: { deadline: '2h', stuckTimeout: '10h', escalation: { decisionTimeout: '1h' } },
          }),
        )
      ).result();
      expect(result.jobs.map((j) => j.outcome)).toEqual(['ESCALATED', 'SUCCEEDED']);
      expect(notices.flatMap((n) => n.jobs.map((j) => j.reason))).toEqual(['DEADLINE']);
    });
  });

  it('fails at once, non-retryable, on malformed job IDs', async () => {
    const api = new ScriptedBatchApi();
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(taskQueue, input({ jobIds: ['job-aaaaaaaa', 'JOB-1', 'job-aaaaaaaa'] }));
      const err: unknown = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect(cause).toMatchObject({ type: ErrorType.InvalidJobId, nonRetryable: true });
      expect((cause as ApplicationFailure).message).toMatch(/jobIds\[1\]="JOB-1"/);
    });
  });

  it('fails at once, non-retryable, on an input field that was removed, naming it', async () => {
    const api = new ScriptedBatchApi();
    await withWorker(api, async ({ taskQueue, input }) => {
      const removed = { ...input({ jobIds: ['job-aaaaaaaa'] }), coalescePolls: false };
      const handle = await start(taskQueue, removed);
      const err: unknown = await handle.result().catch((e: unknown) => e);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause).toMatchObject({ type: ErrorType.InvalidInput, nonRetryable: true });
      expect((cause as ApplicationFailure).message).toMatch(/coalescePolls was removed/);
      expect(api.retriesOf('job-aaaaaaaa')).toBe(0);
    });
  });

  it('stops cleanly on cancellation and says where each job was left', async () => {
    const api = new ScriptedBatchApi(1_000_000).script('job-aaaaaaaa', ['SUCCEED']);
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(taskQueue, input({ jobIds: ['job-aaaaaaaa'] }));
      await waitFor(async () => (await handle.query(statusQuery)).jobs[0]?.lastKnownState === 'RUNNING', {
        timeoutMs: 30_000,
      });
      await handle.cancel();
      await expect(handle.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      const status = await handle.query(statusQuery);
      expect(status.overall).toBe('CANCELLED');
      expect(status.jobs[0]).toMatchObject({ outcome: 'CANCELLED', lastKnownState: 'RUNNING' });
      await recordHistory(handle, 'ts-cancelled');
    });
  });

  it('takes back from the dispatcher a retry handed over but not sent when it is cancelled, and ends Cancelled', async () => {
    const api = new ScriptedBatchApi().script('job-aaaaaaaa', ['FAILED', 'SUCCEED']);
    const handedOver: string[] = [];
    // The hand-over reaches nobody (a dispatcher that has not started its call yet): the request stays unanswered.
    const requestRetries: DispatchActivities['requestRetries'] = ({ deliveries }) => {
      handedOver.push(...deliveries.flatMap((d) => d.requests.map((r) => r.requestId)));
      return Promise.resolve();
    };
    // The withdrawal as sent to the dispatcher; other signals go through.
    const withdrawn: unknown[] = [];
    const { signalWorkflows: signal } = createDispatchActivities({ client: env.client });
    const signalWorkflows: DispatchActivities['signalWorkflows'] = (sent) => {
      if (sent.signalName !== 'retryWithdrawn') return signal(sent);
      withdrawn.push(...sent.messages.map((m) => m.message));
      return Promise.resolve({ gone: [] });
    };
    await withWorker(
      api,
      async ({ taskQueue, input }) => {
        // Real-time polls: the test server skips time only while someone awaits the result.
        const handle = await start(
          taskQueue,
          input({
            jobIds: ['job-aaaaaaaa'],
            policy: { pollInterval: '1s', backoff: { initialInterval: '100ms', maxInterval: '1s' } },
          }),
        );
        await waitFor(() => handedOver.length > 0, { timeoutMs: 30_000 });
        await handle.cancel();
        await expect(handle.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
        expect(withdrawn).toEqual([{ requestIds: handedOver }]);
        expect(api.retriesOf('job-aaaaaaaa')).toBe(0);
      },
      { requestRetries, signalWorkflows },
    );
  });

  it('continues as new when history grows, carrying every job state', async () => {
    const api = new ScriptedBatchApi(1).script('job-aaaaaaaa', [
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'SUCCEED',
    ]);
    await withWorker(api, async ({ taskQueue, input }) => {
      const handle = await start(
        taskQueue,
        input({
          jobIds: ['job-aaaaaaaa'],
          policy: {
            continueAsNewAfterEvents: 100,
            maxRetriesPerJob: 8,
            backoff: { initialInterval: '1s', maxInterval: '2s' },
          },
        }),
      );
      const result = await handle.result();
      expect(result.jobs[0]).toMatchObject({ outcome: 'SUCCEEDED', retries: 8 });
      const { events } = await handle.fetchHistory();
      const firstRun = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory();
      expect(firstRun.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      expect(events?.length).toBeGreaterThan(0);
      await recordHistory(
        env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId),
        'ts-continue-as-new-first-run',
      );
      await recordHistory(handle, 'ts-continue-as-new-last-run');
    });
  });
});
