import { ExitCode } from '../../src/cli/exit-codes';
import { redact, resolveConnectionConfig } from '../../src/cli/connection';
import { runCli, type CliDependencies } from '../../src/cli/run-cli';
import { captureIo, type CapturedIo } from '../support/cli-kit';

/** Runs the CLI with a connection that must not be opened: these command lines fail or finish before it. */
async function offline(argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = captureIo();
  const deps: CliDependencies = {
    env: {},
    io,
    connect: () => Promise.reject(new Error('no connection expected')),
  };
  return { code: await runCli(argv, deps), io };
}

describe('runCli without a server', () => {
  it('prints the usage and exits with 0 for --help', async () => {
    const { code, io } = await offline(['--help']);
    expect(code).toBe(ExitCode.OK);
    expect(io.stdoutText()).toMatch(/^Usage: tencent-batch-recovery <command> \[options\]/);
  });

  it('explains a bad command line on stderr with a hint and exits with 2', async () => {
    const { code, io } = await offline(['decide', 'wf-1', 'maybe']);
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stderrText()).toBe(
      [
        'error: bad command line',
        '  - decision "maybe" must be retry, abandon or resolve',
        'run tencent-batch-recovery --help',
        '',
      ].join('\n'),
    );
  });

  it('reports errors as one JSON object on stderr with --json', async () => {
    const { code, io } = await offline(['escalations', '--json', '--limit', '0']);
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdoutText()).toBe('');
    expect(JSON.parse(io.stderrText())).toEqual({
      error: {
        kind: 'USAGE',
        message: 'bad command line',
        problems: ['--limit "0" must be a positive integer'],
      },
    });
  });
});

describe('the connection configuration', () => {
  it('follows TEMPORAL_* variables, lets flags override them, and reports the API key only as set', () => {
    const config = resolveConnectionConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'batch',
        TEMPORAL_API_KEY: 'k-123456789',
      },
      { namespace: 'ops' },
    );
    expect(config.target).toEqual({
      address: 'temporal.internal:7233',
      namespace: 'ops',
      apiKey: 'set',
      tls: true,
    });
    expect(config.secrets).toEqual(['k-123456789']);
    expect(JSON.stringify(config.target)).not.toContain('k-123456789');
  });

  it('defaults to a local plaintext server in the default namespace', () => {
    expect(resolveConnectionConfig({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' }).target).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      apiKey: 'none',
      tls: false,
    });
  });

  it('redacts every occurrence of a secret', () => {
    expect(redact('key k-123456789 rejected (k-123456789)', ['k-123456789'])).toBe(
      'key [REDACTED] rejected ([REDACTED])',
    );
  });
});
