import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { noteChildProcess } from './test-file-footprint';

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A TypeScript script running in its own Node process (a Temporal worker, typically). */
export interface ChildProcessHandle {
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** Sends `signal` (default SIGKILL) unless the process already exited, then waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ChildExit>;
}

/**
 * Runs `scriptPath` with tsx in a child Node process, with `env` added to this process's environment.
 * Kill every handle in `afterAll` (see {@link killAll}); the child also exits by itself when this process
 * dies if it calls {@link exitWhenParentDies}.
 */
export function startTsProcess(scriptPath: string, env: Record<string, string>): ChildProcessHandle {
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, scriptPath],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${scriptPath}`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  noteChildProcess(path.basename(scriptPath), pid, { env, output: () => output });
  let status: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });
  return {
    pid,
    output: () => output,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!status) child.kill(signal);
      return exited;
    },
  };
}

/** Kills every handle still running; for `afterAll`, so no child outlives a failed test. */
export async function killAll(handles: readonly ChildProcessHandle[]): Promise<void> {
  await Promise.all(handles.map((handle) => handle.kill('SIGKILL')));
}

/**
 * For child scripts: exit as soon as the parent process is gone (checked twice a second), so a jest run
 * killed with SIGKILL leaves no worker polling a dead server.
 */
export function exitWhenParentDies(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (currentParentPid() !== parent) process.exit(1);
  }, 500).unref();
}

function currentParentPid(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    // Not Linux: signal 0 tells whether the original parent still exists.
    try {
      process.kill(process.ppid, 0);
      return process.ppid;
    } catch {
      return -1;
    }
  }
}
