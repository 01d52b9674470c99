import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../src/devenv/dev-server';
import { provisionTemporalBinaries } from '../../src/devenv/temporal-binaries';
import { TEMPORAL_TEST_ADDRESS_ENV, TEMPORAL_TEST_TIME_SKIPPING_SERVER_ENV } from './test-env';

/** What global-teardown.ts needs; jest runs both hooks in the same process. */
export interface SharedTemporal {
  server: DevServer | undefined;
  workDir: string | undefined;
}

declare global {
  var sharedTemporal: SharedTemporal | undefined;
}

/**
 * Provisions both local Temporal servers (built once per machine, then cached) and starts the ONE dev
 * server every test file of this run shares. It runs under a watchdog, so a jest run killed with Ctrl-C
 * or SIGKILL leaves no server behind.
 */
export default async function globalSetup(): Promise<void> {
  const binaries = await provisionTemporalBinaries();
  process.env[TEMPORAL_TEST_TIME_SKIPPING_SERVER_ENV] = JSON.stringify(binaries.testServer);
  if (process.env[TEMPORAL_TEST_ADDRESS_ENV]) {
    globalThis.sharedTemporal = { server: undefined, workDir: undefined };
    return;
  }
  const workDir = await mkdtemp(path.join(tmpdir(), 'tencent-batch-recovery-jest-'));
  const server = await startDevServer({
    binary: binaries.devServer,
    dbFilename: path.join(workDir, 'temporal.db'),
    output: { file: path.join(workDir, 'server.log') },
    unref: true,
  });
  process.env[TEMPORAL_TEST_ADDRESS_ENV] = server.address;
  globalThis.sharedTemporal = { server, workDir };
}
