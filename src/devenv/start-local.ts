/**
 * The main job (`npm start`): a local Temporal dev server with its web UI and a persisted database, plus a
 * worker for the package's workflows. Ctrl-C stops the worker, then the server. Run with tsx.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_WORKFLOW_TASK_QUEUE } from '../shared/constants';
import { startDevServer } from './dev-server';
import { findWorkflowsEntry, runLocalWorker } from './local-worker';
import { readStartLocalConfig } from './start-local-config';

/**
 * A Ctrl-C in a terminal reaches npm, tsx and this process at once, and tsx relays it once more: signals
 * closer together than this are one request.
 */
const SAME_REQUEST_MS = 1_000;

/** Resolves on the first SIGINT or SIGTERM; a later one exits at once (the watchdog stops the server). */
function shutdownRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (firstAt !== undefined) {
        if (Date.now() - firstAt > SAME_REQUEST_MS) process.exit(130);
        return;
      }
      firstAt = Date.now();
      print(`\n${signal}: stopping (press Ctrl-C again to exit at once)`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const sourceRoot = path.resolve(__dirname, '..');
  const config = readStartLocalConfig(process.env, path.resolve(sourceRoot, '..'));
  await mkdir(path.dirname(config.dbFilename), { recursive: true });
  const stop = shutdownRequested();

  const server = await startDevServer({
    port: config.port,
    uiPort: config.uiPort,
    dbFilename: config.dbFilename,
  });
  print(`Temporal dev server (gRPC): ${server.address}   namespace: ${server.namespace}`);
  print(`Temporal web UI:            ${server.uiUrl ?? '(disabled)'}`);
  print(`Database:                   ${config.dbFilename}`);
  let stopping = false;
  const serverGone = server.exited.then(() => {
    if (!stopping) print('The Temporal dev server exited on its own: stopping.');
  });
  try {
    const workflowsPath = findWorkflowsEntry(sourceRoot);
    if (workflowsPath === undefined) {
      print(
        'No workflows are registered yet (src/workflows/index.ts does not exist): running the server only.',
      );
      print('Press Ctrl-C to stop.');
      await Promise.race([stop, serverGone]);
    } else {
      print(
        `Worker: workflows from ${workflowsPath} on task queue ${DEFAULT_WORKFLOW_TASK_QUEUE}. Ctrl-C stops.`,
      );
      await runLocalWorker({
        address: server.address,
        namespace: server.namespace,
        taskQueue: DEFAULT_WORKFLOW_TASK_QUEUE,
        workflowsPath,
        until: Promise.race([stop, serverGone]),
      });
    }
  } finally {
    stopping = true;
    await server.stop();
    print('Stopped.');
  }
}

/** An error and its causes, one per line: a failed server start explains itself through its cause. */
function explain(error: unknown): string {
  const lines: string[] = [];
  for (let current = error; current !== undefined;) {
    lines.push(current instanceof Error ? current.message : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n  caused by: ');
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${explain(error)}\n`);
  process.exit(1);
});
