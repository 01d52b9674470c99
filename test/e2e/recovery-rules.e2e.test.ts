/**
 * The recovery policy's rules on real parts (the Temporal dev server, the package's workers, the real Tencent SDK
 * over HTTP, the Tencent Batch emulator): what FAILED_INTERRUPTED, retry rules and the repeated-failure limit
 * decide, and continue-as-new of the recovery workflow, the job watcher and the RetryJobs dispatcher in the middle
 * of the work. The emulator's ledger says which jobs got RetryJobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { JobScript, RunningEmulator } from '../../src/emulator';
import { startDevServer } from '../../src/devenv/dev-server';
import { resolveTemporalCli, silentProgress } from '../../src/devenv/temporal-binaries';
import {
  DEFAULT_JOB_WATCHER_WORKFLOW_ID,
  DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID,
} from '../../src/shared/constants';
import { jobStateChangedSignal, resolveEscalationUpdate, statusQuery } from '../../src/shared/messages';
import type {
  JobStatus,
  RecoverBatchJobsInput,
  RecoverBatchJobsResult,
  RetryRule,
} from '../../src/shared/recovery-types';
import type { RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { recoverBatchJobsWorkflow, retryJobsDispatcherWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { installTestRuntime } from '../helpers/temporal-runtime';
import {
  fastInput,
  inProcessWorkers,
  perTestResources,
  uniqueQueues,
  whileRunning,
} from '../support/e2e-kit';
import { expectOneRetryPerFailure } from '../support/retry-expectations';

let env: TestWorkflowEnvironment;
const { emulator } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

type RecoveryHandle = WorkflowHandleWithFirstExecutionRunId<typeof recoverBatchJobsWorkflow>;

/** One emulated minute: a second of real time at the kit's time scale. */
const RUN_SECONDS = 60;

/** A job that goes through `attempts`, each running {@link RUN_SECONDS}. */
function scriptedJob(emu: RunningEmulator, attempts: JobScript['attempts']): string {
  return emu.createJob({ script: { attempts, runSeconds: RUN_SECONDS } });
}

/**
 * The server's continue-as-new suggestion for the watcher test: low enough that the watcher of ten owners reaches
 * it before their jobs fail, high enough that the owners (a registration and a few news each) do not.
 */
const WATCHER_SUGGESTION = 20;

function startRecovery(
  on: TestWorkflowEnvironment,
  queues: RecoveryTaskQueues,
  name: string,
  input: RecoverBatchJobsInput,
): Promise<RecoveryHandle> {
  return on.client.workflow.start(recoverBatchJobsWorkflow, {
    taskQueue: queues.workflow,
    workflowId: `e2e-rules-${name}-${queues.workflow}`,
    args: [input],
  });
}

/** Polls the status query until `jobId` satisfies `matches`; returns the job as the workflow reports it. */
function waitForJob(
  handle: RecoveryHandle,
  jobId: string,
  matches: (job: JobStatus) => boolean,
  description: string,
  timeoutMs = 30_000,
): Promise<JobStatus> {
  return waitFor(
    async () => (await handle.query(statusQuery)).jobs.find((j) => j.jobId === jobId && matches(j)),
    { timeoutMs, description },
  );
}

/**
 * The workflow's result once it has one, or a failure naming what was awaited: a test that hung on it instead would
 * leave its workers running until jest gives up on it.
 */
async function resultOf(
  handle: RecoveryHandle,
  description = 'the recovery to end',
  timeoutMs = 45_000,
): Promise<RecoverBatchJobsResult> {
  await waitFor(async () => (await handle.describe()).status.name !== 'RUNNING', {
    timeoutMs,
    intervalMs: 250,
    description,
  });
  return handle.result();
}

function jobOf(result: RecoverBatchJobsResult, jobId: string): JobStatus {
  const job = result.jobs.find((j) => j.jobId === jobId);
  if (!job) throw new Error(`${jobId} is not in the result`);
  return job;
}

