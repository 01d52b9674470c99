/**
 * The job watcher on real parts (dev server, in-process workers, the emulator over HTTP), in the moment that is
 * easiest to get wrong: a poll result and the end of the poll set arriving in one workflow task. That happens
 * whenever the workflow worker was away (killed, restarted) while the describe worker kept polling. The result
 * must still reach its owner; an owner dropped by mistake would wait for its next renewal (2 h).
 */
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDispatchActivities } from '../../src/activities/request-retries';
import { DEFAULT_JOB_WATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { statusQuery } from '../../src/shared/messages';
import { jobStateWatcherWorkflow, recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor, workflowBundle } from '../helpers/temporal';
import { fastInput, inProcessWorkers, perTestResources, uniqueQueues } from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const { emulator } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

it('tells owners of changes read while the workflow worker was away, even as the poll set ends in the same task', async () => {
  const emu = await emulator();
  const queues = uniqueQueues();
  // What goes away here is the workflow worker of the watcher and the owners; the API budget's worker (reads
  // need it) and the activity workers stay.
  const workers = await inProcessWorkers(env, emu, queues);
  const [workflowWorker, budgetWorker, describeWorker, retryWorker] = workers;
  if (!workflowWorker || !budgetWorker || !describeWorker || !retryWorker)
    throw new Error('expected four workers');
  const running = workers.map((w) => w.run());
  const watcher = await env.client.workflow.start(jobStateWatcherWorkflow, {
    taskQueue: queues.workflow,
    workflowId: `${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${queues.describe}`,
    args: [{ describeTaskQueue: queues.describe, pollSetLifetimeMs: 2_000 }],
  });
  const jobs = Array.from({ length: 20 }, () =>
    emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 24 * 3600 } }),
  );
  const owners = await Promise.all(
    jobs.map((job) =>
      env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-watcher-away-${queues.workflow}-${job}`,
        args: [fastInput([job], queues)],
      }),
    ),
  );
  let replacement: Worker | undefined;
  try {
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => s.jobs[0]?.lastKnownState === 'RUNNING');
      },
      { timeoutMs: 30_000, description: 'every owner to see its job running' },
    );
    // The workflow worker goes away; the describe worker keeps polling and reads every job FAILED; the poll
    // set's 2 s lifetime ends meanwhile. All of it reaches the watcher in one task when a worker is back.
    workflowWorker.shutdown();
    await running[0];
    for (const job of jobs) emu.setJobState(job, 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    replacement = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.workflow,
      workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
      activities: {
        notifyEscalation: () => Promise.resolve({ delivered: ['log' as const] }),
        ...createDispatchActivities({ client: env.client }),
      },
    });
    const replacementRun = replacement.run();
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => (s.jobs[0]?.retries ?? 0) >= 1);
      },
      { timeoutMs: 30_000, description: 'every owner to hear of its failure and retry it' },
    );
    for (const job of jobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    replacement.shutdown();
    await replacementRun;
  } finally {
    await Promise.all([...owners, watcher].map((h) => h.terminate('test over').catch(() => undefined)));
    for (const w of [describeWorker, retryWorker]) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running.slice(2));
    budgetWorker.shutdown();
    await Promise.allSettled(running);
  }
}, 120_000);

it('tells the owners of two parts read in one task one report after the other, and its history replays', async () => {
  const emu = await emulator();
  const queues = uniqueQueues();
  const workers = await inProcessWorkers(env, emu, queues);
  const [workflowWorker, budgetWorker, describeWorker, retryWorker] = workers;
  if (!workflowWorker || !budgetWorker || !describeWorker || !retryWorker)
    throw new Error('expected four workers');
  const running = workers.map((w) => w.run());
  const watcher = await env.client.workflow.start(jobStateWatcherWorkflow, {
    taskQueue: queues.workflow,
    workflowId: `${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${queues.describe}`,
    args: [{ describeTaskQueue: queues.describe }],
  });
  // 101 jobs: two parts, one of 100 owners and one of 1, so the two reports would take different times.
  const jobs = Array.from({ length: 101 }, () =>
    emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 24 * 3600 } }),
  );
  const owners = await Promise.all(
    jobs.map((job) =>
      env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `e2e-watcher-two-parts-${queues.workflow}-${job}`,
        args: [fastInput([job], queues, { pollInterval: '5s' })],
      }),
    ),
  );
  // How many of the watcher's reports (local activities) ran at once, at most.
  let reporting = 0;
  let mostReportsAtOnce = 0;
  const dispatch = createDispatchActivities({ client: env.client });
  const signalWorkflows: typeof dispatch.signalWorkflows = async (input) => {
    const fromWatcher = Context.current().info.workflowType === 'jobStateWatcherWorkflow';
    if (fromWatcher) mostReportsAtOnce = Math.max(mostReportsAtOnce, ++reporting);
    try {
      return await dispatch.signalWorkflows(input);
    } finally {
      if (fromWatcher) reporting -= 1;
    }
  };
  let replacement: Worker | undefined;
  try {
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => s.jobs[0]?.lastKnownState === 'RUNNING');
      },
      { timeoutMs: 60_000, description: 'every owner to see its job running' },
    );
    // Both parts read every job FAILED while the workflow worker is away: their results reach the watcher in one
    // task when a worker is back.
    workflowWorker.shutdown();
    await running[0];
    for (const job of jobs) emu.setJobState(job, 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    replacement = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.workflow,
      workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
      activities: {
        notifyEscalation: () => Promise.resolve({ delivered: ['log' as const] }),
        ...dispatch,
        signalWorkflows,
      },
    });
    const replacementRun = replacement.run();
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => (s.jobs[0]?.retries ?? 0) >= 1);
      },
      { timeoutMs: 60_000, description: 'every owner to hear of its failure and retry it' },
    );
    for (const job of jobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    expect(mostReportsAtOnce).toBe(1);
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(require.resolve('../../src/workflows')) },
      await watcher.fetchHistory(),
      watcher.workflowId,
    );
    replacement.shutdown();
    await replacementRun;
  } finally {
    await Promise.all([...owners, watcher].map((h) => h.terminate('test over').catch(() => undefined)));
    for (const w of [describeWorker, retryWorker]) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running.slice(2));
    budgetWorker.shutdown();
    await Promise.allSettled(running);
  }
}, 180_000);
