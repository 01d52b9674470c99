/**
 * The operator CLI against the real path: the run's dev server, the package's workers and the Tencent Batch
 * emulator. Commands run in process through `runCli` (parsing, dispatch and error mapping included), with the
 * test's client and captured streams; the last tests run the real CLI as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli, type CliDependencies } from '../../src/cli/run-cli';
import { ExitCode } from '../../src/cli/exit-codes';
import { TASK_QUEUE_VARIABLES } from '../../src/cli/commands/start';
import { getRecoveryStatus, recoveryWorkflowId, waitForRecoveryResult } from '../../src/client';
import type { RunningEmulator } from '../../src/emulator';
import type { RecoveryPolicyInput, RecoveryStatus } from '../../src/shared/recovery-types';
import { devServerAddress, devServerEnv, waitFor } from '../helpers/temporal';
import {
  captureIo,
  randomJobId,
  startBackgroundWorkers,
  type BackgroundWorkers,
  type CapturedIo,
} from '../support/cli-kit';
import { startTestEmulator, uniqueQueues } from '../support/e2e-kit';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let workers: BackgroundWorkers;
let policyDir: string;
const startedIds: string[] = [];

/** Second-scale polls and backoff, so the tests see changes within seconds. */
const FAST_POLICY: RecoveryPolicyInput = {
  pollInterval: '1s',
  backoff: { initialInterval: '500ms', maxInterval: '1s', jitter: 0 },
};

beforeAll(async () => {
  env = await devServerEnv();
  emulator = await startTestEmulator();
  workers = await startBackgroundWorkers(env, emulator, uniqueQueues());
  policyDir = await mkdtemp(path.join(tmpdir(), 'cli-policy-'));
});
afterEach(async () => {
  await Promise.all(
    startedIds.splice(0).map((id) =>
      env.client.workflow
        .getHandle(id)
        .cancel()
        .catch(() => undefined),
    ),
  );
});
afterAll(async () => {
  await workers?.stop();
  await emulator?.close();
  await env?.teardown();
  if (policyDir) await rm(policyDir, { recursive: true, force: true });
});

/** The environment an operator would export for the test's worker: its task queues. */
function queueEnv(): Record<string, string> {
  return {
    [TASK_QUEUE_VARIABLES.workflow]: workers.queues.workflow,
    [TASK_QUEUE_VARIABLES.retry]: workers.queues.retry,
    [TASK_QUEUE_VARIABLES.describe]: workers.queues.describe,
  };
}

/** Runs the CLI in process with the test's client; returns the exit code and the captured streams. */
async function cli(
  argv: string[],
  options: { io?: CapturedIo; signal?: AbortSignal } = {},
): Promise<{ code: number; io: CapturedIo }> {
  const io = options.io ?? captureIo();
  const deps: CliDependencies = {
    env: { ...queueEnv(), USER: 'e2e-operator' },
    io,
    ...(options.signal ? { signal: options.signal } : {}),
    connect: () => Promise.resolve({ client: env.client, close: () => Promise.resolve(), secrets: [] }),
  };
  return { code: await runCli(argv, deps), io };
}

async function policyFile(policy: RecoveryPolicyInput): Promise<string> {
  const file = path.join(policyDir, `${randomJobId()}.json`);
  await writeFile(file, JSON.stringify({ ...FAST_POLICY, ...policy }));
  return file;
}

/** `start` through the CLI with `--json`; returns the workflow ID. */
async function startJobs(jobIds: string[], policy: RecoveryPolicyInput = {}): Promise<string> {
  const { code, io } = await cli([
    'start',
    ...jobIds.flatMap((id) => ['--job', id]),
    '--policy-file',
    await policyFile(policy),
    '--json',
  ]);
  expect({ code, stderr: io.stderrText() }).toEqual({ code: ExitCode.OK, stderr: '' });
  const { workflowId } = JSON.parse(io.stdoutText()) as { workflowId: string };
  startedIds.push(workflowId);
  return workflowId;
}

function createJob(
  attempts: { outcome: 'SUCCEED' | 'FAILED'; exitCode?: number; reason?: string }[],
  runSeconds = 30,
): string {
  return emulator.createJob({ jobId: randomJobId(), script: { attempts, runSeconds } });
}

const longRunning = (): string => createJob([{ outcome: 'SUCCEED' }], 3600);
const broken = (): string => createJob([{ outcome: 'FAILED', exitCode: 2, reason: 'bad input file' }]);
const quick = (): string => createJob([{ outcome: 'SUCCEED' }]);

async function statusOf(workflowId: string): Promise<RecoveryStatus> {
  return getRecoveryStatus(env.client, workflowId);
}

async function awaitingDecision(workflowId: string): Promise<void> {
  await waitFor(
    async () => {
      const status = await statusOf(workflowId);
      // The escalation reads failure details (exit codes) for people right after it is recorded.
      return (
        status.overall === 'AWAITING_DECISION' &&
        status.jobs.every((j) => j.phase !== 'AWAITING_DECISION' || j.lastFailure?.failedTasks !== undefined)
      );
    },
    { timeoutMs: 30_000, description: 'the recovery to await a decision, with failure details' },
  );
}

