/**
 * Runs a program that is not TypeScript (a Go binary, python, java, npm) to completion, for tests that drive the
 * package from outside: its output is kept and shown in full when it fails.
 */
import { spawn } from 'node:child_process';
import { noteChildProcess } from '../helpers/test-file-footprint';

/** What {@link runCommand} needs besides the command line. */
export interface RunCommandOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The process is killed (SIGKILL) after this long. */
  timeoutMs: number;
}

/** How a command ended: its exit code, what it printed, how long it took. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `command args`; rejects with its exit status and output unless it exits 0 within the timeout. */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    noteChildProcess([command, ...args].join(' '), child.pid, {
      env: options.env ?? {},
      output: () => `${stdout}${stderr}`,
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const elapsedMs = Date.now() - started;
      if (code === 0) {
        resolve({ stdout, stderr, elapsedMs });
        return;
      }
      const how = signal ? `was killed by ${signal} after ${elapsedMs} ms` : `exited ${code}`;
      reject(new Error(`${command} ${args.join(' ')} ${how}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}

/** The last line of `stdout` parsed as JSON: the report a caller prints when it is done. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as T;
}
