import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProblemSchema, problemType } from '../../../src/contract/problem.ts';
import { expectProblem, http } from '../../support/http.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { pathSpelling } from '../../support/path-spellings.ts';
import { rawHttp } from '../../support/raw-http.ts';
import type { RawAnswer } from '../../support/raw-http.ts';
import { AddOperatorResultSchema } from '../../../src/contract/operators.ts';
import { OPERATOR_ROLES, SessionSchema, roleAllows } from '../../../src/contract/session.ts';
import type { OperatorRole } from '../../../src/contract/session.ts';
import { CSRF_HEADERS, clientFor, sessionCookieOf, signIn } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * The route inventory: every /api route the BFF registers (collected with Fastify's onRoute hook, so a route added
 * later is in here automatically) must refuse a request without the X-CSRF header, from another site, without a
 * session (all but sign-in), and with a body that is not JSON, and send nothing upstream when it does.
 */

const routes: { method: Dispatcher.HttpMethod; url: string; role: OperatorRole | undefined }[] = [];
let stack: Stack;
/** A built SPA with files planted where a careless static server would find them for an /api spelling. */
let staticDir: string;
const PLANTED = 'planted file: must never be served';

const IDS: Record<string, string> = {
  userId: `usr_${'a'.repeat(32)}`,
  invitationId: `inv_${'b'.repeat(32)}`,
  id: `opr_${'c'.repeat(32)}`,
  batchId: `bat_${'e'.repeat(32)}`,
  index: '0',
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

/** Only sign-in, and the sign-in screen's question of how one signs in, may be used without a session. */
const PUBLIC = new Set(['POST /api/session', 'GET /api/session/methods', 'HEAD /api/session/methods']);

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'viewer-admin-inventory-'));
  writeFileSync(
    join(staticDir, 'index.html'),
    '<!doctype html><html><head><title>shell</title></head></html>',
  );
  for (const dir of ['api', 'API', 'Api', '%61pi']) {
    mkdirSync(join(staticDir, dir, 'users'), { recursive: true });
    writeFileSync(join(staticDir, dir, 'users', 'index.html'), PLANTED);
    writeFileSync(join(staticDir, dir, 'users.json'), PLANTED);
    writeFileSync(join(staticDir, dir, 'mode'), PLANTED);
  }
  stack = await startStack({
    staticDir,
    onRoute: (route) => {
      if (!route.url.startsWith('/api')) return;
      for (const method of [route.method].flat()) {
        if (isHttpMethod(method)) routes.push({ method, url: route.url, role: route.role });
        else throw new Error(`A route with an unexpected method: ${method} ${route.url}`);
      }
    },
  });
});
afterAll(async () => {
  await stack.close();
  rmSync(staticDir, { recursive: true, force: true });
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
      'POST /api/invites/check',
      'POST /api/bulk-invites',
      'GET /api/bulk-invites',
      'GET /api/bulk-invites/:batchId',
      'POST /api/bulk-invites/:batchId/cancel',
      'POST /api/bulk-invites/:batchId/rows/:index/retry',
      'GET /api/directory/people',
      'GET /api/directory/invitations',
      'GET /api/directory/status',
      'POST /api/directory/refresh',
    ]) {
      expect(names, expected).toContain(expected);
    }
    expect(routes.length).toBeGreaterThanOrEqual(32);
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

/** A signed-in operator of this role, with a password of their own (so only the role can stand in their way). */
async function operatorWithRole(role: OperatorRole): Promise<SignedInClient> {
  const email = `${role}.${routes.length}.${Date.now()}@clinic.test`;
  const added = await stack.client.post('/api/operators', { email, displayName: `A ${role}`, role });
  expect(added.status, added.text).toBe(201);
  const { initialPassword, operator } = AddOperatorResultSchema.parse(added.json());
  expect(operator.role).toBe(role);
  const first = await signIn(stack.bffUrl, { email, password: initialPassword });
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: `${email} chose this password`,
  });
  expect(changed.status, changed.text).toBe(200);
  const cookie = sessionCookieOf(changed);
  if (cookie === undefined) throw new Error('No session cookie after the password change.');
  return clientFor(stack.bffUrl, cookie, SessionSchema.parse(changed.json()));
}

