import { rm } from 'node:fs/promises';
import { TEMPORAL_TEST_CLUSTER_ADDRESS_ENV } from './test-env';

/** Stops the `postgresql` project's cluster and deletes its data. Prints nothing: the reporter has the last word. */
export default async function clusterGlobalTeardown(): Promise<void> {
  const shared = globalThis.sharedTemporalCluster;
  globalThis.sharedTemporalCluster = undefined;
  if (shared?.cluster) {
    await shared.cluster.stop();
    delete process.env[TEMPORAL_TEST_CLUSTER_ADDRESS_ENV];
  }
  if (shared?.workDir) await rm(shared.workDir, { recursive: true, force: true });
}
