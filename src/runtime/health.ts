/**
 * `GET /healthz` of the worker process, for liveness/readiness probes: 200 while every worker polls and Tencent
 * Cloud accepts the credentials, 503 as soon as one worker is draining, stopped or failed, or the credentials are
 * refused (see ./credential-health.ts), so a load balancer or orchestrator stops counting on the process before it
 * is gone and operators see platform trouble where they look for it. Only this path and method answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';
import type { CredentialHealthReport } from './credential-health';
import { formatListenAddress, type ListenAddress } from './worker-config';

/** The `/healthz` body. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  /** Each worker's SDK state by task queue: RUNNING, STOPPING, DRAINING, DRAINED, STOPPED, FAILED... */
  workers: Record<string, State>;
  /** Whether Tencent Cloud accepts the credentials (present when the process watches them). */
  credentials?: CredentialHealthReport;
}

/** What the health server asks about the credentials. */
export interface ObservedCredentials {
  readonly healthy: boolean;
  report(): CredentialHealthReport;
}

/** What the health server observes: one entry per worker. */
export interface ObservedWorker {
  readonly options: { readonly taskQueue: string };
  getState(): State;
}

/**
 * The report for `workers`: ok only when there is at least one worker, all are RUNNING, and the credentials (if
 * watched) are not refused.
 */
export function healthReport(
  workers: readonly ObservedWorker[],
  credentials?: ObservedCredentials,
): HealthReport {
  const states = Object.fromEntries(workers.map((w) => [w.options.taskQueue, w.getState()]));
  const ok =
    workers.length > 0 &&
    Object.values(states).every((s) => s === 'RUNNING') &&
    (credentials?.healthy ?? true);
  return {
    status: ok ? 'ok' : 'unavailable',
    workers: states,
    ...(credentials ? { credentials: credentials.report() } : {}),
  };
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
  credentials?: ObservedCredentials,
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
    const report = healthReport(workers, credentials);
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