describe('roles on every /api route', () => {
  const ROLES_EXPECTED: Record<string, OperatorRole> = {
    'GET /api/session': 'viewer',
    'DELETE /api/session': 'viewer',
    'POST /api/session/password': 'viewer',
    'GET /api/mode': 'viewer',
    'GET /api/users': 'viewer',
    'GET /api/users/:userId': 'viewer',
    'GET /api/users/:userId/timeline': 'viewer',
    'GET /api/invitations': 'viewer',
    'GET /api/invitations/:invitationId': 'viewer',
    'GET /api/directory/people': 'viewer',
    'GET /api/directory/invitations': 'viewer',
    'GET /api/directory/status': 'viewer',
    'POST /api/directory/refresh': 'viewer',
    'GET /api/operators/names': 'viewer',
    'POST /api/users': 'inviter',
    'PATCH /api/invitations/:invitationId': 'inviter',
    'POST /api/invites/check': 'inviter',
    'POST /api/bulk-invites': 'inviter',
    'GET /api/bulk-invites': 'inviter',
    'GET /api/bulk-invites/:batchId': 'inviter',
    'POST /api/bulk-invites/:batchId/cancel': 'inviter',
    'POST /api/bulk-invites/:batchId/rows/:index/retry': 'inviter',
    'PATCH /api/users/:userId': 'administrator',
    'POST /api/users/:userId/revoke-access': 'administrator',
    'POST /api/users/:userId/reactivate': 'administrator',
    'POST /api/invitations/:invitationId/revoke': 'administrator',
    'GET /api/operators': 'administrator',
    'POST /api/operators': 'administrator',
    'POST /api/operators/:id/disable': 'administrator',
    'POST /api/operators/:id/enable': 'administrator',
    'GET /api/audit': 'administrator',
    'GET /api/audit.csv': 'administrator',
  };

  it("every route but sign-in declares the least role that may use it, and the issue's roles are the ones given", () => {
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      if (PUBLIC.has(label)) continue;
      expect(route.role, `${label} declares no role`).toBeDefined();
      const expected = ROLES_EXPECTED[label];
      if (expected !== undefined) expect(route.role, label).toBe(expected);
    }
    for (const label of Object.keys(ROLES_EXPECTED)) {
      expect(routes.map((r) => `${r.method} ${r.url}`)).toContain(label);
    }
  });

  it('refuses every lower role with 403 forbidden-role naming the role needed, sending nothing upstream', async () => {
    const clients = { viewer: await operatorWithRole('viewer'), inviter: await operatorWithRole('inviter') };
    await stack.clearUpstreamRequests();
    let refusals = 0;
    for (const route of routes) {
      const needed = route.role;
      if (needed === undefined) continue;
      for (const held of ['viewer', 'inviter'] as const) {
        if (roleAllows(held, needed)) continue;
        const label = `${held} ${route.method} ${route.url}`;
        const answer = await clients[held].request(route.method, concrete(route.url), {
          body: route.method === 'GET' || route.method === 'HEAD' ? undefined : {},
        });
        expect(answer.status, label).toBe(403);
        refusals += 1;
        expectNoCorsAndSecured(answer);
        if (route.method === 'HEAD') continue;
        expectProblem(answer, 403, 'forbidden-role');
        const label2 = needed === 'administrator' ? 'Administrator' : 'Inviter';
        expect(ProblemSchema.parse(answer.json()).detail, label).toBe(
          `This needs the ${label2} role; ask an administrator.`,
        );
      }
    }
    // Each administrator route twice, each inviter route once, HEAD included.
    expect(refusals).toBeGreaterThanOrEqual(30);
    expect(await stack.upstreamRequests()).toEqual([]);
    // The refused are still signed in: a refusal is not a sign-out.
    expect((await clients.viewer.get('/api/session')).status).toBe(200);
  });

  it('lets the least role through the role check (and every role above it)', async () => {
    const clients: Record<OperatorRole, SignedInClient> = {
      viewer: await operatorWithRole('viewer'),
      inviter: await operatorWithRole('inviter'),
      administrator: stack.client,
    };
    // Signing out ends the session it is sent with: that one goes last, in a session of its own.
    const ordered = [...routes].sort(
      (a, b) =>
        Number(a.method === 'DELETE' && a.url === '/api/session') -
        Number(b.method === 'DELETE' && b.url === '/api/session'),
    );
    for (const route of ordered) {
      const needed = route.role;
      if (needed === undefined) continue;
      for (const held of OPERATOR_ROLES) {
        if (!roleAllows(held, needed)) continue;
        const label = `${held} ${route.method} ${route.url}`;
        const signOut = route.method === 'DELETE' && route.url === '/api/session';
        const client = signOut && held === 'administrator' ? await stack.signIn() : clients[held];
        const answer = await client.request(route.method, concrete(route.url), {
          body: route.method === 'GET' || route.method === 'HEAD' ? undefined : {},
        });
        expect(answer.status, `${label}: ${answer.text}`).not.toBe(401);
        if (answer.status === 403)
          expect(ProblemSchema.parse(answer.json()).type, label).not.toBe(problemType('forbidden-role'));
      }
    }
  });
});

