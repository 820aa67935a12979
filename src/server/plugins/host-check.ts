import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../problems.ts';

export interface HostCheckOptions {
  /**
   * The origins browsers use to reach this server (PUBLIC_ORIGIN), e.g. `https://viewer-admin.clinic.org`. Unset: the
   * server listens on loopback only, and answers to localhost, 127.0.0.1 and [::1] on the port it listens on.
   */
  publicOrigins?: readonly string[] | undefined;
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The server answers only for its own origin: a request whose Host (or, from a trusted proxy, X-Forwarded-Host)
 * names anything else gets 421, so a page on another name that resolves to this server (DNS rebinding) cannot use
 * it with a browser's help. The health checks answer any Host: a load balancer asks by the instance's own address.
 */
export function registerHostCheck(app: FastifyInstance, options: HostCheckOptions): void {
  const allowed =
    options.publicOrigins === undefined
      ? undefined
      : new Set(options.publicOrigins.map((origin) => new URL(origin).host.toLowerCase()));

  const isAllowed = (request: FastifyRequest): boolean => {
    const host = (request.host ?? '').toLowerCase();
    if (allowed !== undefined) return allowed.has(host);
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
    if (!match) return false;
    const [, name = '', port] = match;
    const localPort = request.socket.localPort;
    const defaultPort = request.protocol === 'https' ? 443 : 80;
    return LOOPBACK_NAMES.has(name) && (port === undefined ? defaultPort : Number(port)) === localPort;
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.anyHost === true || isAllowed(request)) return;
    reply.header('connection', 'close');
    throw new ProblemError({
      code: 'misdirected-request',
      status: 421,
      title: 'Viewer Admin is not served at this address',
      detail: 'Open Viewer Admin at the address its administrator gave you.',
    });
  });
}
