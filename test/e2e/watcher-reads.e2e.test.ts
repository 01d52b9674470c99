/**
 * How the job watcher spends DescribeJobs when there is more to read than the API allows at once, on real parts
 * (dev server, in-process workers, the emulator over HTTP at DescribeJobs 2/s): a read an owner asks for goes ahead
 * of a first look in progress, the polls of jobs already read give way to first reads, and a describe queue's jobs
 * can be shared among several watchers by job ID.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { notifyJobStateChanged } from '../../src/client';
import { jobWatcherWorkflowId, retryDispatcherWorkflowId } from '../../src/shared/constants';
import { shardOf } from '../../src/shared/job-id';
import { statusQuery } from '../../src/shared/messages';
import type { JobStatus } from '../../src/shared/recovery-types';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import {
  TEST_DESCRIBE_LIMITS,
  fastInput,
  inProcessWorkers,
  perTestResources,
  uniqueQueues,
} from '../support/e2e-kit';

let env: TestWorkflowEnvironment;
const { emulator } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const LIMITS = { ...TEST_DESCRIBE_LIMITS, DescribeJobs: 2 };
const RUNNING_FOR_A_DAY = { script: { attempts: [{ outcome: 'SUCCEED' as const }], runSeconds: 24 * 3600 } };

it('reads a job an owner asks for ahead of a first look in progress, and polls give way to first reads', async () => {
  const emu = await emulator({ rateLimits: LIMITS });
  const queues = uniqueQueues();
  const workers = await inProcessWorkers(env, emu, queues, LIMITS);
  const running = workers.map((w) => w.run());
  const small = emu.createJob(RUNNING_FOR_A_DAY);
  const polled = Array.from({ length: 1_000 }, () => emu.createJob(RUNNING_FOR_A_DAY));
  // 10 first reads, 5.75 s at 2 calls per 1.15 s.
  const bulk = Array.from({ length: 1_000 }, () => emu.createJob(RUNNING_FOR_A_DAY));
  const handles: WorkflowHandle<typeof recoverBatchJobsWorkflow>[] = [];
  const start = async (name: string, jobIds: string[]) => {
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `${name}-${queues.workflow}`,
      // Every job polled every second, were it up to the owners: 10 calls a second for these 1,000 jobs.
      args: [fastInput(jobIds, queues)],
    });
    handles.push(handle);
    return handle;
  };
  try {
    const owners = [await start('small', [small]), await start('polled', polled)];
    await waitFor(
      async () =>
        (await Promise.all(owners.map((o) => o.query(statusQuery)))).every((s) =>
          s.jobs.every((j) => j.lastKnownState === 'RUNNING'),
        ),
      { timeoutMs: 60_000, description: 'the first owners to see their jobs running' },
    );
    const bulkStart = Date.now();
    await start('bulk', bulk);
    const bulkIds = new Set(bulk);
    /** How many bulk jobs were read, and when the last of them was first read. */
    const firstReads = () => {
      const read = new Set<string>();
      let lastAt = 0;
      for (const entry of emu.ledger.entries({ action: 'DescribeJobs', outcome: 'ok', since: bulkStart })) {
        const before = read.size;
        for (const id of (entry.params as { JobIds: string[] }).JobIds) if (bulkIds.has(id)) read.add(id);
        if (read.size > before) lastAt = entry.at;
      }
      return { count: read.size, lastAt };
    };
    await waitFor(() => Promise.resolve(firstReads().count >= 200), {
      timeoutMs: 60_000,
      description: 'the first look at the bulk to be under way',
    });

    // The small job fails and its owner is told: its read must not wait for the rest of the first look.
    emu.setJobState(small, 'FAILED');
    const askedAt = Date.now();
    await notifyJobStateChanged(env.client, `small-${queues.workflow}`, { jobId: small, state: 'FAILED' });
    await waitFor(() => Promise.resolve(emu.ledger.retriesOf(small).length === 1), {
      timeoutMs: 60_000,
      description: 'the small job to be retried',
    });
    const askedRead = emu.ledger.entries({ action: 'DescribeJobs', jobId: small, since: askedAt })[0];
    await waitFor(() => Promise.resolve(firstReads().count === bulk.length), {
      timeoutMs: 120_000,
      description: 'every bulk job to be read once',
    });
    // Behind at most the reads in flight (2.3 s at 2 per 1.15 s), not behind the rest of the look.
    expect((askedRead?.at ?? Infinity) - askedAt).toBeLessThan(5_000);
    // 10 reads at the budget's pace take 5.75 s. Polls that took their turns would stretch it to about 30 s.
    expect((firstReads().lastAt - bulkStart) / 1000).toBeLessThan(12);
    expect(emu.ledger.entries({ outcome: 'RequestLimitExceeded' })).toHaveLength(0);
  } finally {
    await Promise.all(handles.map((h) => h.terminate('test over').catch(() => undefined)));
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
  }
}, 240_000);

