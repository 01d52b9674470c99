/**
 * `startEmulator`: wires the clock, jobs, rate limiter, faults, ledger, API pipeline and HTTP server of one
 * local Tencent Cloud Batch (2017-03-12) emulator, and hands back its endpoint and controls.
 */
import type { AddressInfo } from 'node:net';
import type { JobState } from '../shared/batch-types';
import { ApiPipeline } from './api-pipeline';
import type { BatchAction } from './batch-api-constants';
import { EmulatedClock } from './clock';
import { CredentialStore } from './credential-store';
import type { EmulatorControls } from './emulator-controls';
import { type EmulatorOptions, resolveEmulatorOptions } from './emulator-options';
import { FaultInjector } from './faults';
import { createEmulatorServer } from './http-server';
import { isFinalState, jobStateAt } from './job-model';
import { type ForceStateOptions, forceJobState } from './job-planner';
import type { JobScript } from './job-script';
import { JobStore, type JobSpec } from './job-store';
import { type EmulatedJob, emulatedJobSnapshot } from './job-views';
import { Ledger } from './ledger';
import { SeededRandom } from './random';
import { SlidingWindowRateLimiter } from './rate-limiter';

/** A started emulator. */
export interface RunningEmulator extends EmulatorControls {
  /** `host:port`, for the SDK's `profile.httpProfile.endpoint` (with `protocol: 'http://'`). */
  readonly endpoint: string;
  /** `http://host:port/`. */
  readonly url: string;
  /** Stops the server; open connections are dropped. */
  close(): Promise<void>;
}

/**
 * Starts an emulator listening on `options.host:options.port` (default 127.0.0.1, a free port).
 * @throws {EmulatorOptionsError} listing every bad option.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveEmulatorOptions(options);
  const clock = new EmulatedClock(resolved.timeScale);
  const random = new SeededRandom(resolved.seed);
  const store = new JobStore(clock, random, resolved.defaultScript);
  const limiter = new SlidingWindowRateLimiter(resolved.rateLimits);
  const faults = new FaultInjector(random, resolved.faults);
  const ledger = new Ledger(resolved.ledgerPath);
  const keys = new CredentialStore(resolved.credentials);
  const pipeline = new ApiPipeline({
    store,
    limiter,
    credentials: () => keys.accepted(),
    refuseSigner: (secretId, atMs) => keys.refusalFor(secretId, atMs),
    clockSkewToleranceSeconds: resolved.clockSkewToleranceSeconds,
  });

  const jobOrThrow = (jobId: string) => {
    const job = store.get(jobId);
    if (!job) throw new RangeError(`no job ${jobId} in the emulator`);
    return job;
  };

  const controls: EmulatorControls = {
    ledger,
    credentials: keys,
    createJob: (spec: JobSpec = {}): string => store.createFromSpec(spec).id,
    getJob: (jobId: string): EmulatedJob | undefined => {
      const job = store.get(jobId);
      return job ? emulatedJobSnapshot(job, clock.now()) : undefined;
    },
    setScript: (jobId: string, script: JobScript): void => {
      const job = jobOrThrow(jobId);
      const now = clock.now();
      store.setScript(job, script, job.heldState === undefined && !isFinalState(jobStateAt(job, now)));
    },
    setJobState: (jobId: string, state: JobState, forceOptions?: ForceStateOptions): void => {
      forceJobState(jobOrThrow(jobId), state, clock.now(), forceOptions);
    },
    deleteJob: (jobId: string): boolean => store.delete(jobId),
    faults: {
      add: (rule) => faults.add(rule),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    setRateLimit: (action: BatchAction, rps: number): void => limiter.setLimit(action, rps),
    advanceTime: (seconds: number): void => clock.advance(seconds),
    emulatedNow: (): number => clock.now(),
  };

  const { server, close } = createEmulatorServer({
    pipeline,
    faults,
    ledger,
    limiter,
    controls,
    adminAccess: resolved.adminAccess,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const endpoint = `${host}:${port}`;
  return { ...controls, endpoint, url: `http://${endpoint}/`, close };
}
