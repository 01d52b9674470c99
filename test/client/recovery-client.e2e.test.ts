/**
 * The client helpers against the real path: the run's dev server (with the package's search attributes), the
 * package's workers and the Tencent Batch emulator.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  InvalidRecoveryInputError,
  JOB_IDS_SEARCH_ATTRIBUTE,
  RECOVERY_STATE_SEARCH_ATTRIBUTE,
  RecoveryUpdateRejectedError,
  decideEscalation,
  getRecoveryStatus,
  listEscalations,
  notifyJobStateChanged,
  retryNow,
  startRecovery,
  waitForRecoveryResult,
  type StartedRecovery,
} from '../../src/client';
import type { RunningEmulator } from '../../src/emulator';
import type { RecoveryPolicyInput } from '../../src/shared/recovery-types';
import { statusQuery } from '../../src/shared/messages';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { randomJobId, startBackgroundWorkers, type BackgroundWorkers } from '../support/cli-kit';
import { fastInput, startTestEmulator, uniqueQueues } from '../support/e2e-kit';
import { localActivityRuns } from '../support/local-activities';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let workers: BackgroundWorkers;
const started: StartedRecovery[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  emulator = await startTestEmulator();
  workers = await startBackgroundWorkers(env, emulator, uniqueQueues());
});
afterEach(async () => {
  // Leave nothing running on the shared server: cancel what a test left open (a no-op for closed runs).
  await Promise.all(started.splice(0).map((s) => s.handle.cancel().catch(() => undefined)));
});
afterAll(async () => {
  await workers?.stop();
  await emulator?.close();
  await env?.teardown();
});

/** A job that runs for an emulated hour (a real minute): it stays RUNNING for the whole test. */
function longRunningJob(): string {
  return emulator.createJob({
    jobId: randomJobId(),
    script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 3600 },
  });
}

function job(attempts: { outcome: 'SUCCEED' | 'FAILED'; exitCode?: number; reason?: string }[]): string {
  return emulator.createJob({ jobId: randomJobId(), script: { attempts, runSeconds: 30 } });
}

async function start(jobIds: string[], policy: RecoveryPolicyInput = {}): Promise<StartedRecovery> {
  const result = await startRecovery(env.client, fastInput(jobIds, workers.queues, policy), {
    taskQueue: workers.queues.workflow,
  });
  started.push(result);
  return result;
}

async function escalated(workflowId: string): Promise<void> {
  await waitFor(
    async () => (await getRecoveryStatus(env.client, workflowId)).overall === 'AWAITING_DECISION',
    {
      timeoutMs: 30_000,
      description: 'the recovery to await a decision',
    },
  );
}

