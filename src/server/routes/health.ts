import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../readiness.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered whatever the Host header says (a load balancer's health check uses the instance's own address). */
    anyHost?: boolean;
  }
}

/**
 * GET /healthz (the process is up: answers at once, asks nothing); GET /readyz (the database and Avara, checked
 * apart: 200 when both are fine, 503 otherwise). Neither says anything secret.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  { readiness }: { readiness: () => Promise<Readiness> },
): void {
  app.get('/healthz', { config: { anyHost: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { anyHost: true } }, async (_request, reply) => {
    const ready = await readiness();
    reply.header('cache-control', 'no-store');
    return reply.code(ready.status === 'ok' ? 200 : 503).send(ready);
  });
}
