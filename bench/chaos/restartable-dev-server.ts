/**
 * A dev server of the chaos run's own, persisted in a SQLite file so that it can be stopped and started again on
 * the same port with every workflow, timer and task intact. Never the jest run's shared server: restarting that
 * one would break every other test file running at the same time.
 */
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startDevServer, type DevServer } from '../../src/devenv/dev-server';
import { silentProgress } from '../../src/devenv/progress';
import { resolveTemporalCli } from '../../src/devenv/temporal-cli-binary';

/** A file-backed dev server that can be restarted in place. */
export interface RestartableDevServer {
  /** `host:port`; the same before and after every restart. */
  readonly address: string;
  /** Stops the server and starts it again on the same port and database; resolves with the downtime in ms. */
  restart(): Promise<number>;
  /** Stops it for good. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Another process may grab the port in the moment it is free (jest starts servers on free ports in parallel);
 * a few tries a second apart ride that out instead of failing the run.
 */
const RESTART_ATTEMPTS = 5;

/** Starts a headless dev server whose database and log live in `workDir`. */
export async function startRestartableDevServer(workDir: string): Promise<RestartableDevServer> {
  const binary = await resolveTemporalCli({ log: silentProgress });
  if (binary.executable.type !== 'existing-path') {
    // The SDK's downloaded server is started and owned by the SDK, which cannot restart it on the same port.
    throw new Error('a chaos run needs a local Temporal CLI to restart (run `npm run provision` first)');
  }
  const start = (port?: number): Promise<DevServer> =>
    startDevServer({
      binary,
      ...(port === undefined ? {} : { port }),
      dbFilename: path.join(workDir, 'temporal.db'),
      output: { file: path.join(workDir, 'server.log') },
      log: silentProgress,
    });
  let current = await start();
  const port = portOf(current.address);
  return {
    address: current.address,
    async restart() {
      const stoppedAt = Date.now();
      await current.stop();
      current = await startOnSamePort(start, port);
      return Date.now() - stoppedAt;
    },
    stop: () => current.stop(),
  };
}

async function startOnSamePort(
  start: (port: number) => Promise<DevServer>,
  port: number,
): Promise<DevServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
    try {
      return await start(port);
    } catch (error) {
      lastError = error;
      await delay(1_000);
    }
  }
  throw new Error(`the dev server did not start again on port ${port}`, {
    cause: lastError,
  });
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
