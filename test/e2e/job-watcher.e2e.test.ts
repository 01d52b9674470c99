/**
 * The job watcher on real parts (dev server, in-process workers, the emulator over HTTP), in the moment that is
 * easiest to get wrong: a poll result and the end of the poll set arriving in one workflow task. That happens
 * whenever the workflow worker was away (killed, restarted) while the describe worker kept polling. The result
 * must still reach its owner; an owner dropped by mistake would wait for its next renewal (2 h).
 */
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDispatchActivities } from '../../src/activities/request-retries';
import { DEFAULT_JOB_WATCHER_WORKFLOW_ID } from '../../src/shared/constants';
import { statusQuery } from '../../src/shared/messages';
import type { RecoverBatchJobsInput } from '../../src/shared/recovery-types';
import type { JobWatcherInput } from '../../src/shared/watcher-types';
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

/** How one scene runs: how many one-job owners, how long the workflow worker stays away, and what it runs with. */
interface AwayScene {
  jobs: number;
  /** Extra input of the watcher. */
  watcher?: Partial<JobWatcherInput>;
  ownerPolicy?: RecoverBatchJobsInput['policy'];
  idPrefix: string;
  awayMs: number;
  timeoutMs: number;
  /** Activities of the workflow worker that comes back (the real ones by default). */
  activities?: Partial<ReturnType<typeof createDispatchActivities>>;
  /** Checks once every owner heard of its failure and retried it. */
  afterRetries?: (watcher: WorkflowHandle) => Promise<void>;
}

/**
 * Owners each watch one running job; the workflow worker goes away, every job fails meanwhile (the describe worker
 * keeps polling), and a new workflow worker comes back: every owner must hear and retry its job once.
 */
async function failWhileWorkflowWorkerAway(scene: AwayScene): Promise<void> {
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
    args: [{ describeTaskQueue: queues.describe, ...scene.watcher }],
  });
  const jobs = Array.from({ length: scene.jobs }, () =>
    emu.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 24 * 3600 } }),
  );
  const owners = await Promise.all(
    jobs.map((job) =>
      env.client.workflow.start(recoverBatchJobsWorkflow, {
        taskQueue: queues.workflow,
        workflowId: `${scene.idPrefix}-${queues.workflow}-${job}`,
        args: [fastInput([job], queues, scene.ownerPolicy)],
      }),
    ),
  );
  try {
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => s.jobs[0]?.lastKnownState === 'RUNNING');
      },
      { timeoutMs: scene.timeoutMs, description: 'every owner to see its job running' },
    );
    workflowWorker.shutdown();
    await running[0];
    for (const job of jobs) emu.setJobState(job, 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, scene.awayMs));
    const replacement = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.workflow,
      workflowBundle: await workflowBundle(require.resolve('../../src/workflows')),
      activities: {
        notifyEscalation: () => Promise.resolve({ delivered: ['log' as const] }),
        ...createDispatchActivities({ client: env.client }),
        ...scene.activities,
      },
    });
    const replacementRun = replacement.run();
    await waitFor(
      async () => {
        const states = await Promise.all(owners.map((o) => o.query(statusQuery)));
        return states.every((s) => (s.jobs[0]?.retries ?? 0) >= 1);
      },
      { timeoutMs: scene.timeoutMs, description: 'every owner to hear of its failure and retry it' },
    );
    for (const job of jobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    await scene.afterRetries?.(watcher);
    replacement.shutdown();
    await replacementRun;
  } finally {
    await Promise.all([...owners, watcher].map((h) => h.terminate('test over').catch(() => undefined)));
    for (const w of [describeWorker, retryWorker]) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running.slice(2));
    budgetWorker.shutdown();
    await Promise.allSettled(running);
  }
}

it('tells owners of changes read while the workflow worker was away, even as the poll set ends in the same task', async () => {
  // The describe worker reads every job FAILED while the workflow worker is away; the poll set's 2 s lifetime ends
  // meanwhile. All of it reaches the watcher in one task when a worker is back.
  await failWhileWorkflowWorkerAway({
    jobs: 20,
    watcher: { pollSetLifetimeMs: 2_000 },
    idPrefix: 'e2e-watcher-away',
    awayMs: 4_000,
    timeoutMs: 30_000,
  });
}, 120_000);

it('tells the owners of two parts read in one task one report after the other, and its history replays', async () => {
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
  // 101 jobs: two parts, one of 100 owners and one of 1, so the two reports would take different times. Both parts
  // read every job FAILED while the workflow worker is away: their results reach the watcher in one task.
  await failWhileWorkflowWorkerAway({
    jobs: 101,
    ownerPolicy: { pollInterval: '5s' },
    idPrefix: 'e2e-watcher-two-parts',
    awayMs: 7_000,
    timeoutMs: 60_000,
    activities: { signalWorkflows },
    afterRetries: async (watcher) => {
      expect(mostReportsAtOnce).toBe(1);
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(require.resolve('../../src/workflows')) },
        await watcher.fetchHistory(),
        watcher.workflowId,
      );
    },
  });
}, 180_000);
