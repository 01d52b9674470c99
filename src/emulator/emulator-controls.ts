/**
 * The controls a running emulator offers to tests and to the admin API: seed jobs, force their outcomes,
 * inject faults, change limits, move the emulated clock, read the ledger.
 */
import type { JobState } from '../shared/batch-types';
import type { BatchAction } from './batch-api-constants';
import type { CredentialControls } from './credential-store';
import type { FaultRule } from './faults';
import type { ForceStateOptions } from './job-planner';
import type { JobScript } from './job-script';
import type { JobSpec } from './job-store';
import type { EmulatedJob } from './job-views';
import type { Ledger } from './ledger';

/** Test and admin controls. None of them goes through HTTP or the ledger. */
export interface EmulatorControls {
  /** Every API request so far. */
  readonly ledger: Ledger;
  /** The accepted keys: issue, revoke, issue temporary credentials that expire. */
  readonly credentials: CredentialControls;
  /** Creates a job directly (no signature, no rate limit, no ledger entry); returns its ID. */
  createJob(spec?: JobSpec): string;
  /** The job as the API would describe it now, or undefined if it does not exist. */
  getJob(jobId: string): EmulatedJob | undefined;
  /** Replaces a job's script: for the current attempt if it has not finished, else from the next retry. */
  setScript(jobId: string, script: JobScript): void;
  /**
   * Forces a job's state now. SUCCEED / FAILED / FAILED_INTERRUPTED take effect at once with a new EndTime;
   * active states hold the job there until an action or another control moves it.
   */
  setJobState(jobId: string, state: JobState, options?: ForceStateOptions): void;
  /** Removes a job (as DeleteJob, in any state); false if there was none. */
  deleteJob(jobId: string): boolean;
  /** Fault rules. */
  readonly faults: {
    add(rule: FaultRule): void;
    clear(): void;
    list(): (FaultRule & { remaining: number })[];
  };
  /** Sets an action's requests-per-second limit (0 or Infinity: unlimited). */
  setRateLimit(action: BatchAction, rps: number): void;
  /** Moves the emulated clock forward by `seconds`. */
  advanceTime(seconds: number): void;
  /** Emulated now, in epoch milliseconds. */
  emulatedNow(): number;
}
