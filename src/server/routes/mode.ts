import type { FastifyInstance } from 'fastify';
import type { Mode } from '../../contract/mode.ts';

/** GET /api/mode: sandbox or live (never the key). */
export function registerModeRoute(app: FastifyInstance, { mode }: { mode: Mode['mode'] }): void {
  app.get('/api/mode', { config: { role: 'viewer' } }, async (): Promise<Mode> => ({ mode }));
}
