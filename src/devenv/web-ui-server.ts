import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnWatched } from './watched-process';

/** Options of {@link startWebUi}. */
export interface WebUiOptions {
  /** The `ui-server` binary (cluster-binaries.ts). */
  uiServer: string;
  /** Frontend gRPC `host:port` the UI talks to. */
  temporalAddress: string;
  /** Namespace the UI opens. */
  namespace: string;
  ip: string;
  port: number;
  /** Holds its config (`config/stack.yaml`) and log (`ui.log`). */
  workDir: string;
  /** @default false */
  unref?: boolean;
}

/** A running web UI. */
export interface WebUi {
  readonly url: string;
  stop(): Promise<void>;
}

/** The UI answers HTTP within a second or two of its start. */
const READY_TIMEOUT_MS = 30_000;

/** Starts the Temporal web UI server (assets embedded) under the parent watchdog, pointed at `temporalAddress`. */
export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const configDir = path.join(options.workDir, 'config');
  await mkdir(configDir, { recursive: true });
  const url = `http://${options.ip}:${options.port}`;
  // JSON is YAML: the UI server's loader reads it as is.
  await writeFile(
    path.join(configDir, 'stack.yaml'),
    JSON.stringify(
      {
        temporalGrpcAddress: options.temporalAddress,
        host: options.ip,
        port: options.port,
        enableUi: true,
        defaultNamespace: options.namespace,
        // Offline here: the UI must not ask GitHub for a newer version.
        notifyOnNewVersion: false,
        cors: { allowOrigins: [url] },
      },
      null,
      2,
    ),
  );
  const logFile = path.join(options.workDir, 'ui.log');
  const watched = spawnWatched(
    options.uiServer,
    ['--root', options.workDir, '--config', 'config', '--env', 'stack', 'start'],
    { output: { file: logFile }, unref: options.unref ?? false },
  );
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (watched.exitStatus() !== undefined) throw new Error(`the web UI server exited (log: ${logFile})`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      await watched.stop();
      throw new Error(`the web UI did not answer on ${url} within ${READY_TIMEOUT_MS} ms (log: ${logFile})`);
    }
    await delay(200);
  }
  return { url, stop: () => watched.stop() };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}
