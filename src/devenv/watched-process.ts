import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** How a watched command ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link spawnWatched}. */
export interface SpawnWatchedOptions {
  /** Environment of the command. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where the command's stdout and stderr go: this process's terminal, or a file (appended). @default 'inherit' */
  output?: 'inherit' | { file: string };
  /**
   * Let this process exit while the command runs (the watchdog then stops the command). Test runners want
   * this; a long-running main job does not. @default false
   */
  unref?: boolean;
  /** The signal that asks the command to stop cleanly. @default 'SIGTERM' */
  stopSignal?: NodeJS.Signals;
}

/** A command running under the parent watchdog. */
export interface WatchedProcess {
  /** Pid of the watchdog (leader of the process group the command runs in). */
  readonly pid: number;
  /** Settles when the watchdog (and so the command) has exited. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once exited, else `undefined`. */
  exitStatus(): ExitStatus | undefined;
  /**
   * Stops the command: SIGTERM through the watchdog, then SIGKILL to the whole process group if it is still
   * there after `graceMs`. Safe to call twice or after the command exited.
   */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILLs the command and its watchdog at once (a crash, for chaos runs), then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Runs `command` under the parent watchdog (./parent-watchdog.ts), so it dies when this process dies, even
 * by SIGKILL. The watchdog gets its own process group: a terminal's Ctrl-C reaches only this process, which
 * then stops the command in order (and SIGKILL of the group can clean up both).
 */
export function spawnWatched(
  command: string,
  args: string[],
  options: SpawnWatchedOptions = {},
): WatchedProcess {
  const output = options.output ?? 'inherit';
  const fd = output === 'inherit' ? undefined : openSync(output.file, 'a');
  let child: ChildProcess;
  try {
    const stopSignal = options.stopSignal === undefined ? [] : ['--stop-signal', options.stopSignal];
    child = spawn(
      process.execPath,
      [...watchdogEntry(), String(process.pid), ...stopSignal, '--', command, ...args],
      {
        detached: true,
        env: options.env ?? process.env,
        stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'],
      },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (options.unref) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the watchdog for ${command}`);

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });

  return {
    pid,
    exited,
    exitStatus: () => status,
    async stop(graceMs = 10_000): Promise<void> {
      if (status) return;
      signalGroup(pid, 'SIGTERM', false);
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL', true), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill(): Promise<void> {
      if (status) return;
      signalGroup(pid, 'SIGKILL', true);
      await exited;
    },
  };
}

/** Sends `signal` to the watchdog alone, or to its whole process group (watchdog and command). */
function signalGroup(pid: number, signal: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    process.kill(wholeGroup ? -pid : pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Node arguments that run the watchdog: the TypeScript source through tsx when running from source (tsx,
 * jest), the compiled file when running from lib/.
 */
function watchdogEntry(): string[] {
  const extension = path.extname(__filename);
  const script = path.join(__dirname, `parent-watchdog${extension}`);
  if (extension !== '.ts') return [script];
  return ['--import', pathToFileURL(require.resolve('tsx')).href, script];
}