/** One run of a workflow, as the server's visibility lists it; an open run closes at infinity. */
interface WorkflowRun {
  runId: string;
  status: string;
  startMs: number;
  closeMs: number;
}

/** Every run of a workflow ID, oldest first. */
async function runsOf(on: TestWorkflowEnvironment, workflowId: string): Promise<WorkflowRun[]> {
  const runs: WorkflowRun[] = [];
  for await (const wf of on.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({
      runId: wf.runId,
      status: wf.status.name,
      startMs: wf.startTime.getTime(),
      closeMs: wf.closeTime?.getTime() ?? Number.POSITIVE_INFINITY,
    });
  }
  return runs.sort((a, b) => a.startMs - b.startMs);
}

/** The jobs each `readJobStates` (the watcher's first reads) of one run of `workflowId` asked for. */
async function firstReadJobIds(
  on: TestWorkflowEnvironment,
  workflowId: string,
  runId: string,
): Promise<string[]> {
  const { events } = await on.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (events ?? []).flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'readJobStates') return [];
    const [payload] = scheduled.input?.payloads ?? [];
    return (JSON.parse(Buffer.from(payload?.data ?? []).toString()) as { jobIds: string[] }).jobIds;
  });
}

/**
 * A dev server of the test's own, with `dynamicConfig`: for server settings the shared one must not change for
 * the other files. Its environment and the server end when `body` does.
 */
