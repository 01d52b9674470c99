/**
 * The Tencent Batch emulator, in the benchmark's own process, at time scale 1: emulated time is real time, so a
 * job's EndTime and the ledger's request times are on one clock and can be subtracted.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { onCleanup } from './cleanup';

/** Starts an emulator (closed when the benchmark or its cleanup scope ends); rate limits default to the API's. */
export async function startBenchEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ ...options, timeScale: 1 });
  onCleanup('emulator', () => emulator.close());
  return emulator;
}
