import type { FastifyInstance } from 'fastify';
import type { Mode } from '../../contract/mode.ts';
import type { Readiness } from '../readiness.ts';

/**
 * GET /api/mode (sandbox or live, never the key); GET /healthz (the process is up: answers at once, asks nothing);
 * GET /readyz (the database and Avara, checked apart: 200 when both are fine, 503 otherwise).
 */
export function registerMetaRoutes(
  app: FastifyInstance,
  { mode, readiness }: { mode: Mode['mode']; readiness: () => Promise<Readiness> },
): void {
  app.get('/api/mode', async (): Promise<Mode> => ({ mode }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await readiness();
    reply.header('cache-control', 'no-store');
    return reply.code(ready.status === 'ok' ? 200 : 503).send(ready);
  });
}
