/**
 * `GET /healthz` of the worker process, for liveness/readiness probes: 200 while every worker polls, 503 as
 * soon as one is draining, stopped or failed, so a load balancer or orchestrator stops counting on the process
 * before it is gone. Only this path and method answer; nothing else is exposed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';
import { formatListenAddress, type ListenAddress } from './worker-config';

/** The `/healthz` body. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  /** Each worker's SDK state by task queue: RUNNING, STOPPING, DRAINING, DRAINED, STOPPED, FAILED... */
  workers: Record<string, State>;
}

/** What the health server observes: one entry per worker. */
export interface ObservedWorker {
  readonly options: { readonly taskQueue: string };
  getState(): State;
}

/** The report for `workers`: ok only when there is at least one worker and all are RUNNING. */
export function healthReport(workers: readonly ObservedWorker[]): HealthReport {
  const states = Object.fromEntries(workers.map((w) => [w.options.taskQueue, w.getState()]));
  const ok = workers.length > 0 && Object.values(states).every((s) => s === 'RUNNING');
  return { status: ok ? 'ok' : 'unavailable', workers: states };
}

/** A listening health server. */
export interface HealthServer {
  /** Where it listens, `host:port` (the real port when 0 was asked for). */
  readonly address: string;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

/** Starts the health server; rejects when the address cannot be bound (a startup failure, not a warning). */
export async function startHealthServer(
  at: ListenAddress,
  workers: readonly ObservedWorker[],
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const report = healthReport(workers);
    res
      .writeHead(report.status === 'ok' ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      })
      .end(req.method === 'HEAD' ? undefined : `${JSON.stringify(report)}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: formatListenAddress({ host: bound.address, port: bound.port }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
