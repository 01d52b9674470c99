/**
 * What the two long-running local commands (`npm start` on the dev server, `npm run stack` on the PostgreSQL
 * cluster) share at the process edge: the choice between Tencent Cloud and the emulator, Ctrl-C handling, output.
 */
import { DEFAULT_EMULATOR_CREDENTIALS } from '../emulator';

/**
 * Real Tencent Cloud when both keys are set or a credential source is chosen (`TENCENTCLOUD_CREDENTIALS`: a
 * profile file, a CVM or OIDC role...); otherwise the emulator, and the output says so.
 */
export function hasTencentCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean((env.TENCENTCLOUD_SECRET_ID && env.TENCENTCLOUD_SECRET_KEY) || env.TENCENTCLOUD_CREDENTIALS);
}

/** The worker variables that point it at the emulator, with its public demo credentials. */
export function emulatorEnvironment(endpoint: string): Record<string, string> {
  return {
    TENCENTCLOUD_SECRET_ID: DEFAULT_EMULATOR_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEFAULT_EMULATOR_CREDENTIALS.secretKey,
    TENCENT_BATCH_ENDPOINT: endpoint,
    TENCENT_BATCH_PROTOCOL: 'http://',
  };
}

/**
 * A Ctrl-C in a terminal reaches npm, tsx and this process at once, and tsx relays it once more: signals
 * closer together than this are one request.
 */
const SAME_REQUEST_MS = 1_000;

/** Resolves on the first SIGINT or SIGTERM; a later one exits at once (the watchdog stops the server). */
export function shutdownRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (firstAt !== undefined) {
        if (Date.now() - firstAt > SAME_REQUEST_MS) process.exit(130);
        return;
      }
      firstAt = Date.now();
      print(`\n${signal}: stopping (press Ctrl-C again to exit at once)`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** An error and its causes, one per line: a failed server start explains itself through its cause. */
export function explain(error: unknown): string {
  const lines: string[] = [];
  for (let current = error; current !== undefined;) {
    lines.push(current instanceof Error ? current.message : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n  caused by: ');
}
