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
import { seedDemoJobs, startEmulator } from '../emulator';
import { readWorkerConfig } from '../runtime/worker-config';
import { runWorker } from '../worker';
import { runDemo } from './demo';
import { emulatorEnvironment, explain, hasTencentCredentials, print, shutdownRequested } from './local-job';
import { startDevServer } from './dev-server';
import { readStartLocalConfig } from './start-local-config';

/** Demo jobs run for tens of emulated seconds: at this scale the whole story takes about a minute. */
const DEMO_TIME_SCALE = 10;

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

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${explain(error)}\n`);
  process.exit(1);
});
