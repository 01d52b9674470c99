/**
 * The main job (`npm start`): a local Temporal dev server with its web UI and a persisted database, the
 * package's worker, and — when no Tencent credentials are set — the built-in Tencent Batch emulator with a
 * narrated demo (failing jobs retried to success, one escalated to wait for a decision). Ctrl-C stops the
 * worker, then the emulator and the server. Run with tsx.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEFAULT_EMULATOR_CREDENTIALS, seedDemoJobs, startEmulator } from '../emulator';
import { readWorkerConfig } from '../runtime/worker-config';
import { runWorker } from '../worker';
import { runDemo } from './demo';
import { startDevServer } from './dev-server';
import { readStartLocalConfig } from './start-local-config';

/** Demo jobs run for tens of emulated seconds: at this scale the whole story takes about a minute. */
const DEMO_TIME_SCALE = 10;

/**
 * Real Tencent Cloud when both keys are set or a credential source is chosen (`TENCENTCLOUD_CREDENTIALS`: a
 * profile file, a CVM or OIDC role...); otherwise the emulator, and the output says so.
 */
function hasTencentCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean((env.TENCENTCLOUD_SECRET_ID && env.TENCENTCLOUD_SECRET_KEY) || env.TENCENTCLOUD_CREDENTIALS);
}

function emulatorEnvironment(endpoint: string): Record<string, string> {
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
function shutdownRequested(): Promise<NodeJS.Signals> {
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

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const sourceRoot = path.resolve(__dirname, '..');
  const config = readStartLocalConfig(process.env, path.resolve(sourceRoot, '..'));
  await mkdir(path.dirname(config.dbFilename), { recursive: true });
  const stop = shutdownRequested();

  const server = await startDevServer({
    port: config.port,
    uiPort: config.uiPort,
    dbFilename: config.dbFilename,
  });
  print(`Temporal dev server (gRPC): ${server.address}   namespace: ${server.namespace}`);
  print(`Temporal web UI:            ${server.uiUrl ?? '(disabled)'}`);
  print(`Database:                   ${config.dbFilename}`);
  let stopping = false;
  const serverGone = server.exited.then(() => {
    if (!stopping) print('The Temporal dev server exited on its own: stopping.');
  });
  try {
    const until = Promise.race([stop, serverGone]);
    let stopRequested = false;
    void until.then(() => (stopRequested = true));
    // Workflow and activity logs at WARN and above: the escalation notice shows, the bundler's chatter does not.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const cloud = hasTencentCredentials(process.env);
    const emulator = cloud
      ? undefined
      : await startEmulator({
          port: config.emulatorPort,
          timeScale: DEMO_TIME_SCALE,
          seed: Date.now() % 2 ** 31,
        });
    const env = emulator ? { ...process.env, ...emulatorEnvironment(emulator.endpoint) } : process.env;
    const workerConfig = readWorkerConfig({
      ...env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
    });
    print(
      emulator
        ? `Tencent Batch:              the built-in EMULATOR at ${emulator.url} (no TENCENTCLOUD_SECRET_ID/KEY or TENCENTCLOUD_CREDENTIALS set;` +
            ` jobs run ${DEMO_TIME_SCALE}x faster than real time)`
        : `Tencent Batch:              ${workerConfig.batch.protocol}${workerConfig.batch.endpoint} (region ${workerConfig.batch.region}, credentials from ${workerConfig.batch.credentials.description})`,
    );
    print(`Worker task queues:         ${Object.values(workerConfig.taskQueues).join(', ')}. Ctrl-C stops.`);
    const worker = runWorker(workerConfig, until);
    try {
      if (emulator && config.demo) {
        const connection = await Connection.connect({ address: server.address });
        try {
          await runDemo({
            client: new Client({ connection, namespace: server.namespace }),
            jobs: seedDemoJobs(emulator),
            taskQueues: workerConfig.taskQueues,
            print,
            until,
          });
        } finally {
          await connection.close();
        }
        if (!stopRequested) {
          print('\nThe server, worker and emulator keep running (web UI above). Ctrl-C stops.');
        }
      }
      await worker;
    } finally {
      await emulator?.close();
    }
  } finally {
    stopping = true;
    await server.stop();
    print('Stopped.');
  }
}

/** An error and its causes, one per line: a failed server start explains itself through its cause. */
function explain(error: unknown): string {
  const lines: string[] = [];
  for (let current = error; current !== undefined;) {
    lines.push(current instanceof Error ? current.message : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n  caused by: ');
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${explain(error)}\n`);
  process.exit(1);
});
