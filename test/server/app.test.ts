import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModeSchema } from '../../src/contract/mode.ts';
import { buildApp } from '../../src/server/app.ts';
import { startServer } from '../../src/server/start.ts';
import type { RunningServer } from '../../src/server/start.ts';
import { testAppConfig } from '../support/app-config.ts';
import { expectProblem, http } from '../support/http.ts';
import { signIn } from '../support/session.ts';
import type { SignedInClient } from '../support/session.ts';

/** The app's own surface: mode, health, the one error policy, request ids and cache headers. No upstream needed. */

const UNREACHABLE = 'http://127.0.0.1:9';
let sandboxMode: RunningServer;
let liveMode: RunningServer;
let sandbox: SignedInClient;
let live: SignedInClient;

beforeAll(async () => {
  const app = await buildApp(
    testAppConfig({
      mode: 'sandbox',
      upstream: { baseUrl: UNREACHABLE, apiKey: 'sk_app_test_key', timeoutMs: 1000 },
    }),
  );
  // An unexpected failure inside a route, to see what the error policy lets out.
  app.get('/__boom', async () => {
    throw new Error('database password is hunter2 at /srv/app/secret.ts:12');
  });
  // A route under /api registered outside the gated context: it must never answer.
  app.get('/api/__outside', async () => ({ leaked: true }));
  sandboxMode = await startServer(app, { host: '127.0.0.1', port: 0 });
  liveMode = await startServer(
    await buildApp(
      testAppConfig({
        mode: 'live',
        upstream: { baseUrl: UNREACHABLE, apiKey: 'sk_app_test_key', timeoutMs: 1000 },
      }),
    ),
    { host: '127.0.0.1', port: 0 },
  );
  sandbox = await signIn(sandboxMode.url);
  live = await signIn(liveMode.url);
});
afterAll(async () => {
  await sandboxMode.close();
  await liveMode.close();
});

describe('GET /api/mode and /healthz', () => {
  it('says which mode, and nothing else', async () => {
    const answer = await sandbox.get('/api/mode');
    expect(answer.status).toBe(200);
    expect(ModeSchema.parse(answer.json())).toEqual({ mode: 'sandbox' });
    expect(answer.json()).toEqual({ mode: 'sandbox' });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect((await live.get('/api/mode')).json()).toEqual({ mode: 'live' });
  });

  it('answers /healthz without touching the upstream', async () => {
    const health = await http(sandboxMode.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
  });
});

describe('the one error policy', () => {
  it('answers an unknown /api route with a 404 problem', async () => {
    const problem = expectProblem(await sandbox.get('/api/nope'), 404, 'not-found');
    expect(problem.title).toBe('There is nothing at this address');
    expectProblem(await sandbox.delete('/api/users'), 404, 'not-found');
    expectProblem(await sandbox.post('/api/mode', {}), 404, 'not-found');
    // Without a session, an unknown /api address says "sign in", not what exists.
    expectProblem(
      await http(sandboxMode.url, 'GET', '/api/nope', { headers: { 'x-csrf': '1' } }),
      401,
      'unauthenticated',
    );
  });

  it('answers any other unknown path with a 404 problem when no SPA is served', async () => {
    expectProblem(
      await http(sandboxMode.url, 'GET', '/users', { headers: { accept: 'text/html' } }),
      404,
      'not-found',
    );
  });

  it('hides internals of an unexpected failure behind a 500 "internal" problem', async () => {
    const answer = await sandbox.get('/__boom');
    const problem = expectProblem(answer, 500, 'internal');
    expect(problem.title).toBe('Something went wrong in Viewer Admin');
    expect(answer.text).not.toMatch(/hunter2|secret\.ts|Error/);
  });

  it('never answers from an /api route registered outside the gated context', async () => {
    for (const client of [sandbox.get('/api/__outside'), http(sandboxMode.url, 'GET', '/api/__outside')]) {
      const answer = await client;
      expectProblem(answer, 404, 'not-found');
      expect(answer.text).not.toContain('leaked');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers an unreachable upstream with 502 and the request id', async () => {
    const answer = await sandbox.get('/api/users');
    expectProblem(answer, 502, 'upstream-unavailable');
  });
});

describe('request ids and headers', () => {
  it('gives every answer its own x-request-id, ignoring one the browser sends', async () => {
    const own = await http(sandboxMode.url, 'GET', '/healthz');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const other = await http(sandboxMode.url, 'GET', '/healthz');
    expect(other.headers['x-request-id']).not.toBe(own.headers['x-request-id']);
    const ignored = await sandbox.get('/api/nope', { headers: { 'x-request-id': 'trace-abc-12345' } });
    expect(ignored.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectProblem(ignored, 404, 'not-found').requestId).toBe(ignored.headers['x-request-id']);
  });

  it('marks /api answers no-store and nosniff', async () => {
    const answer = await sandbox.get('/api/mode');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});
