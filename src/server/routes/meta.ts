import type { FastifyInstance } from 'fastify';
import type { Mode } from '../../contract/mode.ts';

/** GET /api/mode (sandbox or live, never the key) and GET /healthz. */
export function registerMetaRoutes(app: FastifyInstance, { mode }: { mode: Mode['mode'] }): void {
  app.get('/api/mode', async (): Promise<Mode> => ({ mode }));
  app.get('/healthz', async () => ({ status: 'ok' }));
}
