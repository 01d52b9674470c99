import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

/** Options of {@link waitForFrontend}. */
export interface WaitForFrontendOptions {
  /** `host:port` of the frontend gRPC service. */
  address: string;
  /** Namespace that must exist before the server counts as ready. */
  namespace: string;
  /** Custom search attributes that must be registered in `namespace`. */
  searchAttributes: readonly string[];
  /** Deadline for the whole wait. */
  timeoutMs: number;
  /** Returns why the server can no longer become ready (it exited), or `undefined` while it may. */
  gaveUp: () => string | undefined;
}

/**
 * Polls the frontend until it answers for `namespace` and lists every expected search attribute. Listening
 * on the port is not enough: tests that start a workflow right away need the namespace and attributes.
 */
export async function waitForFrontend(options: WaitForFrontendOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const reason = options.gaveUp();
    if (reason !== undefined) throw new Error(`Temporal server at ${options.address} ${reason}`);
    const lastProblem = await probeOnce(options);
    if (lastProblem === '') return;
    if (Date.now() > deadline) {
      throw new Error(
        `Temporal server at ${options.address} was not ready within ${options.timeoutMs} ms: ${lastProblem}`,
      );
    }
    await delay(200);
  }
}

/** One readiness probe; returns '' when ready, else what is missing. */
async function probeOnce(options: WaitForFrontendOptions): Promise<string> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: options.address, connectTimeout: '1s' });
    await connection.workflowService.describeNamespace({ namespace: options.namespace });
    const listed = await connection.operatorService.listSearchAttributes({ namespace: options.namespace });
    const known = new Set(Object.keys(listed.customAttributes ?? {}));
    const missing = options.searchAttributes.filter((name) => !known.has(name));
    return missing.length === 0 ? '' : `search attributes not registered yet: ${missing.join(', ')}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await connection?.close();
  }
}