describe('tencent-batch-recovery CLI on the dev server against the emulator', () => {
  it('start prints the deterministic workflow ID, and a second start of the same jobs joins the running recovery', async () => {
    const jobs = [longRunning(), longRunning()];
    const first = await cli(['start', '--job', jobs.join(','), '--label', 'nightly etl']);
    const id = recoveryWorkflowId(jobs);
    startedIds.push(id);
    expect(first.code).toBe(ExitCode.OK);
    expect(first.io.stdoutText()).toContain(`Started recovery ${id} of 2 jobs`);
    expect(first.io.stdoutText()).toContain(`tencent-batch-recovery watch ${id}`);
    const second = await cli(['start', '--job', jobs[1]!, '--job', jobs[0]!]);
    expect(second.code).toBe(ExitCode.OK);
    expect(second.io.stdoutText()).toContain(`Joined the running recovery ${id}`);
  });

  it('start lists every malformed job ID and exits with 2 without starting anything', async () => {
    const { code, io } = await cli([
      'start',
      '--job',
      'job-1',
      '--job',
      'job-aaaaaaaa',
      '--job',
      'JOB-ABCDEFGH',
    ]);
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toBe(
      [
        'error: invalid recovery input (2 problems):',
        '  - jobIds[0]="job-1": not a job ID (expected /^job-[a-z0-9]{8}$/)',
        '  - jobIds[2]="JOB-ABCDEFGH": not a job ID (expected /^job-[a-z0-9]{8}$/)',
        '',
      ].join('\n'),
    );
  });

  it('status prints one row per job with its phase, state, last read, retries, last failure and the escalation with its deadline', async () => {
    const [running, failing] = [longRunning(), broken()];
    const id = await startJobs([running, failing], { maxRetriesPerJob: 0 });
    await awaitingDecision(id);
    const { code, io } = await cli(['status', id]);
    expect(code).toBe(ExitCode.OK);
    const lines = io.stdoutText().split('\n');
    expect(lines).toContain(`Workflow  ${id}`);
    expect(lines).toContain('State     AWAITING_DECISION');
    expect(lines.find((l) => l.startsWith('JOB'))).toMatch(
      /^JOB +PHASE +STATE +LAST READ +RETRIES +LAST FAILURE +NEXT \/ ESCALATION$/,
    );
    expect(lines.find((l) => l.startsWith(running))).toMatch(
      / WATCHING +RUNNING +[\dhms]+ ago +0 \(0 left\) +- /,
    );
    expect(lines.find((l) => l.startsWith(failing))).toMatch(
      / AWAITING_DECISION +FAILED +[\dhms]+ ago +0 \(0 left\) +exit 2: bad input file +RETRY_BUDGET_EXHAUSTED: .*; decide by \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in 2[34]h\d\dm\)$/,
    );
  });

  it('status --json prints the status query answer as one JSON object', async () => {
    const job = longRunning();
    const id = await startJobs([job]);
    const { code, io } = await cli(['status', id, '--json']);
    expect(code).toBe(ExitCode.OK);
    const printed = JSON.parse(io.stdoutText()) as { workflowId: string; status: RecoveryStatus };
    expect(printed.workflowId).toBe(id);
    expect(printed.status.jobs.map((j) => j.jobId)).toEqual([job]);
  });

  it('status of an unknown workflow says so and exits with 3', async () => {
    const { code, io } = await cli(['status', 'no-such-recovery']);
    expect(code).toBe(ExitCode.NOT_FOUND);
    expect(io.stderrText()).toContain('workflow no-such-recovery not found');
  });

  it('escalations lists the recovery awaiting a decision with its job and reason', async () => {
    const failing = broken();
    const id = await startJobs([failing], { maxRetriesPerJob: 0 });
    await awaitingDecision(id);
    const io = await waitFor(
      async () => {
        const run = await cli(['escalations', '--job', failing]);
        return run.io.stdoutText().includes(id) && run.io;
      },
      { timeoutMs: 15_000, description: 'the visibility store to show the escalation' },
    );
    const row = io
      .stdoutText()
      .split('\n')
      .find((l) => l.startsWith(id));
    expect(row).toMatch(new RegExp(`^${id} +.+ +${failing} +RETRY_BUDGET_EXHAUSTED +`));
    expect(io.stdoutText()).toContain('await a decision: tencent-batch-recovery decide <workflowId>');
  });

  it('decide abandon ends the escalated job as ABANDONED by the named operator', async () => {
    const failing = broken();
    const id = await startJobs([failing], { maxRetriesPerJob: 0 });
    await awaitingDecision(id);
    const { code, io } = await cli([
      'decide',
      id,
      'abandon',
      '--job',
      failing,
      '--note',
      'input fixed upstream',
    ]);
    expect(code).toBe(ExitCode.OK);
    expect(io.stdoutText()).toBe(`ABANDON applied to ${failing} in ${id}.\n`);
    const result = await waitForRecoveryResult(env.client, id);
    expect(result.jobs[0]).toMatchObject({ outcome: 'ABANDONED' });
    expect(result.jobs[0]?.timeline.map((t) => t.detail)).toContain(
      'abandoned by e2e-operator (input fixed upstream)',
    );
  });

  it("decide reports the workflow's reason and exits with 4 when no job awaits a decision", async () => {
    const id = await startJobs([longRunning()]);
    const { code, io } = await cli(['decide', id, 'resolve']);
    expect(code).toBe(ExitCode.REJECTED);
    expect(io.stderrText()).toBe(
      `error: workflow ${id} rejected resolveEscalation: no job is awaiting a decision\n`,
    );
  });

  it('watch prints the table, then the final result, and exits with 0 when every job succeeded', async () => {
    const id = await startJobs([quick()]);
    const { code, io } = await cli(['watch', id, '--interval', '500ms']);
    expect(code).toBe(ExitCode.OK);
    expect(io.stdoutText()).toContain(`Workflow  ${id}`);
    expect(io.stdoutText()).toMatch(/DONE \(SUCCEEDED\) +SUCCEED/);
    expect(io.stdoutText()).toMatch(/\nFinished: SUCCEEDED after \d+s\n$/);
  });

  it('watch exits with 5 when the recovery ends needing attention', async () => {
    const id = await startJobs([broken()], { maxRetriesPerJob: 0, escalation: { decisionTimeout: '1s' } });
    const { code, io } = await cli(['watch', id, '--interval', '500ms']);
    expect(code).toBe(ExitCode.NEEDS_ATTENTION);
    expect(io.stdoutText()).toMatch(/DONE \(ESCALATED\)/);
    expect(io.stdoutText()).toContain('Finished: NEEDS_ATTENTION');
  });

  it('watch --json prints one status object per change and the result last', async () => {
    const id = await startJobs([quick()]);
    const { code, io } = await cli(['watch', id, '--interval', '500ms', '--json']);
    expect(code).toBe(ExitCode.OK);
    const events = io
      .stdoutText()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; workflowId: string });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.slice(0, -1).every((e) => e.type === 'status' && e.workflowId === id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'result', workflowId: id, result: { overall: 'SUCCEEDED' } });
  });

  it('watch on a terminal redraws the table in place under a spinner line', async () => {
    const id = await startJobs([quick()]);
    const { code, io } = await cli(['watch', id, '--interval', '500ms'], { io: captureIo(true) });
    expect(code).toBe(ExitCode.OK);
    expect(io.stdoutText()).toMatch(
      /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (WATCHING|RETRYING): .* \(refreshing every 1s; Ctrl-C stops watching\)/,
    );
    expect(io.stdoutText()).toContain('\x1b[0J');
    expect(io.stdoutText()).toContain('Finished: SUCCEEDED');
  });

  it('watch stops on Ctrl-C with exit code 130 and leaves the workflow running', async () => {
    const id = await startJobs([longRunning()]);
    const io = captureIo();
    const interrupt = new AbortController();
    const watching = cli(['watch', id], { io, signal: interrupt.signal });
    await waitFor(() => io.stdoutText().includes(`Workflow  ${id}`), { description: 'the first table' });
    interrupt.abort();
    const { code } = await watching;
    expect(code).toBe(ExitCode.INTERRUPTED);
    expect(io.stderrText()).toContain(`Stopped watching ${id}; the workflow keeps running.`);
    expect((await env.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
  });

  describe('as a child process', () => {
    /** Runs `node --import tsx src/cli/main.ts ...args` with `extraEnv`; resolves with its exit code and output. */
    async function realCli(
      args: string[],
      extraEnv: Record<string, string>,
    ): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await execFileAsync(
          process.execPath,
          ['--import', 'tsx', 'src/cli/main.ts', ...args],
          { cwd: root, env: { ...process.env, TEMPORAL_ADDRESS: devServerAddress(), ...extraEnv } },
        );
        return { code: 0, stdout, stderr };
      } catch (err) {
        const failed = err as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    }

    it('prints the status table and exits with 0', async () => {
      const job = longRunning();
      const id = await startJobs([job]);
      const { code, stdout, stderr } = await realCli(['status', id], { TEMPORAL_NAMESPACE: 'default' });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain(`Workflow  ${id}`);
      expect(stdout).toMatch(new RegExp(`\\n${job} +WATCHING +`));
    });

    it('never prints the API key, even in an error', async () => {
      const apiKey = 'tbr-test-api-key-0123456789abcdef';
      const { code, stdout, stderr } = await realCli(['status', 'no-such-recovery'], {
        TEMPORAL_API_KEY: apiKey,
        // The dev server speaks plaintext; an API key would otherwise turn TLS on.
        TEMPORAL_TLS: 'false',
      });
      expect(code).toBe(ExitCode.NOT_FOUND);
      expect(stderr).toContain('workflow no-such-recovery not found');
      expect(stdout + stderr).not.toContain(apiKey);
    });
  });
});
