import { execFile, spawn } from 'node:child_process';
import type { ProgressLog } from './progress';

/** How many trailing output lines a failure keeps: enough for a compiler or Maven error, not a whole log. */
const FAILURE_TAIL_LINES = 40;

/** Options of {@link runLongProcess}. */
export interface RunLongProcessOptions {
  /** Working directory of the process. */
  cwd: string;
  /** Complete environment of the process. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Receives the "still running" lines. */
  log: ProgressLog;
  /** Names the process in progress lines and errors, e.g. `go install temporal`. */
  label: string;
  /**
   * Interval of the "still running" lines. A cold build is silent for minutes; the lines tell a person
   * (or a CI log) that it is alive. @default 20_000
   */
  heartbeatMs?: number;
}

/** A process that could not be started or exited with a failure; the message carries its output's tail. */
export class ProcessFailedError extends Error {
  override readonly name = 'ProcessFailedError';
}

/**
 * Runs a long build step (Go, Maven) to completion, printing a heartbeat line while it runs.
 * Resolves with the number of output lines it wrote; rejects with {@link ProcessFailedError}.
 */
export function runLongProcess(
  command: string,
  args: string[],
  options: RunLongProcessOptions,
): Promise<number> {
  const started = Date.now();
  const tail: string[] = [];
  let lineCount = 0;
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lineCount += 1;
      tail.push(line);
      if (tail.length > FAILURE_TAIL_LINES) tail.shift();
    }
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const heartbeat = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      options.log(`${options.label}: still running (${seconds} s, ${lineCount} lines of output so far)`);
    }, options.heartbeatMs ?? 20_000);
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      const why = error.code === 'ENOENT' ? `${command} is not on PATH` : error.message;
      reject(new ProcessFailedError(`${options.label}: could not start: ${why}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) {
        resolve(lineCount);
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new ProcessFailedError(`${options.label} ${how}; last output:\n${tail.join('\n')}`));
    });
  });
}

/**
 * Runs a short probe (`go env GOVERSION`, `temporal --version`) and returns its trimmed stdout, or
 * `undefined` when the command is missing, fails or takes longer than `timeoutMs`. Probes never throw:
 * their failure is just one more fact for the resolution log.
 */
export function probeCommand(
  command: string,
  args: string[],
  timeoutMs = 15_000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        resolve(undefined);
        return;
      }
      // `java -version` answers on stderr.
      resolve(`${stdout}${stderr}`.trim());
    });
  });
}
