/**
 * The benchmark's own Temporal dev server (the real server, started with the package's `startDevServer` on a
 * free port, in memory, headless) and a client connected to it. The jest global setup is not available outside
 * jest, so each benchmark run starts and stops its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/devenv/dev-server';
import { findFreePort } from '../../src/devenv/free-port';
import { onCleanup } from './cleanup';
import { findDevServerPid } from './process-stats';

/** A started dev server and a client of it. */
export interface BenchTemporal {
  server: DevServer;
  /** The `temporal` process itself (not its watchdog), for CPU and memory readings; undefined if not found. */
  serverPid: number | undefined;
  client: Client;
  /** Server and worker logs of this run; removed when the benchmark ends. */
  workDir: string;
  /** The server's own Prometheus endpoint (persistence, locks, task queues). */
  metricsUrl: string;
}

/** Starts the dev server (stopped when the benchmark ends) and connects a client. */
export async function startBenchTemporal(name: string): Promise<BenchTemporal> {
  const workDir = await mkdtemp(path.join(tmpdir(), `tencent-batch-bench-${name}-`));
  // Registered first, so it runs last: after the server and the workers that write there have stopped.
  onCleanup('scratch files', () => rm(workDir, { recursive: true, force: true }));
  const metricsPort = await findFreePort();
  const server = await startDevServer({
    output: { file: path.join(workDir, 'server.log') },
    extraArgs: ['--metrics-port', String(metricsPort)],
  });
  onCleanup('dev server', () => server.stop());
  const connection = await Connection.connect({ address: server.address });
  onCleanup('client connection', () => connection.close());
  const port = server.address.split(':').pop() ?? '';
  return {
    server,
    serverPid: findDevServerPid(port),
    client: new Client({ connection, namespace: server.namespace }),
    workDir,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
  };
}
