import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem, http } from '../../support/http.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * The route inventory: every /api route the BFF registers (collected with Fastify's onRoute hook, so a route added
 * later is in here automatically) must refuse a request without the X-CSRF header, from another site, without a
 * session (all but sign-in), and with a body that is not JSON, and send nothing upstream when it does.
 */

const routes: { method: Dispatcher.HttpMethod; url: string }[] = [];
let stack: Stack;

const IDS: Record<string, string> = {
  userId: `usr_${'a'.repeat(32)}`,
  invitationId: `inv_${'b'.repeat(32)}`,
  id: `opr_${'c'.repeat(32)}`,
};

function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_match, name: string) => IDS[name] ?? `unknown-${name}`);
}

const METHODS: readonly Dispatcher.HttpMethod[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
];
function isHttpMethod(method: string): method is Dispatcher.HttpMethod {
  return (METHODS as readonly string[]).includes(method);
}

/** Only the sign-in route may be used without a session. */
const PUBLIC = new Set(['POST /api/session']);

beforeAll(async () => {
  stack = await startStack({
    onRoute: (route) => {
      if (!route.url.startsWith('/api')) return;
      for (const method of [route.method].flat()) {
        if (isHttpMethod(method)) routes.push({ method, url: route.url });
        else throw new Error(`A route with an unexpected method: ${method} ${route.url}`);
      }
    },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.clearUpstreamRequests();
});

function expectNoCorsAndSecured(answer: HttpAnswer) {
  expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  expect(answer.headers['content-security-policy']).toMatch(/script-src 'self'/);
  expect(answer.headers['cache-control']).toBe('no-store');
}

describe('the /api route inventory', () => {
  it('found every route, including the ones this issue added', () => {
    const names = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of [
      'POST /api/session',
      'GET /api/session',
      'DELETE /api/session',
      'POST /api/session/password',
      'GET /api/operators',
      'POST /api/operators',
      'POST /api/operators/:id/disable',
      'POST /api/operators/:id/enable',
      'GET /api/audit',
      'GET /api/audit.csv',
      'GET /api/mode',
      'POST /api/users',
      'GET /api/users',
      'GET /api/users/:userId',
      'PATCH /api/users/:userId',
      'POST /api/users/:userId/revoke-access',
      'POST /api/users/:userId/reactivate',
      'GET /api/invitations',
      'GET /api/invitations/:invitationId',
      'PATCH /api/invitations/:invitationId',
      'POST /api/invitations/:invitationId/revoke',
    ]) {
      expect(names, expected).toContain(expected);
    }
    expect(routes.length).toBeGreaterThanOrEqual(21);
  });

  it('every route refuses a request without X-CSRF: 1 (403), sending nothing upstream', async () => {
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      for (const csrf of [undefined, '0', 'true', '1, 1']) {
        const headers: Record<string, string> = { cookie: stack.client.cookie };
        if (csrf !== undefined) headers['x-csrf'] = csrf;
        const answer = await http(stack.bffUrl, route.method, concrete(route.url), { headers });
        expect(answer.status, `${label} x-csrf=${csrf}`).toBe(403);
        if (route.method !== 'HEAD') expectProblem(answer, 403, 'forbidden');
        expectNoCorsAndSecured(answer);
      }
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('every route refuses cross-site requests and foreign origins (403), sending nothing upstream', async () => {
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const foreign: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: stack.bffUrl.replace('127.0.0.1', 'localhost') },
      ];
      for (const extra of foreign) {
        const answer = await http(stack.bffUrl, route.method, concrete(route.url), {
          headers: { ...CSRF_HEADERS, cookie: stack.client.cookie, ...extra },
        });
        expect(answer.status, `${label} ${JSON.stringify(extra)}`).toBe(403);
        expectNoCorsAndSecured(answer);
      }
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('every route but sign-in refuses a request without a valid session (401, never a redirect)', async () => {
    const publicRoutes = new Set<string>();
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      for (const cookie of [
        undefined,
        '__Host-va_session=' + 'x'.repeat(43),
        `va_session=${stack.client.sessionId}`,
      ]) {
        const answer = await http(stack.bffUrl, route.method, concrete(route.url), {
          headers: { ...CSRF_HEADERS, ...(cookie ? { cookie } : {}) },
        });
        if (answer.status !== 401) {
          publicRoutes.add(label);
          continue;
        }
        expect(answer.headers.location, label).toBeUndefined();
        if (route.method !== 'HEAD') expectProblem(answer, 401, 'unauthenticated');
        expectNoCorsAndSecured(answer);
      }
    }
    expect(publicRoutes).toEqual(PUBLIC);
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('every route refuses a body that is not JSON (415), sending nothing upstream', async () => {
    for (const route of routes) {
      if (route.method === 'HEAD') continue;
      const label = `${route.method} ${route.url}`;
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        undefined,
      ]) {
        const answer = await http(stack.bffUrl, route.method, concrete(route.url), {
          rawBody: 'email=a%40b.c&password=x',
          headers: {
            ...CSRF_HEADERS,
            cookie: stack.client.cookie,
            ...(type ? { 'content-type': type } : {}),
          },
        });
        expect(answer.status, `${label} ${type}`).toBe(415);
        expectProblem(answer, 415, 'unsupported-media-type');
        expectNoCorsAndSecured(answer);
      }
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('an unknown /api address is guarded the same way', async () => {
    expectProblem(await http(stack.bffUrl, 'GET', '/api/not-a-route'), 403, 'forbidden');
    expectProblem(
      await http(stack.bffUrl, 'GET', '/api/not-a-route', { headers: { ...CSRF_HEADERS } }),
      401,
      'unauthenticated',
    );
    expectProblem(await stack.api('GET', '/api/not-a-route'), 404, 'not-found');
  });

  it('answers a CORS preflight with no CORS headers at all', async () => {
    const answer = await http(stack.bffUrl, 'OPTIONS', '/api/users', {
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-csrf, content-type',
      },
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
