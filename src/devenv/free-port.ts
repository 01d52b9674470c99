import { createServer } from 'node:net';

/**
 * A TCP port on `host` that was free a moment ago (the OS picks it). Another process can still take it
 * before the caller binds; callers that start a server on it treat "address in use" as a startup failure.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}

/**
 * A free TCP port on `host` in [`min`, `max`], tried in random order. For ports that must fit a range the OS's own
 * choice (often 32768 and up) does not: Temporal stores each service's membership port in a PostgreSQL `smallint`.
 */
export async function findFreePortInRange(min: number, max: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (await isFree(port, host)) return port;
  }
  throw new Error(`no free port on ${host} between ${min} and ${max} after 100 tries`);
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port }, () => server.close(() => resolve(true)));
  });
}
