/**
 * One scenario for every caller of docs/calling-from-other-services.md (examples/callers), each run as its own
 * process against the run's dev server, the package's workers and the Tencent Batch emulator. A caller starts
 * `recoverBatchJobsWorkflow` by name with the documented workflow ID and policies, starts it again (joins),
 * reads `status` until a job awaits a decision, abandons it with `resolveEscalation`, reads the result and starts
 * once more (the completed run comes back). The emulator's ledger and the start event are the ground truth.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recoveryWorkflowId } from '../../src/client';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { devServerAddress, devServerEnv } from '../helpers/temporal';
import { randomJobId } from '../support/cli-kit';
import { inProcessWorkers, perTestResources, uniqueQueues, whileRunning } from '../support/e2e-kit';
import { lastJsonLine, runCommand } from '../support/run-command';

export const callersDir = path.resolve(__dirname, '../../examples/callers');

export type CallerLanguage = 'go' | 'python' | 'java';

/** How to run a caller once it is built: `command args... <jobIds>` in `cwd`. */
export interface CallerCommand {
  command: string;
  args: string[];
  cwd: string;
}

/** What {@link describeCaller}'s build step gets. */
export interface CallerBuildContext {
  /** The variables examples/callers/setup.sh printed (CALLERS_PYTHON, CALLERS_JAVA_CLASSPATH). */
  setup: Record<string, string>;
  /** A temporary folder for build output, removed after the file's tests. */
  buildDir: string;
}

/** What every caller prints when it is done. */
interface CallerReport {
  workflowId: string;
  /** The run its first start made, the run a second start joined, the run a start after completion returned. */
  runIds: string[];
  awaitingDecision: string[];
  decided: string[];
  result: RecoverBatchJobsResult;
}

/** The test file of one caller: sets up its SDK (setup.sh), builds it with `build`, runs the scenario. */
export function describeCaller(
  language: CallerLanguage,
  build: (context: CallerBuildContext) => Promise<CallerCommand>,
): void {
  let env: TestWorkflowEnvironment;
  let buildDir: string | undefined;
  let caller: CallerCommand;
  const { emulator } = perTestResources();

  beforeAll(async () => {
    const started = Date.now();
    const setup = await runCommand('bash', [path.join(callersDir, 'setup.sh'), language], {
      timeoutMs: 15 * 60_000,
    });
    buildDir = await mkdtemp(path.join(tmpdir(), `tencent-batch-recovery-${language}-caller-`));
    caller = await build({ setup: parseAssignments(setup.stdout), buildDir });
    console.log(`${language} caller: SDK set up and caller built in ${seconds(Date.now() - started)}`);
    env = await devServerEnv();
  }, 20 * 60_000);

  afterAll(async () => {
    await env?.teardown();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  it(`the ${language} caller starts the recovery by its documented ID, joins it, abandons the escalated job and reads the result`, async () => {
    const emu = await emulator();
    const flaky = emu.createJob({
      jobId: randomJobId(),
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 30 },
    });
    const broken = emu.createJob({
      jobId: randomJobId(),
      script: { attempts: [{ outcome: 'FAILED', exitCode: 2, reason: 'bad input file' }], runSeconds: 30 },
    });
    const queues = uniqueQueues();
    const run = await whileRunning(await inProcessWorkers(env, emu, queues), () =>
      runCommand(caller.command, [...caller.args, flaky, broken], {
        cwd: caller.cwd,
        timeoutMs: 100_000,
        env: {
          TEMPORAL_ADDRESS: devServerAddress(),
          TEMPORAL_NAMESPACE: 'default',
          TENCENT_BATCH_RECOVERY_TASK_QUEUE: queues.workflow,
          TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: queues.retry,
          TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE: queues.describe,
        },
      }),
    );
    const report = lastJsonLine<CallerReport>(run.stdout);

    // The ID the caller computed is the package's own; its three starts found one run.
    expect(report.workflowId).toBe(recoveryWorkflowId([broken, flaky]));
    expect(new Set(report.runIds).size).toBe(1);
    expect(report.awaitingDecision).toEqual([broken]);
    expect(report.decided).toEqual([broken]);
    expect(report.result.overall).toBe('NEEDS_ATTENTION');
    expect(report.result.jobs.map((j) => [j.jobId, j.outcome, j.retries])).toEqual([
      [flaky, 'SUCCEEDED', 1],
      [broken, 'ABANDONED', 0],
    ]);
    expect(emu.ledger.retriesOf(flaky)).toHaveLength(1);
    expect(emu.ledger.retriesOf(broken)).toHaveLength(0);

    // The start carried the search attributes and a summary: operators find it before its first task runs.
    const { events } = await env.client.workflow.getHandle(report.workflowId).fetchHistory();
    const started = events?.[0];
    const startAttributes = started?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields;
    expect(Object.keys(startAttributes ?? {})).toEqual(
      expect.arrayContaining(['TencentBatchJobIds', 'TencentBatchRecoveryState']),
    );
    expect(started?.userMetadata?.summary).toBeTruthy();
    console.log(`${language} caller: scenario passed in ${seconds(run.elapsedMs)}`);
  }, 120_000);
}

/** `KEY=VALUE` lines as an object. */
function parseAssignments(stdout: string): Record<string, string> {
  const entries = stdout
    .split('\n')
    .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const);
  return Object.fromEntries(entries);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
