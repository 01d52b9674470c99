/**
 * Entry point of a tiny process that runs one command and kills it when the process that asked for it is
 * gone. Local Temporal servers run under it, so a jest run or `npm start` that is killed (SIGKILL, a
 * crashed runner, a closed terminal) never leaves a server holding its port and database.
 *
 * Usage: parent-watchdog <parent-pid> [--stop-signal <SIGNAL>] -- <command> [args...]
 *
 * - the parent is gone → the stop signal (SIGTERM unless given) to the command, SIGKILL after a grace period;
 * - SIGTERM / SIGINT / SIGHUP to the watchdog → the same;
 * - the command exits → the watchdog exits with its status.
 * Started by {@link spawnWatched} (./watched-process.ts), which puts it in its own process group.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** How often the parent is checked. Short enough that a test run's server dies within a second of jest. */
const PARENT_CHECK_MS = 500;
/** How long the command gets to shut down cleanly (the dev server flushes SQLite) before SIGKILL. */
const GRACE_MS = 5_000;

function main(argv: string[]): void {
  const [parentArg, ...rest] = argv;
  // PostgreSQL's postmaster takes SIGTERM as "wait for every client to disconnect"; it asks for SIGINT instead.
  const stopSignal = rest[0] === '--stop-signal' ? (rest[1] as NodeJS.Signals | undefined) : 'SIGTERM';
  const [separator, command, ...args] = rest[0] === '--stop-signal' ? rest.slice(2) : rest;
  const parentPid = Number(parentArg);
  if (!Number.isInteger(parentPid) || parentPid <= 0 || separator !== '--' || !command || !stopSignal) {
    process.stderr.write(
      'usage: parent-watchdog <parent-pid> [--stop-signal <SIGNAL>] -- <command> [args...]\n',
    );
    process.exit(2);
  }

  const child = spawn(command, args, { stdio: 'inherit' });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    child.kill(stopSignal);
    setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
  };

  child.on('error', (error) => {
    process.stderr.write(`parent-watchdog: cannot start ${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
  setInterval(() => {
    if (!parentIsAlive(parentPid)) stop();
  }, PARENT_CHECK_MS);
}

/**
 * On Linux, the watchdog's current parent from /proc: when the parent dies the watchdog is re-parented at
 * once, even while the dead parent is still an unreaped zombie (which `kill(pid, 0)` would call alive).
 * Elsewhere, signal 0 to the original parent.
 */
function parentIsAlive(parentPid: number): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the parenthesised command name: state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid === parentPid;
  } catch {
    try {
      process.kill(parentPid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

main(process.argv.slice(2));