it('reads a job asked for while another asked-for read waits for its answer at once, not after that answer', async () => {
  const emu = await emulator({ rateLimits: LIMITS });
  const queues = uniqueQueues();
  const workers = await inProcessWorkers(env, emu, queues, LIMITS);
  const running = workers.map((w) => w.run());
  const [first, second] = [emu.createJob(RUNNING_FOR_A_DAY), emu.createJob(RUNNING_FOR_A_DAY)] as [
    string,
    string,
  ];
  const handles: WorkflowHandle<typeof recoverBatchJobsWorkflow>[] = [];
  try {
    for (const [name, jobId] of [
      ['first', first],
      ['second', second],
    ] as const) {
      handles.push(
        await env.client.workflow.start(recoverBatchJobsWorkflow, {
          taskQueue: queues.workflow,
          workflowId: `${name}-${queues.workflow}`,
          // No poll within the test: every read after the first is one an owner asked for.
          args: [fastInput([jobId], queues, { pollInterval: '10m' })],
        }),
      );
    }
    await waitFor(
      async () =>
        (await Promise.all(handles.map((h) => h.query(statusQuery)))).every((s) =>
          s.jobs.every((j) => j.lastKnownState === 'RUNNING'),
        ),
      { timeoutMs: 60_000, description: 'both owners to see their jobs running' },
    );
    // The next DescribeJobs, the read the first owner asks for, is answered 5 s after it reaches the API.
    emu.faults.add({ action: 'DescribeJobs', kind: 'slow-answer', latencyMs: 5_000, times: 1 });
    const firstAskedAt = Date.now();
    await notifyJobStateChanged(env.client, `first-${queues.workflow}`, { jobId: first, state: 'RUNNING' });
    await waitFor(
      () => Promise.resolve(emu.ledger.entries({ action: 'DescribeJobs', since: firstAskedAt }).length > 0),
      {
        timeoutMs: 10_000,
        description: 'the first asked-for read to reach the API',
      },
    );
    const secondAskedAt = Date.now();
    await notifyJobStateChanged(env.client, `second-${queues.workflow}`, { jobId: second, state: 'RUNNING' });
    await waitFor(
      () =>
        Promise.resolve(
          emu.ledger.entries({ action: 'DescribeJobs', jobId: second, since: secondAskedAt }).length > 0,
        ),
      { timeoutMs: 20_000, description: 'the second asked-for read' },
    );
    const [slowRead] = emu.ledger.entries({ action: 'DescribeJobs', since: firstAskedAt });
    const [secondRead] = emu.ledger.entries({ action: 'DescribeJobs', jobId: second, since: secondAskedAt });
    expect((slowRead?.params as { JobIds: string[] }).JobIds).toEqual([first]);
    // One budget window at most; behind the slow read it would come about 5 s after that read arrived.
    expect((secondRead?.at ?? Infinity) - secondAskedAt).toBeLessThan(3_000);
    expect(emu.ledger.entries({ outcome: 'RequestLimitExceeded' })).toHaveLength(0);
  } finally {
    await Promise.all(handles.map((h) => h.terminate('test over').catch(() => undefined)));
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
  }
}, 120_000);

