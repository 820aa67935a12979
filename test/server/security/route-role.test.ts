import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { requireRouteRole } from '../../../src/server/security/api-gate.ts';

describe('a route without a role', () => {
  const build = () => {
    const app = Fastify();
    app.addHook('onRoute', requireRouteRole);
    return app;
  };

  it('stops the server starting, naming the route', async () => {
    const app = build();
    expect(() => app.get('/api/forgotten', async () => ({}))).toThrow(
      /GET \/api\/forgotten declares no role/,
    );
    await app.close();
  });

  it('is accepted with a role, or when it is the public sign-in', async () => {
    const app = build();
    app.get('/api/read', { config: { role: 'viewer' } }, async () => ({}));
    app.post('/api/session', { config: { public: true } }, async () => ({}));
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/api/read' })).statusCode).toBe(200);
    await app.close();
  });
});
