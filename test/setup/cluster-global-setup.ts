import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTemporalCluster, type TemporalCluster } from '../../src/devenv/temporal-cluster';
import { TEMPORAL_TEST_CLUSTER_ADDRESS_ENV } from './test-env';

/** What cluster-global-teardown.ts needs; jest runs both hooks in the same process. */
export interface SharedCluster {
  cluster: TemporalCluster | undefined;
  workDir: string | undefined;
}

declare global {
  var sharedTemporalCluster: SharedCluster | undefined;
}

/**
 * Starts the ONE Temporal cluster on PostgreSQL that the `postgresql` jest project's files share (binaries built
 * once per machine, then cached), under watchdogs: a jest run killed with Ctrl-C or SIGKILL leaves nothing behind.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  if (process.env[TEMPORAL_TEST_CLUSTER_ADDRESS_ENV]) {
    globalThis.sharedTemporalCluster = { cluster: undefined, workDir: undefined };
    return;
  }
  const workDir = await mkdtemp(path.join(tmpdir(), 'tencent-batch-recovery-jest-cluster-'));
  // PostgreSQL runs as its own account when jest runs as root: it must be able to reach its data directory.
  await chmod(workDir, 0o755);
  const cluster = await startTemporalCluster({
    dataDir: workDir,
    durable: false,
    retention: '24h',
    unref: true,
  });
  process.env[TEMPORAL_TEST_CLUSTER_ADDRESS_ENV] = cluster.address;
  globalThis.sharedTemporalCluster = { cluster, workDir };
}
