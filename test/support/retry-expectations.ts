/**
 * Jest expectations on the emulator's ledger, for end-to-end tests that let the package's workers recover jobs.
 * Kept apart from ./retry-audit.ts, which the chaos benchmark imports outside jest.
 */
import type { RunningEmulator } from '../../src/emulator';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { retriesOfUnobservedFailures } from './retry-audit';

/**
 * One retry per failure, as it can fail: the ledger shows `expectedRetries` applied RetryJobs for the job, each
 * answering a different failure (EndTime), and each a failure its owner had observed before the call landed (a
 * stale or repeated call lands on the job's next failure instead; see ./retry-audit.ts).
 */
export function expectOneRetryPerFailure(
  emu: RunningEmulator,
  owner: RecoverBatchJobsResult,
  jobId: string,
  expectedRetries: number,
): void {
  const applied = emu.ledger.retriesOf(jobId);
  expect(applied).toHaveLength(expectedRetries);
  expect(new Set(applied.map((r) => r.failureEndTime)).size).toBe(applied.length);
  const job = owner.jobs.filter((j) => j.jobId === jobId);
  expect(job).toHaveLength(1);
  expect(retriesOfUnobservedFailures(job, (id) => emu.ledger.retriesOf(id))).toEqual([]);
}