/** Problem codes an /api spelling may be answered with when no session and no X-CSRF come with it. */
const REFUSED = new Set([problemType('forbidden'), problemType('unauthenticated'), problemType('not-found')]);

/** A refusal or an empty 404: never data, never the page shell or a file, never stored by a cache. */
function expectRefusedOrNothing(answer: RawAnswer, label: string, statuses: readonly number[]) {
  expect(statuses, `${label} answered ${answer.status}: ${answer.text.slice(0, 200)}`).toContain(
    answer.status,
  );
  expect(answer.headers['cache-control'], label).toBe('no-store');
  expect(answer.text, label).not.toContain(PLANTED);
  if (answer.headers['content-length'] === '0' || answer.text === '') return;
  expect(answer.headers['content-type'], label).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(JSON.parse(answer.text));
  expect(REFUSED.has(problem.type), `${label}: ${problem.type}`).toBe(true);
  if (answer.status === 404) expect(problem.title).toBe('There is nothing at this address');
}

describe('every spelling of every /api path', () => {
  it('meets the gate: refused without X-CSRF or a session, or a 404 with nothing in it (generated spellings)', async () => {
    for (const route of routes) {
      const path = concrete(route.url);
      await fc.assert(
        fc.asyncProperty(pathSpelling(path), async (target) => {
          const label = `${route.method} ${target}`;
          const bare = await rawHttp(stack.bffUrl, { method: route.method, target });
          expectRefusedOrNothing(bare, label, [403, 404]);
          if (PUBLIC.has(`${route.method} ${route.url}`)) return;
          const csrfOnly = await rawHttp(stack.bffUrl, {
            method: route.method,
            target,
            headers: { ...CSRF_HEADERS },
          });
          expectRefusedOrNothing(csrfOnly, `${label} (X-CSRF, no session)`, [401, 404]);
        }),
        { numRuns: 25 },
      );
    }
    expect(await stack.upstreamRequests()).toEqual([]);
    // Its work grows with the routes (50 requests each): more time than one test's default on a busy machine.
  }, 60_000);

  it('maps the spellings the router decodes onto the route, and gates them there', async () => {
    // Decoded by the router onto GET /api/users and POST /api/session: the gate must be what answers.
    for (const target of ['/%61pi/users?limit=2', '/%61%70%69/users', '/api/%75sers', '/%61pi/session']) {
      expectProblem(await http(stack.bffUrl, 'GET', target), 403, 'forbidden');
      const noSession = await http(stack.bffUrl, 'GET', target, { headers: { ...CSRF_HEADERS } });
      expectProblem(noSession, 401, 'unauthenticated');
      expect(noSession.headers['cache-control']).toBe('no-store');
    }
    const signIn = await http(stack.bffUrl, 'POST', '/%61pi/session', {
      body: { email: 'operator@clinic.test', password: 'x' },
      headers: { origin: 'https://evil.example', ...CSRF_HEADERS },
    });
    expectProblem(signIn, 403, 'forbidden');
    // With the session and X-CSRF, the decoded spelling is the route itself (and logged like it).
    const listed = await stack.api('GET', '/%61pi/users?limit=2');
    expect(listed.status).toBe(200);
    expect(listed.headers['cache-control']).toBe('no-store');
  });

  it('is never answered by the page shell or a static file, even for a browser asking for a page', async () => {
    const paths = ['/api/users', '/api/mode', '/api/users.json', '/api/nothing-here', '/api'];
    for (const path of paths) {
      await fc.assert(
        fc.asyncProperty(pathSpelling(path), async (target) => {
          const asked: Record<string, string>[] = [
            { accept: 'text/html' },
            { accept: 'text/html', cookie: stack.client.cookie },
          ];
          for (const headers of asked) {
            const answer = await rawHttp(stack.bffUrl, { target, headers });
            expectRefusedOrNothing(answer, `GET ${target}`, [403, 404]);
            expect(answer.headers['content-type'] ?? '').not.toMatch(/text\/html/);
          }
        }),
        { numRuns: 40 },
      );
    }
    // The shell and the planted files are there: outside /api they are served.
    expect((await http(stack.bffUrl, 'GET', '/', { headers: { accept: 'text/html' } })).text).toContain(
      'shell',
    );
  });
});
