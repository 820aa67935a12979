import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FieldError, ProblemCode } from '../../../src/contract/problem.ts';
import { expectProblem } from '../../support/http.ts';
import { signIn } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { newPerson } from '../../support/people.ts';
import { startBff, startStack } from '../../support/stack.ts';
import type { FaultSpec, RequestLogEntry, Stack } from '../../support/stack.ts';

/**
 * Every route × every upstream failure, injected into the real sandbox: each maps to the documented problem, reads are
 * retried (writes never), and no upstream text reaches the answer.
 */

const USER = `usr_${'a'.repeat(32)}`;
const INVITATION = `inv_${'b'.repeat(32)}`;

interface RouteCase {
  name: string;
  method: Dispatcher.HttpMethod;
  path: string;
  body?: () => unknown;
  upstream: { method: string; path: string };
  kind: 'list' | 'user' | 'invitation' | 'invite';
  /** Fields an upstream 400 may be attributed to on this route. */
  fields: boolean;
  /** An edit reads the record first (the admin rule, and the audit's "before"): answered here with this record. */
  readsFirst?: { path: string; record: Record<string, unknown> };
}

const PERSON = {
  email: 'stored@clinic.example',
  firstName: 'Stored',
  lastName: 'Person',
  middleName: null,
  suffix1: null,
  suffix2: null,
  phoneNumber: null,
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: false,
  invitedSource: 'api',
  createdAt: '2026-01-01T00:00:00.000Z',
};

const ROUTES: RouteCase[] = [
  {
    name: 'POST /api/users',
    method: 'POST',
    path: '/api/users',
    body: () => newPerson(),
    upstream: { method: 'POST', path: '/v1/viewer/users' },
    kind: 'invite',
    fields: true,
  },
  {
    name: 'GET /api/users',
    method: 'GET',
    path: '/api/users?limit=5',
    upstream: { method: 'GET', path: '/v1/viewer/users' },
    kind: 'list',
    // firstName is one of its filters.
    fields: true,
  },
  {
    name: 'GET /api/users/:userId',
    method: 'GET',
    path: `/api/users/${USER}`,
    upstream: { method: 'GET', path: `/v1/viewer/users/${USER}` },
    kind: 'user',
    fields: false,
  },
  {
    name: 'PATCH /api/users/:userId',
    method: 'PATCH',
    path: `/api/users/${USER}`,
    body: () => ({ firstName: 'Renamed' }),
    upstream: { method: 'PATCH', path: `/v1/viewer/users/${USER}` },
    readsFirst: {
      path: `/v1/viewer/users/${USER}`,
      record: { ...PERSON, userId: USER, lastLoginAt: null },
    },
    kind: 'user',
    fields: true,
  },
  {
    name: 'POST /api/users/:userId/revoke-access',
    method: 'POST',
    path: `/api/users/${USER}/revoke-access`,
    body: () => ({}),
    upstream: { method: 'POST', path: '/v1/viewer/users/revoke-access' },
    kind: 'user',
    fields: false,
  },
  {
    name: 'POST /api/users/:userId/reactivate',
    method: 'POST',
    path: `/api/users/${USER}/reactivate`,
    upstream: { method: 'POST', path: '/v1/viewer/users/reactivate' },
    kind: 'user',
    fields: false,
  },
  {
    name: 'GET /api/invitations',
    method: 'GET',
    path: '/api/invitations?status=sent',
    upstream: { method: 'GET', path: '/v1/viewer/users/invitations' },
    kind: 'list',
    fields: false,
  },
  {
    name: 'GET /api/invitations/:invitationId',
    method: 'GET',
    path: `/api/invitations/${INVITATION}`,
    upstream: { method: 'GET', path: `/v1/viewer/users/invitations/${INVITATION}` },
    kind: 'invitation',
    fields: false,
  },
  {
    name: 'PATCH /api/invitations/:invitationId',
    method: 'PATCH',
    path: `/api/invitations/${INVITATION}`,
    body: () => ({ firstName: 'Renamed' }),
    upstream: { method: 'PATCH', path: `/v1/viewer/users/invitations/${INVITATION}` },
    readsFirst: {
      path: `/v1/viewer/users/invitations/${INVITATION}`,
      record: {
        ...PERSON,
        invitationId: INVITATION,
        userId: USER,
        clinicId: 'cln_1',
        inviterId: null,
        status: 'sent',
        expiry: '2099-01-01T00:00:00.000Z',
        updatedAt: null,
      },
    },
    kind: 'invitation',
    fields: true,
  },
  {
    name: 'POST /api/invitations/:invitationId/revoke',
    method: 'POST',
    path: `/api/invitations/${INVITATION}/revoke`,
    upstream: { method: 'POST', path: '/v1/viewer/users/invitations/revoke' },
    kind: 'invitation',
    fields: false,
  },
];

