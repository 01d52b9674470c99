import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';

/** The workflows entry point (`src/workflows/index.ts`, or `.js` under lib/), if the package has one yet. */
export function findWorkflowsEntry(sourceRoot: string): string | undefined {
  return ['index.ts', 'index.js']
    .map((name) => path.join(sourceRoot, 'workflows', name))
    .find((file) => existsSync(file));
}

/** Options of {@link runLocalWorker}. */
export interface LocalWorkerOptions {
  /** Frontend `host:port`. */
  address: string;
  namespace: string;
  taskQueue: string;
  /** Module whose exported functions are the workflows. */
  workflowsPath: string;
  /** The worker drains and stops when this settles (Ctrl-C, the server exiting). */
  until: Promise<unknown>;
}

/**
 * Runs a workflow worker against the local server until `until` settles. Workflows only for now: the
 * activities and their Tencent client are wired by the package's worker (src/worker.ts).
 */
export async function runLocalWorker(options: LocalWorkerOptions): Promise<void> {
  const connection = await NativeConnection.connect({ address: options.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowsPath: options.workflowsPath,
    });
    await worker.runUntil(options.until);
  } finally {
    await connection.close();
  }
}
