import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** PEM certificate chain and private key (TLS_CERT_FILE, TLS_KEY_FILE). */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: TlsFiles | undefined;
  /**
   * At close, how long requests in flight may take to finish (SHUTDOWN_GRACE_MS); then their connections are cut so
   * the close can complete (and the database close). Default: wait for them however long they take.
   */
  graceMs?: number | undefined;
}

/**
 * Listen on host:port (0 = any free port) and return the URL; close() stops accepting (new connections are refused,
 * idle ones closed, a request on a busy kept-alive one gets 503), lets the requests in flight finish within the
 * grace period, then closes the app (the upstream pool and the database). With `tls`, an HTTPS server (TLS 1.2 or
 * newer) hands every request to the same Fastify app.
 */
export async function startServer(app: FastifyInstance, options: ListenOptions): Promise<RunningServer> {
  const { host, port, tls, graceMs } = options;
  if (tls) return startHttps(app, { host, port, tls, graceMs });
  // Fastify announces the address at info level; main.ts prints its own one friendly line instead.
  const level = app.log.level;
  if (level === 'info') app.log.level = 'warn';
  try {
    await app.listen({ host, port });
  } finally {
    if (level === 'info') app.log.level = level;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The server is not listening on a TCP port.');
  return {
    url: `http://${urlHost(host, address.address)}:${address.port}`,
    close: () => withGrace(app.server, graceMs, () => app.close()),
  };
}

/**
 * Run `close`; meanwhile close each kept-alive connection as soon as its last response is sent (a browser would
 * otherwise hold it open, and the close with it, for the keep-alive timeout); if it has not finished after
 * `graceMs`, cut the connections still open so that it can.
 */
async function withGrace(
  server: { closeAllConnections(): void; closeIdleConnections(): void },
  graceMs: number | undefined,
  close: () => Promise<void>,
): Promise<void> {
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const timer = graceMs === undefined ? undefined : setTimeout(() => server.closeAllConnections(), graceMs);
  timer?.unref();
  try {
    await close();
  } finally {
    clearInterval(idle);
    clearTimeout(timer);
  }
}

async function startHttps(
  app: FastifyInstance,
  { host, port, tls, graceMs }: { host: string; port: number; tls: TlsFiles; graceMs?: number | undefined },
): Promise<RunningServer> {
  await app.ready();
  const server: HttpsServer = createHttpsServer(
    { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' },
    (req, res) => app.server.emit('request', req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The server is not listening on a TCP port.');
  return {
    url: `https://${urlHost(host, address.address)}:${address.port}`,
    close: async () => {
      await withGrace(
        server,
        graceMs,
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      await app.close();
    },
  };
}

function urlHost(requested: string, bound: string): string {
  const host = requested === '0.0.0.0' || requested === '::' ? 'localhost' : requested;
  if (host === 'localhost') return host;
  const name = host.includes(':') ? bound : host;
  return name.includes(':') ? `[${name}]` : name;
}
