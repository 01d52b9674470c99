/**
 * The package's entry points: the client entry must stay loadable by services that run no worker (no native
 * worker bridge, no Tencent Cloud SDK, no emulator), and package.json "exports" must resolve each subpath of the
 * `npm run build` output, with its types, and nothing else.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
};

/** Node code that loads `specifiers` and prints which heavy modules ended up loaded, as JSON. */
function loadAndReport(specifiers: string[]): string {
  return `
    const loaded = {};
    for (const s of ${JSON.stringify(specifiers)}) loaded[s] = Object.keys(require(s)).sort();
    const files = Object.keys(require.cache);
    const heavy = files.filter((f) => /node_modules\\/(@temporalio\\/(worker|core-bridge)|tencentcloud-sdk-nodejs)\\/|\\/src\\/emulator\\/|\\/lib\\/emulator\\//.test(f));
    process.stdout.write(JSON.stringify({ loaded, heavy }));
  `;
}

interface Report {
  loaded: Record<string, string[]>;
  heavy: string[];
}

describe('package entry points', () => {
  it('loads the client entry from source without @temporalio/worker, the Tencent Cloud SDK or the emulator', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '-e', loadAndReport([path.join(root, 'src/index.ts')])],
      { cwd: root },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.heavy).toEqual([]);
    expect(Object.values(report.loaded)[0]).toEqual(
      expect.arrayContaining([
        'startRecovery',
        'statusQuery',
        'RECOVER_BATCH_JOBS_WORKFLOW_TYPE',
        'resolvePolicy',
      ]),
    );
  });

  describe('built with tsconfig.build.json', () => {
    let pkg: string;

    beforeAll(async () => {
      pkg = await mkdtemp(path.join(tmpdir(), 'tencent-batch-recovery-exports-'));
      await run(
        process.execPath,
        [
          require.resolve('typescript/bin/tsc'),
          '-p',
          'tsconfig.build.json',
          '--outDir',
          path.join(pkg, 'lib'),
        ],
        { cwd: root },
      );
      await cp(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
      await symlink(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    }, 120_000);
    afterAll(async () => {
      if (pkg) await rm(pkg, { recursive: true, force: true });
    });

    it('resolves ".", "./workflows" and "./worker" by package name, each with its declaration file', async () => {
      const names = ['.', './workflows', './worker'];
      const specifiers = names.map((n) =>
        n === '.' ? packageJson.name : `${packageJson.name}/${n.slice(2)}`,
      );
      const { stdout } = await run(process.execPath, ['-e', loadAndReport(specifiers)], { cwd: pkg });
      const report = JSON.parse(stdout) as Report;
      expect(report.loaded[packageJson.name]).toEqual(
        expect.arrayContaining(['startRecovery', 'listEscalations']),
      );
      expect(report.loaded[`${packageJson.name}/workflows`]).toEqual([
        'jobStateWatcherWorkflow',
        'recoverBatchJobsWorkflow',
        'retryJobsDispatcherWorkflow',
        'tencentApiBudgetWorkflow',
      ]);
      expect(report.loaded[`${packageJson.name}/worker`]).toEqual(
        expect.arrayContaining([
          'runWorker',
          'createRecoveryWorkers',
          'runRecoveryWorkers',
          'createActivities',
          'createTemporalApiBudget',
        ]),
      );
      // The probe itself works: loading the worker entry does load the worker SDK.
      expect(report.heavy.some((file) => file.includes('/@temporalio/worker/'))).toBe(true);
      for (const name of names) {
        const target = packageJson.exports[name];
        expect(typeof target === 'object' && existsSync(path.join(pkg, target.types))).toBe(true);
      }
    });

    it('loads the built client entry without @temporalio/worker, the Tencent Cloud SDK or the emulator', async () => {
      const { stdout } = await run(process.execPath, ['-e', loadAndReport([packageJson.name])], { cwd: pkg });
      expect((JSON.parse(stdout) as Report).heavy).toEqual([]);
    });

    it('refuses deep imports of modules outside the exported entry points', async () => {
      const attempt = run(process.execPath, ['-e', `require('${packageJson.name}/lib/batch')`], { cwd: pkg });
      await expect(attempt).rejects.toMatchObject({
        stderr: expect.stringContaining('ERR_PACKAGE_PATH_NOT_EXPORTED'),
      });
    });
  });
});
