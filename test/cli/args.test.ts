import { DEFAULT_WATCH_INTERVAL_MS, UsageError, parseCommandLine } from '../../src/cli/args';

function problemsOf(argv: string[]): readonly string[] {
  try {
    parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCommandLine', () => {
  it('collects repeated and comma-separated --job values for start', () => {
    expect(
      parseCommandLine([
        'start',
        '--job',
        'job-aaaaaaaa,job-bbbbbbbb',
        '--job',
        'job-cccccccc',
        '--label',
        'etl',
      ]).command,
    ).toEqual({
      name: 'start',
      jobIds: ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc'],
      label: 'etl',
      policyFile: undefined,
      idScope: undefined,
      taskQueue: undefined,
      retryTaskQueue: undefined,
      describeTaskQueue: undefined,
    });
  });

  it('reads global options before or after the command', () => {
    expect(parseCommandLine(['--json', 'status', 'wf-1', '--namespace', 'ops'])).toEqual({
      command: { name: 'status', workflowId: 'wf-1' },
      json: true,
      connection: { namespace: 'ops' },
    });
  });

  it('maps a lower-case decision to the Update payload and takes the operator from USER by default', () => {
    expect(
      parseCommandLine(['decide', 'wf-1', 'retry', '--extra-retries', '2', '--job', 'job-aaaaaaaa'], {
        USER: 'ana',
      }).command,
    ).toEqual({
      name: 'decide',
      workflowId: 'wf-1',
      decision: 'RETRY',
      jobIds: ['job-aaaaaaaa'],
      extraRetries: 2,
      operator: 'ana',
    });
  });

  it('defaults the watch interval and accepts durations or plain seconds', () => {
    expect(parseCommandLine(['watch', 'wf-1']).command).toEqual({
      name: 'watch',
      workflowId: 'wf-1',
      intervalMs: DEFAULT_WATCH_INTERVAL_MS,
    });
    expect(parseCommandLine(['watch', 'wf-1', '--interval', '5']).command).toMatchObject({
      intervalMs: 5_000,
    });
    expect(parseCommandLine(['watch', 'wf-1', '--interval', '750ms']).command).toMatchObject({
      intervalMs: 750,
    });
  });

  it('treats no command and --help as a request for help', () => {
    expect(parseCommandLine([]).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['status', '--help']).command).toEqual({ name: 'help' });
  });

  it('refuses an unknown command and names the known ones', () => {
    expect(problemsOf(['frobnicate'])).toEqual([
      'unknown command "frobnicate"; commands: start, status, watch, decide, retry-now, escalations',
    ]);
  });

  it('refuses an unknown option', () => {
    expect(problemsOf(['status', 'wf-1', '--colour'])).toEqual([expect.stringContaining("'--colour'")]);
  });

  it('lists every problem of one command line together', () => {
    expect(problemsOf(['decide', 'wf-1', 'maybe', '--extra-retries', 'x', '--interval', '2s'])).toEqual([
      '--interval is not an option of decide',
      'decision "maybe" must be retry, abandon or resolve',
      '--extra-retries "x" must be an integer',
    ]);
  });

  it('refuses extra retries on a decision other than retry', () => {
    expect(problemsOf(['decide', 'wf-1', 'abandon', '--extra-retries', '2'])).toEqual([
      '--extra-retries only applies to retry',
    ]);
  });

  it('refuses a missing workflow ID, a missing --job and a watch interval under half a second', () => {
    expect(problemsOf(['status'])).toEqual(['status needs <workflowId>']);
    expect(problemsOf(['start'])).toEqual(['start needs at least one --job <job ID>']);
    expect(problemsOf(['watch', 'wf-1', '--interval', '100ms'])).toEqual([
      expect.stringContaining('--interval "100ms" must be a duration of at least 500 ms'),
    ]);
  });
});