async function withOwnDevServer<T>(
  dynamicConfig: Record<string, unknown>,
  body: (own: TestWorkflowEnvironment) => Promise<T>,
): Promise<T> {
  installTestRuntime();
  const workDir = await mkdtemp(path.join(tmpdir(), 'recovery-rules-e2e-'));
  try {
    const server = await startDevServer({
      binary: await resolveTemporalCli({ log: silentProgress }),
      dynamicConfig,
      output: { file: path.join(workDir, 'server.log') },
      log: silentProgress,
    });
    try {
      const own = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
      try {
        return await body(own);
      } finally {
        await own.teardown();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

describe('the recovery policy on the dev server against the emulator', () => {
  it('escalates a FAILED_INTERRUPTED job without calling RetryJobs, and retries it once released when the operator decides RETRY', async () => {
    const emu = await emulator();
    const job = scriptedJob(emu, [
      { outcome: 'FAILED_INTERRUPTED', reason: 'kept for debugging' },
      { outcome: 'SUCCEED' },
    ]);
    const queues = uniqueQueues();
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await startRecovery(env, queues, 'interrupted-escalate', fastInput([job], queues));
      const escalated = await waitForJob(
        handle,
        job,
        (j) => j.phase === 'AWAITING_DECISION',
        'the job to await a decision',
      );
      expect(escalated).toMatchObject({
        lastKnownState: 'FAILED_INTERRUPTED',
        retries: 0,
        escalation: { reason: 'FAILED_INTERRUPTED' },
      });
      expect(emu.ledger.entries({ action: 'RetryJobs' })).toEqual([]);
      // The operator releases the kept instance (the job becomes FAILED), then answers.
      emu.setJobState(job, 'FAILED');
      await waitForJob(
        handle,
        job,
        (j) => j.lastKnownState === 'FAILED',
        'the released job to be seen FAILED',
      );
      await handle.executeUpdate(resolveEscalationUpdate, {
        args: [{ decision: 'RETRY', jobIds: [job], operator: 'e2e' }],
      });
      return resultOf(handle);
    });
    expect(jobOf(result, job)).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expectOneRetryPerFailure(emu, result, job, 1);
    // The retry answered the released failure, not the interrupted one.
    expect(emu.ledger.retriesOf(job)[0]?.failureEndTime).toBe(jobOf(result, job).lastFailure?.endTime);
    expect(jobOf(result, job).lastFailure?.state).toBe('FAILED');
  });

  it('waits on a FAILED_INTERRUPTED job under onFailedInterrupted WAIT and retries it once it is released, never escalating', async () => {
    const emu = await emulator();
    const job = scriptedJob(emu, [
      { outcome: 'FAILED_INTERRUPTED', reason: 'kept for debugging' },
      { outcome: 'SUCCEED' },
    ]);
    const queues = uniqueQueues();
    const input = fastInput([job], queues, { onFailedInterrupted: 'WAIT' });
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await startRecovery(env, queues, 'interrupted-wait', input);
      const waiting = await waitForJob(
        handle,
        job,
        (j) => j.lastKnownState === 'FAILED_INTERRUPTED',
        'the job to be seen FAILED_INTERRUPTED',
      );
      expect(waiting).toMatchObject({ phase: 'WATCHING', retries: 0 });
      expect(waiting.escalation).toBeUndefined();
      expect(emu.ledger.entries({ action: 'RetryJobs' })).toEqual([]);
      emu.setJobState(job, 'FAILED');
      return resultOf(handle);
    });
    expect(jobOf(result, job)).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expect(jobOf(result, job).timeline.map((t) => t.event)).not.toContain('ESCALATED');
    expectOneRetryPerFailure(emu, result, job, 1);
  });

  it('escalates failures that an ESCALATE rule names by exit code or by reason, and retries those a RETRY rule names', async () => {
    const emu = await emulator();
    const failingOnce = (exitCode: number, reason?: string): string =>
      scriptedJob(emu, [{ outcome: 'FAILED', exitCode, reason }, { outcome: 'SUCCEED' }]);
    const badInput = failingOnce(2, 'bad input file');
    const outOfMemory = failingOnce(1, 'OutOfMemory: container killed');
    const killed = failingOnce(137);
    const reclaimed = failingOnce(1, 'instance reclaimed (spot)');
    const rules: RetryRule[] = [
      { onExitCode: '2', action: 'ESCALATE' },
      { onStateReason: '*OutOfMemory*', action: 'ESCALATE' },
      { onExitCode: '137', action: 'RETRY' },
      { onStateReason: '*reclaimed*', action: 'RETRY' },
      // Without it a RETRY rule would decide nothing the default does not: only a match retries from here on.
      { action: 'ESCALATE' },
    ];
    const queues = uniqueQueues();
    const input = fastInput([badInput, outOfMemory, killed, reclaimed], queues, {
      retryRules: rules,
      // Escalated jobs end as ESCALATED without an operator.
      escalation: { decisionTimeout: '2s' },
    });
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () =>
      resultOf(await startRecovery(env, queues, 'rules', input)),
    );
    const all = [badInput, outOfMemory, killed, reclaimed];
    expect(all.filter((jobId) => emu.ledger.retriesOf(jobId).length > 0)).toEqual([killed, reclaimed]);
    for (const [jobId, rule] of [
      [badInput, rules[0]],
      [outOfMemory, rules[1]],
    ] as const) {
      expect(jobOf(result, jobId)).toMatchObject({
        outcome: 'ESCALATED',
        retries: 0,
        escalation: { reason: 'RULE', message: expect.stringContaining(JSON.stringify(rule)) },
      });
      expectOneRetryPerFailure(emu, result, jobId, 0);
    }
    for (const jobId of [killed, reclaimed]) {
      expect(jobOf(result, jobId)).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
      expectOneRetryPerFailure(emu, result, jobId, 1);
    }
  });

  it('retries a job whose same failure repeats only until it happened repeatedFailureLimit times in a row, then escalates it', async () => {
    const emu = await emulator();
    const sameFailure = scriptedJob(emu, [
      { outcome: 'FAILED', exitCode: 137, reason: 'instance reclaimed (spot)' },
    ]);
    // As many failures, but never the same twice in a row: the limit is about repetition, not count.
    const changingFailure = scriptedJob(emu, [
      { outcome: 'FAILED', exitCode: 137 },
      { outcome: 'FAILED', exitCode: 1 },
      { outcome: 'FAILED', exitCode: 137 },
      { outcome: 'SUCCEED' },
    ]);
    const queues = uniqueQueues();
    const input = fastInput([sameFailure, changingFailure], queues, {
      repeatedFailureLimit: 3,
      // Far above the limit, so that the repetition, not the budget, stops the retries.
      maxRetriesPerJob: 10,
      escalation: { decisionTimeout: '2s' },
    });
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () =>
      resultOf(await startRecovery(env, queues, 'repeated', input)),
    );
    // The limit counts failures: the third identical one is escalated, after two retries.
    expect(jobOf(result, sameFailure)).toMatchObject({
      outcome: 'ESCALATED',
      retries: 2,
      repeatedFailures: 3,
      escalation: { reason: 'REPEATED_FAILURE' },
    });
    expectOneRetryPerFailure(emu, result, sameFailure, 2);
    expect(jobOf(result, changingFailure)).toMatchObject({ outcome: 'SUCCEEDED', retries: 3 });
    expectOneRetryPerFailure(emu, result, changingFailure, 3);
  });

  it('keeps an escalation awaiting its decision through continue-as-new, and the decision sent to the new run retries the job', async () => {
    const emu = await emulator();
    const job = scriptedJob(emu, [
      { outcome: 'FAILED', exitCode: 2, reason: 'bad input file' },
      { outcome: 'SUCCEED' },
    ]);
    const queues = uniqueQueues();
    // No retries of its own: the first failure is escalated. 100 events is the smallest threshold the policy takes.
    const input = fastInput([job], queues, { maxRetriesPerJob: 0, continueAsNewAfterEvents: 100 });
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      const handle = await startRecovery(env, queues, 'continue-as-new', input);
      const before = await waitForJob(
        handle,
        job,
        (j) => j.phase === 'AWAITING_DECISION',
        'the job to await a decision',
      );
      expect(before.escalation?.reason).toBe('RETRY_BUDGET_EXHAUSTED');
      // An escalated workflow waits without history; hints that the job changed (each one a registration with
      // the watcher and a read) grow it to the threshold.
      await waitFor(
        async () => {
          await handle.signal(jobStateChangedSignal, { jobId: job });
          return (await handle.describe()).runId !== handle.firstExecutionRunId;
        },
        { timeoutMs: 45_000, intervalMs: 250, description: 'the recovery to continue as new' },
      );
      const after = await waitForJob(handle, job, () => true, 'the new run to answer');
      expect(after.phase).toBe('AWAITING_DECISION');
      expect(after.escalation).toEqual(before.escalation);
      expect(emu.ledger.retriesOf(job)).toEqual([]);
      const ack = await handle.executeUpdate(resolveEscalationUpdate, {
        args: [{ decision: 'RETRY', jobIds: [job], operator: 'e2e' }],
      });
      expect(ack.jobIds).toEqual([job]);
      return resultOf(handle);
    });
    expect(jobOf(result, job)).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
    expect(jobOf(result, job).timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining(['ESCALATED', 'DECISION', 'RETRY_SENT']),
    );
    expectOneRetryPerFailure(emu, result, job, 1);
  });

  it("tells owners of their jobs' changes after the job watcher continued as new, and retries each failure once", async () => {
    // The watcher has no threshold of its own to lower (10,000 events, a constant): it follows the server's
    // suggestion, lowered here on a server of the test's own.
    await withOwnDevServer({ 'limit.historyCount.suggestContinueAsNew': WATCHER_SUGGESTION }, async (own) => {
      const emu = await emulator();
      // Each job runs for three emulated hours (three real minutes) unless the test fails it; its retry takes a second.
      const jobs = Array.from({ length: 10 }, () =>
        emu.createJob({
          script: {
            attempts: [
              { outcome: 'SUCCEED', runSeconds: 3 * 3_600 },
              { outcome: 'SUCCEED', runSeconds: RUN_SECONDS },
            ],
          },
        }),
      );
      const queues = uniqueQueues();
      const watcherId = `${DEFAULT_JOB_WATCHER_WORKFLOW_ID}:${queues.describe}`;
      const results = await whileRunning(await inProcessWorkers(own, emu, queues), async () => {
        const owners = await Promise.all(
          jobs.map((job, i) => startRecovery(own, queues, `watcher-${i}`, fastInput([job], queues))),
        );
        await Promise.all(
          owners.map((o, i) =>
            waitForJob(o, jobs[i] as string, (j) => j.lastKnownState === 'RUNNING', 'owners to see RUNNING'),
          ),
        );
        const runs = await waitFor(
          async () => {
            const listed = await runsOf(own, watcherId);
            return listed.length >= 2 ? listed : undefined;
          },
          { timeoutMs: 30_000, description: 'the watcher to continue as new' },
        );
        expect(runs[0]?.status).toBe('CONTINUED_AS_NEW');
        // A new run carries what the last one read: no job gets a first read twice, even once a run that read
        // them has continued as new (and its successor had time to read).
        const firstReadsOf = async (of: WorkflowRun[]) =>
          Promise.all(of.map((r) => firstReadJobIds(own, watcherId, r.runId)));
        await waitFor(
          async () => {
            const listed = await runsOf(own, watcherId);
            return (await firstReadsOf(listed.slice(0, -1))).some((read) => read.length > 0);
          },
          { timeoutMs: 30_000, description: 'a run that read the jobs to continue as new' },
        );
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const firstReads = (await firstReadsOf(await runsOf(own, watcherId))).flat();
        expect(firstReads.sort()).toEqual([...jobs].sort());
        // The owners have not registered again since (they would when continuing as new themselves): what they
        // learn from here on, the watcher's new runs know from what the first one carried over.
        for (const owner of owners) expect((await owner.describe()).runId).toBe(owner.firstExecutionRunId);
        for (const job of jobs) emu.setJobState(job, 'FAILED', { exitCode: 137 });
        return Promise.all(owners.map((o) => resultOf(o, 'every owner to hear of its failure and retry it')));
      });
      jobs.forEach((job, i) => {
        const result = results[i] as RecoverBatchJobsResult;
        expect(jobOf(result, job)).toMatchObject({ outcome: 'SUCCEEDED', retries: 1 });
        expectOneRetryPerFailure(emu, result, job, 1);
      });
    });
  }, 90_000);

  it("sends each retry exactly once, answered to its owner, across the RetryJobs dispatcher's continue-as-new", async () => {
    const emu = await emulator();
    const job = scriptedJob(emu, [
      { outcome: 'FAILED', exitCode: 137 },
      { outcome: 'FAILED', exitCode: 137 },
      { outcome: 'FAILED', exitCode: 137 },
      { outcome: 'SUCCEED' },
    ]);
    const queues = uniqueQueues();
    const dispatcherId = `${DEFAULT_RETRY_DISPATCHER_WORKFLOW_ID}:${queues.retry}`;
    const result = await whileRunning(await inProcessWorkers(env, emu, queues), async () => {
      // Started before the recovery's first hand-over, which then only signals it. 10 events: a run sends one
      // call, lets it end and continues as new.
      const dispatcher = await env.client.workflow.start(retryJobsDispatcherWorkflow, {
        taskQueue: queues.workflow,
        workflowId: dispatcherId,
        args: [{ retryTaskQueue: queues.retry, continueAsNewAfterEvents: 10 }],
      });
      try {
        return await resultOf(await startRecovery(env, queues, 'dispatcher', fastInput([job], queues)));
      } finally {
        await dispatcher.terminate('test over');
      }
    });
    expect(jobOf(result, job)).toMatchObject({ outcome: 'SUCCEEDED', retries: 3 });
    expectOneRetryPerFailure(emu, result, job, 3);
    const runs = await runsOf(env, dispatcherId);
    const sentBy = emu.ledger
      .retriesOf(job)
      .map((retry) => runs.find((run) => run.startMs <= retry.at && retry.at < run.closeMs)?.runId);
    // Each retry went out from a run of its own: the second and third after a continue-as-new.
    expect(new Set(sentBy).size).toBe(3);
    expect(sentBy).not.toContain(undefined);
    expect(runs.slice(0, -1).map((r) => r.status)).toEqual(runs.slice(0, -1).map(() => 'CONTINUED_AS_NEW'));
  });
});
