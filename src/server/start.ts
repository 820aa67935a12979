import type { FastifyInstance } from 'fastify';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Listen on host:port (0 = any free port) and return the URL; close() stops accepting and drains connections. */
export async function startServer(
  app: FastifyInstance,
  { host, port }: { host: string; port: number },
): Promise<RunningServer> {
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
    close: () => app.close(),
  };
}

function urlHost(requested: string, bound: string): string {
  const host = requested === '0.0.0.0' || requested === '::' ? 'localhost' : requested;
  if (host === 'localhost') return host;
  const name = host.includes(':') ? bound : host;
  return name.includes(':') ? `[${name}]` : name;
}