interface FaultCase {
  name: string;
  fault: Omit<FaultSpec, 'method' | 'path' | 'times'>;
  expected: (route: RouteCase) => {
    status: number;
    code: ProblemCode;
    errors?: FieldError[];
    retryAfter?: number;
  };
  /** Whether a read is retried on it (so the upstream sees 3 requests for a GET). */
  retried: boolean;
}

const SECRET_DETAIL = 'internal detail at db/pool.js:42';

const FAULTS: FaultCase[] = [
  {
    name: 'upstream 400 with field errors',
    fault: {
      status: 400,
      body: JSON.stringify({
        message: 'Invalid',
        errors: [{ path: 'firstName', message: 'Enter a first name.' }],
      }),
    },
    expected: (route) => ({
      status: 400,
      code: 'validation',
      errors: route.fields ? [{ path: 'firstName', message: 'Enter a first name.' }] : [],
    }),
    retried: false,
  },
  {
    name: 'upstream 422 whose message names a field',
    fault: { status: 422, body: JSON.stringify({ message: 'firstName is not acceptable' }) },
    expected: (route) => ({
      status: 400,
      code: 'validation',
      errors: route.fields ? [{ path: 'firstName', message: 'firstName is not acceptable' }] : [],
    }),
    retried: false,
  },
  {
    name: 'upstream 401',
    fault: { status: 401, body: JSON.stringify({ message: 'Invalid API key' }) },
    expected: () => ({ status: 502, code: 'upstream-key-rejected' }),
    retried: false,
  },
  {
    name: 'upstream 403',
    fault: { status: 403 },
    expected: () => ({ status: 502, code: 'upstream-key-rejected' }),
    retried: false,
  },
  {
    name: 'upstream 404',
    fault: { status: 404, body: JSON.stringify({ message: 'Not found' }) },
    expected: (route) =>
      route.kind === 'user' || route.kind === 'invitation'
        ? { status: 404, code: 'not-found' }
        : { status: 502, code: 'upstream-unavailable' },
    retried: false,
  },
  {
    name: 'upstream 409 about the email',
    fault: {
      status: 409,
      body: JSON.stringify({ message: 'A user with this email already exists.', code: 'email_taken' }),
    },
    expected: () => ({
      status: 409,
      code: 'duplicate-email',
      errors: [{ path: 'email', message: 'Someone with this email address has already been invited.' }],
    }),
    retried: true,
  },
  {
    name: 'upstream 409 about something else',
    fault: { status: 409, body: JSON.stringify({ message: 'Lock timeout, try again' }) },
    expected: () => ({ status: 409, code: 'conflict' }),
    retried: true,
  },
  {
    name: 'upstream 429 asking for a long wait',
    fault: { status: 429, retryAfter: '30' },
    expected: () => ({ status: 429, code: 'rate-limited', retryAfter: 30 }),
    retried: false,
  },
  {
    name: 'upstream 429 without Retry-After',
    fault: { status: 429 },
    expected: () => ({ status: 429, code: 'rate-limited', retryAfter: 5 }),
    retried: true,
  },
  {
    name: 'upstream 500 with internals in its body',
    fault: { status: 500, body: JSON.stringify({ message: SECRET_DETAIL, stack: SECRET_DETAIL }) },
    expected: () => ({ status: 502, code: 'upstream-unavailable' }),
    retried: true,
  },
  {
    name: 'upstream 503 as plain text',
    fault: { status: 503, body: SECRET_DETAIL },
    expected: () => ({ status: 502, code: 'upstream-unavailable' }),
    retried: true,
  },
  {
    name: 'malformed JSON',
    fault: { malformedJson: true },
    expected: () => ({ status: 502, code: 'upstream-invalid-response' }),
    retried: false,
  },
  {
    name: 'a dropped connection',
    fault: { dropConnection: true },
    expected: () => ({ status: 502, code: 'upstream-unavailable' }),
    retried: true,
  },
];

let stack: Stack;
type SignedInBff = { url: string; client: SignedInClient; close(): Promise<void> };
let slowBff: SignedInBff;
let wrongKeyBff: SignedInBff;
let emptyKeyBff: SignedInBff;

async function signedInBff(options: Parameters<typeof startBff>[0]): Promise<SignedInBff> {
  const bff = await startBff(options);
  return { ...bff, client: await signIn(bff.url) };
}

