/**
 * Helpers for tests of the client helpers, the CLI and the examples: captured CLI streams, the package's
 * workers running in the background for a whole test file, and ID scopes that keep tests on the shared dev
 * server apart (every emulator starts from the same seed, so job IDs repeat across test files).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CliIo } from '../../src/cli/cli-io';
import type { RunningEmulator } from '../../src/emulator';
import { runRecoveryWorkers, type RecoveryTaskQueues } from '../../src/runtime/recovery-workers';
import { inProcessWorkers } from './e2e-kit';

/** CLI streams that keep what was written. */
export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

/** Streams for `runCli` and the command functions; `interactive` as if stdout were a terminal. */
export function captureIo(interactive = false): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    interactive,
    stdoutText: () => out,
    stderrText: () => err,
  };
}

/** The package's workers, running until {@link BackgroundWorkers.stop}. */
export interface BackgroundWorkers {
  queues: RecoveryTaskQueues;
  stop(): Promise<void>;
}

/** Starts the package's workers against `emulator` on `queues`, for a whole test file (stop them in afterAll). */
export async function startBackgroundWorkers(
  env: TestWorkflowEnvironment,
  emulator: RunningEmulator,
  queues: RecoveryTaskQueues,
): Promise<BackgroundWorkers> {
  const workers = await inProcessWorkers(env, emulator, queues);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const running = runRecoveryWorkers(workers, released);
  return {
    queues,
    async stop() {
      release();
      await running;
    },
  };
}

/**
 * A well-formed job ID no other test uses, for `emulator.createJob({ jobId })`: emulators all start from the same
 * seed, so their generated IDs repeat across test files, and so would the recovery workflow IDs derived from them.
 */
export function randomJobId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(8);
  return `job-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

/** A workflow-ID scope no other test uses. */
export function uniqueScope(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
