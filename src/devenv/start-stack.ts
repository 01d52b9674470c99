/**
 * `npm run stack`: the production topology on this machine, for those who outgrow the dev server: PostgreSQL, the
 * Temporal server as four service processes (history, matching, frontend, worker; default task-queue partitions),
 * the Temporal web UI, and the package's worker — on Tencent Cloud when credentials are set, else on the built-in
 * emulator. Data persists in `.temporal/stack/` across restarts. Ctrl-C stops the worker, then the UI, the services
 * and PostgreSQL. Run with tsx.
 */
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startEmulator } from '../emulator';
import { readWorkerConfig } from '../runtime/worker-config';
import { runWorker } from '../worker';
import { TEMPORAL_SERVICES } from './cluster-config';
import { emulatorEnvironment, explain, hasTencentCredentials, print, shutdownRequested } from './local-job';
import { readStackConfig } from './stack-config';
import { startTemporalCluster } from './temporal-cluster';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from './temporal-versions';
import { startWebUi } from './web-ui-server';

/** Emulated jobs run at this many times real time (the emulator is for trying the stack, not for timing). */
const EMULATOR_TIME_SCALE = 10;

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const config = readStackConfig(process.env, repoRoot);
  await mkdir(config.dataDir, { recursive: true });
  // PostgreSQL runs as its own account when the stack runs as root: it must be able to reach its data directory.
  await chmod(config.dataDir, 0o755);
  const stop = shutdownRequested();

  const cluster = await startTemporalCluster({ dataDir: config.dataDir, port: config.port });
  let ui: Awaited<ReturnType<typeof startWebUi>> | undefined;
  try {
    ui = await startWebUi({
      uiServer: cluster.binaries.uiServer,
      temporalAddress: cluster.address,
      namespace: cluster.namespace,
      ip: '127.0.0.1',
      port: config.uiPort,
      workDir: path.join(config.dataDir, 'ui'),
    });
    print(
      `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL ${cluster.binaries.postgres.majorVersion}`,
    );
    print(`  frontend (gRPC):          ${cluster.address}   namespace: ${cluster.namespace}`);
    print(
      `  services:                 ${TEMPORAL_SERVICES.join(', ')} (one process each, default partitions)`,
    );
    print(`  PostgreSQL:               127.0.0.1:${cluster.postgresPort}`);
    print(`  data and logs:            ${cluster.dataDir}`);
    print(`Temporal web UI ${TEMPORAL_UI_SERVER_VERSION}:      ${ui.url}`);

    Runtime.install({ logger: new DefaultLogger('WARN') });
    const emulator = hasTencentCredentials(process.env)
      ? undefined
      : await startEmulator({ port: config.emulatorPort, timeScale: EMULATOR_TIME_SCALE });
    try {
      const env = emulator ? { ...process.env, ...emulatorEnvironment(emulator.endpoint) } : process.env;
      const workerConfig = readWorkerConfig({
        ...env,
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_NAMESPACE: cluster.namespace,
      });
      print(
        emulator
          ? `Tencent Batch:              the built-in EMULATOR at ${emulator.url} (no TENCENTCLOUD_SECRET_ID/KEY set)`
          : `Tencent Batch:              ${workerConfig.batch.protocol}${workerConfig.batch.endpoint} (region ${workerConfig.batch.region}, credentials from ${workerConfig.batch.credentials.description})`,
      );
      print(
        `Worker task queues:         ${Object.values(workerConfig.taskQueues).join(', ')}. Ctrl-C stops.`,
      );
      await runWorker(workerConfig, stop);
    } finally {
      await emulator?.close();
    }
  } finally {
    await ui?.stop();
    await cluster.stop();
    print('Stopped.');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run stack failed: ${explain(error)}\n`);
  process.exit(1);
});