it('shares the jobs among watcher and dispatcher shards by job ID: each reads, hands over and retries only its own jobs', async () => {
  const emu = await emulator();
  const queues = uniqueQueues();
  const workers = await inProcessWorkers(env, emu, queues);
  const running = workers.map((w) => w.run());
  const shards = 3;
  const jobs = Array.from({ length: 30 }, () => emu.createJob(RUNNING_FOR_A_DAY));
  const handles: WorkflowHandle<typeof recoverBatchJobsWorkflow>[] = [];
  try {
    // The first owner's failures go on standing orders (watcher k to dispatcher k); a repeated-failure check gives
    // the second none, so it hands each failure to its job's dispatcher itself.
    const policies = [{}, { repeatedFailureLimit: 3 }];
    for (const [i, jobIds] of [jobs.slice(0, 15), jobs.slice(15)].entries()) {
      handles.push(
        await env.client.workflow.start(recoverBatchJobsWorkflow, {
          taskQueue: queues.workflow,
          workflowId: `sharded-${i}-${queues.workflow}`,
          args: [{ ...fastInput(jobIds, queues, policies[i]), taskQueues: { ...queues, shards } }],
        }),
      );
    }
    await waitFor(
      async () =>
        (await Promise.all(handles.map((h) => h.query(statusQuery)))).every((s) =>
          s.jobs.every((j) => j.lastKnownState === 'RUNNING'),
        ),
      { timeoutMs: 60_000, description: 'every owner to see its jobs running' },
    );
    for (const job of jobs) emu.setJobState(job, 'FAILED');
    await waitFor(() => Promise.resolve(jobs.every((job) => emu.ledger.retriesOf(job).length >= 1)), {
      timeoutMs: 60_000,
      description: 'every job to be retried',
    });
    for (const job of jobs) expect(emu.ledger.retriesOf(job)).toHaveLength(1);
    // Every read is one watcher's: its jobs all of one shard; and every shard read its jobs.
    const reads = emu.ledger
      .entries({ action: 'DescribeJobs' })
      .map((e) => (e.params as { JobIds: string[] }).JobIds);
    const shardsOfRead = reads.map((ids) => new Set(ids.map((id) => shardOf(id, shards))));
    expect(shardsOfRead.every((s) => s.size === 1)).toBe(true);
    expect(new Set(shardsOfRead.flatMap((s) => [...s])).size).toBe(shards);
    // Every RetryJobs call is one dispatcher's: its jobs all of one shard; and every shard's dispatcher runs.
    const calls = emu.ledger
      .entries({ action: 'RetryJobs' })
      .map((e) => (e.params as { JobIds: string[] }).JobIds);
    expect(calls.every((ids) => new Set(ids.map((id) => shardOf(id, shards))).size === 1)).toBe(true);
    const [standing, ownHandOvers] = await Promise.all(handles.map((h) => h.query(statusQuery)));
    const byStandingOrder = (j: JobStatus) => j.timeline.some((e) => e.detail.includes('standing order'));
    expect(standing?.jobs.every(byStandingOrder)).toBe(true);
    expect(ownHandOvers?.jobs.some(byStandingOrder)).toBe(false);
    for (let shard = 0; shard < shards; shard++) {
      for (const id of shardWorkflowIds(queues, shard, shards)) {
        expect((await env.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      }
    }
  } finally {
    await Promise.all(handles.map((h) => h.terminate('test over').catch(() => undefined)));
    for (let shard = 0; shard < shards; shard++) {
      for (const id of shardWorkflowIds(queues, shard, shards)) {
        await env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
      }
    }
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
  }
}, 240_000);

/** Shard `shard`'s job watcher and RetryJobs dispatcher. */
function shardWorkflowIds(
  queues: { describe: string; retry: string },
  shard: number,
  shards: number,
): string[] {
  return [
    jobWatcherWorkflowId(queues.describe, shard, shards),
    retryDispatcherWorkflowId(queues.retry, shard, shards),
  ];
}
