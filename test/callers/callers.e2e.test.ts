/**
 * The Go, Python and Java callers of docs/calling-from-other-services.md (examples/callers), each run as its own
 * process against the run's dev server, the package's workers and the Tencent Batch emulator. Each starts
 * `recoverBatchJobsWorkflow` by name with the documented workflow ID and policies, reads `status`, abandons the
 * escalated job with `resolveEscalation` and reads the result; the emulator's ledger is the ground truth.
 * examples/callers/setup.sh installs their SDKs (once per machine; `.ci/run` runs it first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recoveryWorkflowId } from '../../src/client';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { devServerAddress, devServerEnv } from '../helpers/temporal';
import { inProcessWorkers, perTestResources, uniqueQueues, whileRunning } from '../support/e2e-kit';
import { randomJobId } from '../support/cli-kit';
import { lastJsonLine, runCommand } from '../support/run-command';

const callersDir = path.resolve(__dirname, '../../examples/callers');

/** What every caller prints when it is done. */
interface CallerReport {
  workflowId: string;
  /** The run its first start made, the run a second start joined, the run a start after completion returned. */
  runIds: string[];
  awaitingDecision: string[];
  decided: string[];
  result: RecoverBatchJobsResult;
}

/** How to run one caller, once its sources are built. */
interface Caller {
  command: string;
  args: string[];
  cwd: string;
}

let env: TestWorkflowEnvironment;
let buildDir: string;
const callers: Partial<Record<'go' | 'python' | 'java', Caller>> = {};
const { emulator } = perTestResources();

beforeAll(async () => {
  const setup = await runCommand('bash', [path.join(callersDir, 'setup.sh')], { timeoutMs: 15 * 60_000 });
  const paths = Object.fromEntries(
    setup.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  ) as Record<string, string>;
  buildDir = await mkdtemp(path.join(tmpdir(), 'tencent-batch-recovery-callers-'));

  const goBinary = path.join(buildDir, 'go-caller');
  await runCommand('go', ['build', '-o', goBinary, '.'], {
    cwd: path.join(callersDir, 'go'),
    timeoutMs: 10 * 60_000,
  });
  callers.go = { command: goBinary, args: [], cwd: path.join(callersDir, 'go') };

  callers.python = {
    command: paths.CALLERS_PYTHON!,
    args: ['main.py'],
    cwd: path.join(callersDir, 'python'),
  };

  const classes = path.join(buildDir, 'java-classes');
  const javaSources = path.join(callersDir, 'java/src/main/java/example/callers');
  await runCommand(
    'javac',
    [
      '-Xlint:all',
      '-Werror',
      '-cp',
      paths.CALLERS_JAVA_CLASSPATH!,
      '-d',
      classes,
      'BatchRecovery.java',
      'Main.java',
    ],
    { cwd: javaSources, timeoutMs: 2 * 60_000 },
  );
  callers.java = {
    command: 'java',
    args: ['-cp', `${classes}${path.delimiter}${paths.CALLERS_JAVA_CLASSPATH!}`, 'example.callers.Main'],
    cwd: callersDir,
  };
  env = await devServerEnv();
}, 20 * 60_000);

afterAll(async () => {
  await env?.teardown();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

describe('the callers of docs/calling-from-other-services.md against the dev server and the emulator', () => {
  it.each(['go', 'python', 'java'] as const)(
    'the %s caller starts the recovery by its documented ID, joins it, abandons the escalated job and reads the result',
    async (language) => {
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
      const caller = callers[language]!;
      const report = await whileRunning(await inProcessWorkers(env, emu, queues), async () =>
        lastJsonLine<CallerReport>(
          (
            await runCommand(caller.command, [...caller.args, flaky, broken], {
              cwd: caller.cwd,
              timeoutMs: 100_000,
              env: {
                TEMPORAL_ADDRESS: devServerAddress(),
                TEMPORAL_NAMESPACE: 'default',
                TENCENT_BATCH_RECOVERY_TASK_QUEUE: queues.workflow,
                TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: queues.retry,
                TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE: queues.describe,
              },
            })
          ).stdout,
        ),
      );

      // The ID every language computes is the package's own; the three starts found one run.
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

      // The start carried the search attributes and a summary (operators find it before its first task runs).
      const { events } = await env.client.workflow.getHandle(report.workflowId).fetchHistory();
      const started = events?.[0];
      expect(
        Object.keys(started?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {}),
      ).toEqual(expect.arrayContaining(['TencentBatchJobIds', 'TencentBatchRecoveryState']));
      expect(started?.userMetadata?.summary).toBeTruthy();
    },
    120_000,
  );
});
