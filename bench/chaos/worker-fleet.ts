/**
 * The worker processes of a chaos run: the package's real worker (`runWorker` from src/worker.ts, configured only
 * through the environment) in child processes, SIGKILLed on demand and started again at once, as a process
 * supervisor (Kubernetes, systemd) would. An exit the run did not cause is recorded, and that worker restarted too.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startTsProcess, type ChildProcessHandle } from '../../test/helpers/temporal-worker-process';
import type { StartedProcess } from '../../test/helpers/test-file-footprint';

/** The child script: src/worker.ts's `runWorker` that exits when its parent dies (no orphan outlives a run). */
const WORKER_SCRIPT = require.resolve('../../test/support/recovery-worker-process.ts');

/** Unexpected deaths after which a slot is no longer restarted: past this, the run is broken, not chaotic. */
const MAX_UNEXPECTED_RESTARTS = 20;

/** A worker process that died without being killed by the run. */
export interface UnexpectedWorkerExit {
  /** When, in ms from the start of the run. */
  atMs: number;
  slot: number;
  pid: number;
  code: number | null;
  signal: string | null;
  /** Its output (stdout and stderr). */
  logFile: string;
}

/** A worker the run killed. */
export interface KilledWorker {
  pid: number;
  /** How long the process had lived. */
  uptimeMs: number;
  /** The signal it died of, as the OS reported it. */
  signal: string | null;
}

/** Options of {@link WorkerFleet.start}. */
export interface WorkerFleetOptions {
  /** Worker processes to keep running. */
  count: number;
  /** Environment of every worker (Temporal address, emulator endpoint and credentials, task queues). */
  env: Record<string, string>;
  /** Where each process's output is saved when it exits. */
  workDir: string;
  /** Whether the worker process `pid` polls its queues yet, as the server sees it. */
  isPolling: (pid: number) => Promise<boolean>;
  /** Milliseconds since the start of the run, for the records. */
  elapsedMs: () => number;
  log: (line: string) => void;
  /** Ends every wait of the fleet when the run is aborted. */
  signal: AbortSignal;
}

interface WorkerSlot {
  index: number;
  child: ChildProcessHandle;
  startedAt: number;
  ready: boolean;
}

/** A fixed number of worker processes, each replaced as soon as it dies. */
export class WorkerFleet {
  private readonly slots: WorkerSlot[] = [];
  private readonly killedPids = new Set<number>();
  /** Every process the fleet started, the replaced ones too. */
  private readonly launchedSlots: WorkerSlot[] = [];
  private stopping = false;
  /** Deaths the run did not cause (each one was restarted). */
  readonly unexpectedExits: UnexpectedWorkerExit[] = [];

  private constructor(private readonly options: WorkerFleetOptions) {}

  /** Starts `options.count` workers (without waiting for them to poll: see {@link waitAllReady}). */
  static start(options: WorkerFleetOptions): WorkerFleet {
    const fleet = new WorkerFleet(options);
    for (let index = 0; index < options.count; index++) fleet.slots.push(fleet.launch(index));
    return fleet;
  }

  /** Slots whose current process polls its queues, i.e. is doing work that a kill can interrupt. */
  readySlots(): number[] {
    return this.slots.filter((slot) => slot.ready).map((slot) => slot.index);
  }

  /** The pid of the process in `slot` now. */
  pidOf(slot: number): number {
    return this.slot(slot).child.pid;
  }

  /** Resolves once every worker polls. */
  waitAllReady(timeoutMs: number): Promise<void> {
    return this.waitUntil(
      () => this.slots.every((slot) => slot.ready),
      timeoutMs,
      'every worker process to poll its task queues',
    );
  }

  /** Resolves once at least one worker polls. */
  waitAnyReady(timeoutMs: number): Promise<void> {
    return this.waitUntil(
      () => this.readySlots().length > 0,
      timeoutMs,
      'a worker process to poll its task queues',
    );
  }

  /** Every worker process started so far, killed ones included, with its environment and everything it printed. */
  launched(): StartedProcess[] {
    return this.launchedSlots.map(({ index, child }) => ({
      name: `worker ${index} pid ${child.pid}`,
      env: this.options.env,
      output: () => child.output(),
    }));
  }

  /** SIGKILLs the worker in `slot`, waits for it to die, and starts its replacement at once. */
  async kill(slot: number): Promise<KilledWorker> {
    const current = this.slot(slot);
    this.killedPids.add(current.child.pid);
    const exit = await current.child.kill('SIGKILL');
    const killed = {
      pid: current.child.pid,
      uptimeMs: Date.now() - current.startedAt,
      signal: exit.signal,
    };
    this.slots[slot] = this.launch(slot);
    return killed;
  }

  /** Kills every worker (SIGKILL: nothing is left to drain at the end of a run) and waits for them to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => slot.child.kill('SIGKILL')));
  }

  /** Polls `condition` until it holds; rejects at the deadline or as soon as the run is aborted. */
  private async waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await delay(200, undefined, { signal: this.options.signal });
    }
  }

  private slot(index: number): WorkerSlot {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no worker slot ${index}`);
    return slot;
  }

  private launch(index: number): WorkerSlot {
    const child = startTsProcess(WORKER_SCRIPT, this.options.env);
    const slot: WorkerSlot = { index, child, startedAt: Date.now(), ready: false };
    this.launchedSlots.push(slot);
    this.options.log(`worker ${index}: started pid ${child.pid}`);
    void this.watchReadiness(slot);
    void child.exited.then((exit) => this.onExit(slot, exit));
    return slot;
  }

  /** Marks the slot ready once the server lists the process as a poller (server restarts are ridden out). */
  private async watchReadiness(slot: WorkerSlot): Promise<void> {
    let exited = false;
    void slot.child.exited.then(() => (exited = true));
    while (!exited && !this.stopping) {
      if (await this.options.isPolling(slot.child.pid).catch(() => false)) {
        slot.ready = !exited;
        return;
      }
      await delay(250);
    }
  }

  private onExit(slot: WorkerSlot, exit: { code: number | null; signal: string | null }): void {
    slot.ready = false;
    const pid = slot.child.pid;
    const logFile = path.join(this.options.workDir, `worker-${slot.index}-${pid}.log`);
    writeFileSync(logFile, slot.child.output());
    if (this.stopping || this.killedPids.has(pid)) return;
    this.unexpectedExits.push({
      atMs: this.options.elapsedMs(),
      slot: slot.index,
      pid,
      code: exit.code,
      signal: exit.signal,
      logFile,
    });
    // A worker that cannot start at all (bad configuration) would otherwise be restarted in a tight loop.
    if (this.unexpectedExits.length > MAX_UNEXPECTED_RESTARTS) return;
    this.options.log(
      `worker ${slot.index}: pid ${pid} exited on its own (${exit.code ?? exit.signal}); restarting`,
    );
    this.slots[slot.index] = this.launch(slot.index);
  }
}
