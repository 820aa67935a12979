import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS, contentSecurityPolicy, newCspNonce } from '../security/headers.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** This response's CSP nonce (for the SPA shell's <meta name="csp-nonce">). */
    cspNonce: string;
  }
}

/**
 * Every response of the whole app (API answers, errors, 404s, static files, the page shell): its request id, the
 * security headers and a CSP with a fresh nonce. No CORS header ever leaves.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.decorateRequest('cspNonce', '');
  app.addHook('onRequest', async (request, reply) => {
    request.cspNonce = newCspNonce();
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('content-security-policy', contentSecurityPolicy(request.cspNonce || newCspNonce()));
    for (const name in reply.getHeaders()) {
      if (name.toLowerCase().startsWith('access-control-')) reply.removeHeader(name);
    }
    return payload;
  });
}
