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
