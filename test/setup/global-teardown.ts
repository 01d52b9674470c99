import { rm } from 'node:fs/promises';
import { TEMPORAL_TEST_ADDRESS_ENV } from './test-env';

/** Stops the run's shared dev server and deletes its database. Prints nothing: the reporter has the last word. */
export default async function globalTeardown(): Promise<void> {
  const shared = globalThis.sharedTemporal;
  globalThis.sharedTemporal = undefined;
  if (shared?.server) {
    await shared.server.stop();
    // Under `jest --watch` the next run's setup must start a new server, not reuse this address.
    delete process.env[TEMPORAL_TEST_ADDRESS_ENV];
  }
  if (shared?.workDir) await rm(shared.workDir, { recursive: true, force: true });
}
