/**
 * A recovery's status says when each of its jobs was last read, the job watcher's polls that found no change
 * included (dev server, in-process workers, the emulator over HTTP).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getRecoveryStatus } from '../../src/client';
import { jobWatcherWorkflowId } from '../../src/shared/constants';
import { statusQuery } from '../../src/shared/messages';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { fastInput, inProcessWorkers, perTestResources, uniqueQueues } from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const { emulator } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const POLL_INTERVAL_MS = 1_000;
const RUNNING_FOR_A_DAY = { script: { attempts: [{ outcome: 'SUCCEED' as const }], runSeconds: 24 * 3600 } };

it("reports a running job's last read from the watcher's polls that found no change, which the status query alone misses", async () => {
  const emu = await emulator();
  const queues = uniqueQueues();
  const workers = await inProcessWorkers(env, emu, queues);
  const running = workers.map((w) => w.run());
  const job = emu.createJob(RUNNING_FOR_A_DAY);
  const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
    taskQueue: queues.workflow,
    workflowId: `last-read-${queues.workflow}`,
    args: [fastInput([job], queues, { pollInterval: POLL_INTERVAL_MS })],
  });
  const watcherId = jobWatcherWorkflowId(queues.describe);
  try {
    await waitFor(async () => (await handle.query(statusQuery)).jobs[0]?.lastKnownState === 'RUNNING', {
      timeoutMs: 30_000,
      description: 'the recovery to see its job running',
    });
    const status = await waitFor(
      async () => {
        const current = await getRecoveryStatus(env.client, handle.workflowId);
        const read = current.jobs[0];
        const sinceChangeMs = Date.parse(read?.lastReadAt ?? '') - Date.parse(read?.lastStateChangeAt ?? '');
        return sinceChangeMs >= 3 * POLL_INTERVAL_MS && current;
      },
      {
        timeoutMs: 30_000,
        description: 'the last read to be three poll intervals past the last state change',
      },
    );
    const own = await handle.query(statusQuery);
    expect(status.jobWatchers).toEqual([watcherId]);
    expect(status.jobs[0]).toMatchObject({ lastKnownState: 'RUNNING', phase: 'WATCHING' });
    expect(own.jobs[0]?.lastStateChangeAt).toBe(status.jobs[0]?.lastStateChangeAt);
    // The workflow itself heard of no read since the one that found the job running.
    expect(own.jobs[0]?.lastReadAt).toEqual(expect.any(String));
    expect(Date.parse(status.jobs[0]?.lastReadAt ?? '')).toBeGreaterThan(
      Date.parse(own.jobs[0]?.lastReadAt ?? ''),
    );
  } finally {
    await handle.terminate('test over').catch(() => undefined);
    await env.client.workflow
      .getHandle(watcherId)
      .terminate('test over')
      .catch(() => undefined);
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
  }
}, 120_000);