describe('client helpers on the dev server against the emulator', () => {
  it('starts and watches 1,000 jobs in one workflow, with the first 100 IDs in the search attribute (its 2 KB limit)', async () => {
    const jobs = Array.from({ length: 1_000 }, () => longRunningJob());
    const { workflowId, handle } = await start(jobs);
    await waitFor(
      async () => {
        const status = await getRecoveryStatus(env.client, workflowId);
        return status.jobs.length === 1_000 && status.jobs.every((j) => j.lastKnownState === 'RUNNING');
      },
      { timeoutMs: 45_000, description: 'every job to be seen running' },
    );
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(JOB_IDS_SEARCH_ATTRIBUTE)).toEqual(jobs.slice(0, 100));
  });

  it('joins the running workflow when the same job set is started again', async () => {
    const jobs = [longRunningJob(), longRunningJob()];
    const first = await start(jobs);
    const second = await start([...jobs].reverse());
    expect(first).toMatchObject({ outcome: 'STARTED', joined: false, status: 'RUNNING' });
    expect(second).toMatchObject({
      outcome: 'JOINED_RUNNING',
      joined: true,
      workflowId: first.workflowId,
      runId: first.runId,
    });
  });

  it('sets the job IDs and the WATCHING state as search attributes, and a summary for the web UI', async () => {
    const jobs = [longRunningJob()];
    const { handle } = await start(jobs, {});
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(JOB_IDS_SEARCH_ATTRIBUTE)).toEqual(jobs);
    expect(description.typedSearchAttributes.get(RECOVERY_STATE_SEARCH_ATTRIBUTE)).toBe('WATCHING');
    expect(await description.staticSummary()).toBe('Recover 1 Tencent Batch job');
  });

  it('returns the completed run instead of watching the jobs again when the recovery already ended', async () => {
    const jobs = [job([{ outcome: 'SUCCEED' }])];
    const first = await start(jobs);
    expect((await waitForRecoveryResult(env.client, first.workflowId)).overall).toBe('SUCCEEDED');
    const again = await start(jobs);
    expect(again).toMatchObject({
      outcome: 'ALREADY_CLOSED',
      joined: true,
      status: 'COMPLETED',
      runId: first.runId,
    });
  });

  it('refuses a malformed start locally, listing every bad job ID and policy field', async () => {
    const attempt = startRecovery(env.client, {
      jobIds: ['job-1', 'job-aaaaaaaa', 'JOB-B'],
      policy: { backoff: { jitter: 3 } },
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidRecoveryInputError);
    await expect(attempt).rejects.toMatchObject({
      problems: [
        expect.stringContaining('jobIds[0]="job-1"'),
        expect.stringContaining('jobIds[2]="JOB-B"'),
        expect.stringContaining('policy.backoff.jitter'),
      ],
    });
  });

  it('lists a recovery awaiting a decision with the escalated job, its reason and its decision deadline', async () => {
    const broken = job([{ outcome: 'FAILED', exitCode: 2, reason: 'bad input file' }]);
    const { workflowId } = await start([broken], { maxRetriesPerJob: 0 });
    await escalated(workflowId);
    const listed = await waitFor(
      async () =>
        (await listEscalations(env.client, { jobId: broken })).find((e) => e.workflowId === workflowId),
      { timeoutMs: 15_000, description: 'the visibility store to show the escalation' },
    );
    expect(listed.jobIds).toEqual([broken]);
    expect(listed.awaiting).toEqual([
      expect.objectContaining({
        jobId: broken,
        reason: 'RETRY_BUDGET_EXHAUSTED',
        decisionDeadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('applies an operator RETRY decision, which retries the job once and lets the recovery succeed', async () => {
    const flaky = job([{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }]);
    const { workflowId } = await start([flaky], { maxRetriesPerJob: 0 });
    await escalated(workflowId);
    const ack = await decideEscalation(env.client, workflowId, {
      decision: 'RETRY',
      extraRetries: 1,
      operator: 'e2e',
    });
    expect(ack.jobIds).toEqual([flaky]);
    const result = await waitForRecoveryResult(env.client, workflowId);
    expect(result.overall).toBe('SUCCEEDED');
    expect(emulator.ledger.retriesOf(flaky)).toHaveLength(1);
  });

  it("surfaces the workflow's refusal of a decision with its reason", async () => {
    const { workflowId } = await start([longRunningJob()]);
    const attempt = decideEscalation(env.client, workflowId, { decision: 'RESOLVE' });
    await expect(attempt).rejects.toBeInstanceOf(RecoveryUpdateRejectedError);
    await expect(attempt).rejects.toMatchObject({
      workflowId,
      updateName: 'resolveEscalation',
      reason: 'no job is awaiting a decision',
    });
  });

  it('retries a job waiting for a long backoff at once when asked to retry now', async () => {
    const flaky = job([{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }]);
    const { workflowId } = await start([flaky], { backoff: { initialInterval: '1h', maxInterval: '1h' } });
    await waitFor(
      async () => (await getRecoveryStatus(env.client, workflowId)).jobs[0]?.phase === 'WAITING_TO_RETRY',
      { timeoutMs: 30_000, description: 'the job to wait for its backoff' },
    );
    expect((await retryNow(env.client, workflowId)).jobIds).toEqual([flaky]);
    expect((await waitForRecoveryResult(env.client, workflowId)).overall).toBe('SUCCEEDED');
    expect(emulator.ledger.retriesOf(flaky)).toHaveLength(1);
  });

  it('has the job watcher read the job at once on a jobStateChanged signal instead of at the next hourly poll', async () => {
    const running = longRunningJob();
    const { workflowId, handle } = await start([running], { pollInterval: '1h' });
    await waitFor(async () => (await handle.query(statusQuery)).jobs[0]?.lastKnownState === 'RUNNING', {
      timeoutMs: 15_000,
      description: 'the first look at the job',
    });
    emulator.setJobState(running, 'SUCCEED');
    const signalledAt = Date.now();
    await notifyJobStateChanged(env.client, workflowId, { jobId: running, state: 'SUCCEED' });
    const result = await waitFor(
      async () => {
        const { status } = await handle.describe();
        return status.name === 'COMPLETED' && waitForRecoveryResult(env.client, workflowId);
      },
      { timeoutMs: 15_000, description: 'the recovery to complete well before its next poll' },
    );
    expect(result.overall).toBe('SUCCEEDED');
    // The signal made the workflow ask the job watcher, the only reader of job states, to read its job at once.
    const { events } = await handle.fetchHistory();
    const looks = localActivityRuns(events ?? []).filter((r) => r.activityType === 'watchJobs');
    expect(looks.length).toBeGreaterThanOrEqual(2);
    const readsAfterSignal = emulator.ledger
      .entries({ action: 'DescribeJobs', since: signalledAt })
      .filter((e) => ((e.params as { JobIds?: string[] }).JobIds ?? []).includes(running));
    expect(readsAfterSignal.length).toBeGreaterThanOrEqual(1);
  });
});