beforeAll(async () => {
  stack = await startStack();
  [slowBff, wrongKeyBff, emptyKeyBff] = await Promise.all([
    signedInBff({ upstreamUrl: stack.sandboxUrl, apiKey: stack.sandboxKey, timeoutMs: 250 }),
    signedInBff({ upstreamUrl: stack.sandboxUrl, apiKey: 'sk_wrong_0123456789' }),
    signedInBff({ upstreamUrl: stack.sandboxUrl, apiKey: '' }),
  ]);
});
afterAll(async () => {
  await Promise.all([slowBff.close(), wrongKeyBff.close(), emptyKeyBff.close()]);
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

function routeNamed(name: string): RouteCase {
  const route = ROUTES.find((r) => r.name === name);
  if (!route) throw new Error(`No route ${name}`);
  return route;
}

/** The stored record an edit reads first, answered once (the fault under test is on the edit itself). */
async function answerReadFirst(route: RouteCase) {
  if (route.readsFirst === undefined) return;
  const { path, record } = route.readsFirst;
  await stack.faults.add({ method: 'GET', path, status: 200, body: JSON.stringify(record) });
}

/** The upstream requests after the edit's read of the stored record, which must have come first, exactly once. */
function afterReadFirst(route: RouteCase, sent: RequestLogEntry[]): RequestLogEntry[] {
  if (route.readsFirst === undefined) return sent;
  expect(sent[0]).toMatchObject({ method: 'GET', path: route.readsFirst.path });
  return sent.slice(1);
}

function send(client: SignedInClient, route: RouteCase) {
  return client.request(route.method, route.path, route.body ? { body: route.body() } : {});
}

describe.each(ROUTES)('$name', (route) => {
  it.each(FAULTS)('maps $name', async ({ fault, expected, retried }) => {
    await answerReadFirst(route);
    await stack.faults.add({ ...fault, method: route.upstream.method, path: route.upstream.path, times: 3 });
    const answer = await send(stack.client, route);
    const want = expected(route);
    const problem = expectProblem(answer, want.status, want.code);
    if (want.errors !== undefined) expect(problem.errors ?? []).toEqual(want.errors);
    if (want.retryAfter !== undefined) {
      expect(problem.retryAfter).toBe(want.retryAfter);
      expect(answer.headers['retry-after']).toBe(String(want.retryAfter));
    }
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.text).not.toContain(SECRET_DETAIL);
    expect(answer.text).not.toContain(stack.sandboxKey);
    // An invite refused as a duplicate email also looks the email up, to name who already has it (issue 6).
    const sent = afterReadFirst(route, await stack.upstreamRequests()).filter(
      (r) => !(route.name === 'POST /api/users' && r.method === 'GET' && r.query.startsWith('email=')),
    );
    expect(sent.every((r) => r.method === route.upstream.method && r.path === route.upstream.path)).toBe(
      true,
    );
    expect(sent).toHaveLength(route.method === 'GET' && retried ? 3 : 1);
  });

  it('maps an upstream that does not answer in time to 504', async () => {
    await answerReadFirst(route);
    await stack.faults.add({ method: route.upstream.method, path: route.upstream.path, latencyMs: 1500 });
    const started = Date.now();
    const problem = expectProblem(await send(slowBff.client, route), 504, 'upstream-timeout');
    expect(Date.now() - started).toBeLessThan(1200);
    expect(problem.detail).toBeDefined();
    expect(afterReadFirst(route, await stack.upstreamRequests())).toHaveLength(1);
  });

  it('maps a wrong or missing key to 502 "Avara rejected the dashboard\'s API key"', async () => {
    for (const bff of [wrongKeyBff, emptyKeyBff]) {
      const problem = expectProblem(await send(bff.client, route), 502, 'upstream-key-rejected');
      expect(problem.title).toBe("Avara rejected the dashboard's API key");
      expect(problem.detail).toMatch(/still signed in/);
    }
  });
});

describe('write detail', () => {
  it('tells the operator a failed write may or may not have happened, and a failed read that nothing changed', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 500, afterHandling: true });
    const write = expectProblem(
      await send(stack.client, routeNamed('POST /api/users')),
      502,
      'upstream-unavailable',
    );
    // An invite says so in its own words, and the retry checks before sending again (issue 6).
    expect(write.detail).toMatch(/could not confirm whether the invitation was sent/);
    await stack.faults.add({ method: 'GET', status: 500, times: 3 });
    const read = expectProblem(
      await send(stack.client, routeNamed('GET /api/users')),
      502,
      'upstream-unavailable',
    );
    expect(read.detail).toMatch(/Nothing was changed/);
  });

  it('retries a read that fails once and answers normally', async () => {
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 503 });
    const answer = await stack.api('GET', '/api/users?limit=1');
    expect(answer.status).toBe(200);
    expect(await stack.upstreamRequests()).toHaveLength(2);
  });

  it('passes the upstream Retry-After of a 429 on to the browser', async () => {
    await stack.faults.add({ method: 'POST', status: 429, retryAfter: '3' });
    const answer = await send(stack.client, routeNamed('POST /api/users'));
    expect(expectProblem(answer, 429, 'rate-limited').retryAfter).toBe(3);
    expect(answer.headers['retry-after']).toBe('3');
  });
});
