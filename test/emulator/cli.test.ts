import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_EMULATOR_CREDENTIALS } from '../../src/emulator';
import { DEFAULT_CLI_PORT, parseCliArgs } from '../../src/emulator/cli-args';
import { sdkClient, waitFor } from './emulator-test-kit';

describe('CLI arguments', () => {
  test('every documented option is parsed into emulator options', () => {
    expect(
      parseCliArgs([
        '--port',
        '9191',
        '--time-scale',
        '60',
        '--rate-limit',
        'RetryJobs=2',
        '--rate-limit',
        'DescribeJobs=0',
        '--credentials',
        'AKIDx:secret:with:colons',
        '--ledger',
        'ledger.jsonl',
        '--seed',
        '42',
        '--admin-access',
        'any',
        '--seed-demo',
      ]),
    ).toEqual({
      kind: 'run',
      seedDemo: true,
      options: {
        port: 9191,
        timeScale: 60,
        rateLimits: { RetryJobs: 2, DescribeJobs: 0 },
        credentials: [{ secretId: 'AKIDx', secretKey: 'secret:with:colons' }],
        ledgerPath: 'ledger.jsonl',
        seed: 42,
        adminAccess: 'any',
      },
    });
  });

  test('without options the emulator listens on the default port', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'run', seedDemo: false, options: { port: DEFAULT_CLI_PORT } });
  });

  test('every bad option is reported at once', () => {
    const command = parseCliArgs([
      '--port',
      'x',
      '--rate-limit',
      'Nope=1',
      '--credentials',
      'nokey',
      '--time-scale=-1',
    ]);
    expect(command.kind).toBe('invalid');
    expect(command.kind === 'invalid' && command.problems).toHaveLength(4);
  });

  test('an unknown flag is refused', () => {
    expect(parseCliArgs(['--verbose']).kind).toBe('invalid');
  });
});

describe('standalone emulator process', () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('prints its endpoint, credentials and demo jobs, serves the SDK and stops on SIGTERM', async () => {
    const root = path.resolve(__dirname, '../..');
    const started = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      ['src/emulator/cli.ts', '--port', '0', '--time-scale', '60', '--seed-demo'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      () => output,
      (text) => /Demo jobs:(\n .*){5}/.test(text),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const endpoint = /TENCENT_BATCH_ENDPOINT=(\S+)/.exec(output)?.[1] ?? '';
    expect(output).toContain(`TENCENTCLOUD_SECRET_ID=${DEFAULT_EMULATOR_CREDENTIALS.secretId}`);
    expect(output).toContain('TENCENT_BATCH_PROTOCOL=http://');
    const demoIds = [...output.matchAll(/^ {2}(job-[a-z0-9]{8}) /gm)].map((m) => m[1] ?? '');
    expect(demoIds).toHaveLength(5);

    const answer = await sdkClient({ endpoint }).DescribeJobs({ JobIds: demoIds });
    expect(answer.TotalCount).toBe(5);

    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
