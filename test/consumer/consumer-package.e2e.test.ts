/**
 * The package as another team gets it: `npm pack`, then consumer-test/ copied to a temporary folder outside
 * the repository and installed from the tarball with Temporal SDK 1.23.0 (the low end of the peer range; this
 * repository develops on 1.24.0). Its TypeScript build checks every declaration, the package's included, with
 * skipLibCheck off (node16 resolution), and that the subpaths also resolve under node10; its worker registers
 * its own pipeline workflow next to the package's
 * workflows and activities, and the pipeline runs `recoverBatchJobsWorkflow` as a child against the emulator.
 * The npm cache is the machine's own, so a warm run installs without the network.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devServerAddress } from '../helpers/temporal';
import { emulatorEnv, perTestResources, uniqueQueues } from '../support/e2e-kit';
import { randomJobId } from '../support/cli-kit';
import { lastJsonLine, runCommand } from '../support/run-command';

const root = path.resolve(__dirname, '../..');
const consumerSdk = '1.23.0';

/** What the consumer's worker prints once its pipeline is done. */
interface ConsumerReport {
  sdk: string;
  childType: string;
  loadedFromPackage: string[];
  result: {
    overall: string;
    recoveryWorkflowId: string;
    jobs: { jobId: string; outcome?: string; retries: number }[];
  };
}

/** One line of `npm pack --json`. */
interface PackReport {
  filename: string;
  files: { path: string }[];
}

let workDir: string;
let project: string;
let packed: PackReport;
const { emulator } = perTestResources();

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tencent-batch-recovery-consumer-'));
  const pack = await runCommand('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: root,
    timeoutMs: 5 * 60_000,
  });
  packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as PackReport[])[0]!;
  await rename(path.join(workDir, packed.filename), path.join(workDir, 'tencent-batch-recovery.tgz'));
  project = path.join(workDir, 'consumer');
  // Sources only: a copy installed or built in place by hand stays out.
  await cp(path.join(root, 'consumer-test'), project, {
    recursive: true,
    filter: (source) => !/\/(node_modules|dist)$/.test(source),
  });
  const install = await runCommand(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'],
    { cwd: project, timeoutMs: 10 * 60_000 },
  );
  const build = await runCommand('npm', ['run', 'build'], { cwd: project, timeoutMs: 5 * 60_000 });
  console.log(
    `consumer project: npm pack ${seconds(pack.elapsedMs)} (with the package's build), npm install ` +
      `${seconds(install.elapsedMs)}, tsc node16 + node10 ${seconds(build.elapsedMs)}`,
  );
}, 20 * 60_000);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the packed package installed in a project of its own on Temporal SDK 1.23.0', () => {
  it('ships the built entry points without the dev-only emulator and local-server code', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'lib/index.js',
        'lib/index.d.ts',
        'lib/workflows/index.js',
        'lib/worker.js',
        'lib/batch/index.d.ts',
      ]),
    );
    expect(files.filter((f) => /^lib\/(devenv|emulator)\/|\.map$|^src\/|^test\//.test(f))).toEqual([]);
  });

  it('leaves one copy of each Temporal SDK package, the project’s own', () => {
    const pkg = path.join(project, 'node_modules/tencent-batch-recovery');
    expect(existsSync(path.join(pkg, 'node_modules/@temporalio'))).toBe(false);
    for (const name of readdirSync(path.join(project, 'node_modules/@temporalio'))) {
      const manifest = path.join(project, 'node_modules/@temporalio', name, 'package.json');
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      expect([name, version]).toEqual([name, consumerSdk]);
    }
  });

  it('runs its pipeline, whose recovery child retries the failed job to success, on its own worker', async () => {
    const emu = await emulator();
    const flaky = emu.createJob({
      jobId: randomJobId(),
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 30 },
    });
    const healthy = emu.createJob({
      jobId: randomJobId(),
      script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 30 },
    });
    const queues = uniqueQueues();
    const run = await runCommand(process.execPath, ['dist/main.js'], {
      cwd: project,
      timeoutMs: 90_000,
      env: {
        ...emulatorEnv(emu),
        TEMPORAL_ADDRESS: devServerAddress(),
        TENCENT_BATCH_RECOVERY_TASK_QUEUE: queues.workflow,
        TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: queues.retry,
        TENCENT_BATCH_RECOVERY_DESCRIBE_TASK_QUEUE: queues.describe,
        JOB_IDS: `${flaky},${healthy}`,
      },
    });
    const report = lastJsonLine<ConsumerReport>(run.stdout);
    console.log(`consumer project: its worker ran the pipeline in ${seconds(run.elapsedMs)}`);
    expect(report.sdk).toBe(consumerSdk);
    expect(report.childType).toBe('recoverBatchJobsWorkflow');
    expect(report.result).toEqual({
      overall: 'SUCCEEDED',
      recoveryWorkflowId: `nightly-${queues.workflow}-recovery`,
      jobs: [
        { jobId: flaky, outcome: 'SUCCEEDED', retries: 1 },
        { jobId: healthy, outcome: 'SUCCEEDED', retries: 0 },
      ],
    });
    expect(emu.ledger.retriesOf(flaky)).toHaveLength(1);
    // The worker's import path holds no dev-only code (emulator, local servers, test helpers).
    expect(report.loadedFromPackage.length).toBeGreaterThan(0);
    expect(report.loadedFromPackage.filter((f) => /\/lib\/(devenv|emulator)\//.test(f))).toEqual([]);
  }, 120_000);
});
