import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationIdSchema, UserIdSchema } from '../../../src/contract/ids.ts';
import { ListInvitationsQuerySchema, RevokeInvitationBodySchema } from '../../../src/contract/invitations.ts';
import {
  InviteUserInputSchema,
  ListUsersQuerySchema,
  UpdateUserInputSchema,
  UserActionBodySchema,
} from '../../../src/contract/users.ts';
import { looksLikeApiPath } from '../../../src/server/security/api-spelling.ts';
import { DATABASE_FILE } from '../../../src/server/store/database.ts';
import { pathSpelling } from '../../support/path-spellings.ts';
import { newPerson } from '../../support/people.ts';
import { rawHttp } from '../../support/raw-http.ts';
import type { RawRequest } from '../../support/raw-http.ts';
import { expectNoKey, keyForms } from '../../support/key-forms.ts';
import { startStack } from '../../support/stack.ts';
import type { RequestLogEntry, Stack } from '../../support/stack.ts';
import { batchOf, createBatch, waitForBatch } from '../bulk/bulk-support.ts';

/**
 * An outside probe, as an attacker would run it: well over a thousand generated hostile requests (paths in every
 * spelling, headers, bodies, encodings, methods), with and without a session, at a BFF in live mode whose upstream
 * (the sandbox, recording every request) holds a canary API key. Whatever was sent: no 5xx, no data without a
 * session, nothing reaches the upstream that the contract does not allow, and the canary is in no answer, no stored
 * answer and no log line.
 */

const CANARY = `sk_canary_${randomBytes(16).toString('hex')}`;
const PROBES = 1_200;
const USER_ID = `usr_${'0'.repeat(32)}`;
const INVITATION_ID = `inv_${'0'.repeat(32)}`;

let stack: Stack;
const routes: { method: string; url: string }[] = [];
/** A bulk invite batch that exists (finished before the probe starts), so its reads answer with data. */
let batchId = `bat_${'0'.repeat(32)}`;

beforeAll(async () => {
  stack = await startStack({
    mode: 'live',
    apiKey: CANARY,
    onRoute: (route) => {
      if (!route.url.startsWith('/api/') || route.url === '/api/*') return;
      for (const method of [route.method].flat())
        if (method !== 'HEAD') routes.push({ method, url: route.url });
    },
  });
  batchId = await createBatch(stack.client, batchOf(1));
  await waitForBatch(stack.client, batchId);
});
afterAll(async () => {
  // Also checks every log line for the canary, the password, session ids and e-mail addresses.
  await stack.close();
});

/** What a request the BFF sends upstream may look like: the contract's schema for each Avara endpoint. */
function conformsToContract(entry: RequestLogEntry): string | undefined {
  const { method, path, query, body } = entry;
  const params = Object.fromEntries(new URLSearchParams(query));
  const parsed = (() => {
    if (method === 'GET' && path === '/v1/viewer/users')
      return ListUsersQuerySchema.safeParse(params).success;
    if (method === 'GET' && path === '/v1/viewer/users/invitations')
      return ListInvitationsQuerySchema.safeParse({ ...params, status: params.status?.split(',') }).success;
    if (query !== '') return false;
    if (method === 'POST' && path === '/v1/viewer/users')
      return InviteUserInputSchema.safeParse(body).success;
    if (method === 'POST' && /^\/v1\/viewer\/users\/(revoke-access|reactivate)$/.test(path))
      return UserActionBodySchema.safeParse(body).success;
    if (method === 'POST' && path === '/v1/viewer/users/invitations/revoke')
      return RevokeInvitationBodySchema.safeParse(body).success;
    const invitation = /^\/v1\/viewer\/users\/invitations\/([^/]+)$/.exec(path)?.[1];
    if (invitation !== undefined) {
      if (!InvitationIdSchema.safeParse(invitation).success) return false;
      return method === 'GET' || (method === 'PATCH' && UpdateUserInputSchema.safeParse(body).success);
    }
    const user = /^\/v1\/viewer\/users\/([^/]+)$/.exec(path)?.[1];
    if (user !== undefined) {
      if (!UserIdSchema.safeParse(user).success) return false;
      return method === 'GET' || (method === 'PATCH' && UpdateUserInputSchema.safeParse(body).success);
    }
    return false;
  })();
  if (!parsed) return `${method} ${path}?${query} ${JSON.stringify(body)}`;
  const extra = Object.keys(entry.headers).filter(
    (name) =>
      ![
        'host',
        'connection',
        'content-length',
        'content-type',
        'accept',
        'user-agent',
        'authorization',
      ].includes(name) && !['idempotency-key', 'x-request-id'].includes(name),
  );
  return extra.length > 0 ? `unexpected headers ${extra.join(', ')}` : undefined;
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    "'; DROP TABLE operators; --",
    '../../../../etc/passwd',
    '\u0000\r\n{"level":60}',
    '\u202Eevil',
    '\uD800',
    '%00',
    '${jndi:ldap://x}',
    '__proto__',
    'x'.repeat(70_000),
  ),
);

const hostileBody = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.record({ email: hostileText, password: hostileText }).map((value) => JSON.stringify(value)),
  fc
    .record(
      {
        firstName: hostileText,
        lastName: hostileText,
        email: hostileText,
        clinicRole: hostileText,
        level: hostileText,
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify({ ...newPerson(), ...value })),
  { weight: 3, arbitrary: fc.constant(null).map(() => JSON.stringify(newPerson())) },
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"email":"a@b.c","email":"x@y.z"}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    '{"firstName":',
    'email=a%40b.c&password=x',
    `{"apiKey":"${CANARY}"}`,
  ),
);

function probe(sessionCookie: string) {
  const route = fc.constantFrom(...routes);
  const concrete = (url: string) =>
    url
      .replace(':userId', USER_ID)
      .replace(':invitationId', INVITATION_ID)
      .replace(':id', `opr_${'0'.repeat(32)}`)
      .replace(':batchId', batchId)
      .replace(':index', '0');
  const target = fc.oneof(
    route.chain((r) => pathSpelling(concrete(r.url))),
    { weight: 4, arbitrary: route.map((r) => concrete(r.url)) },
    fc.tuple(route, fc.webQueryParameters()).map(([r, q]) => `${concrete(r.url)}?${q}`),
    fc
      .tuple(route, hostileText)
      .map(([r, id]) => `${r.url.replace(/:\w+/, percentEncode(id).slice(0, 300))}`),
    fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
    fc.constantFrom(
      '/api/users?limit=0x10',
      '/api/users?limit=1e2',
      '/api/users?limit=-1&limit=5',
      '/api/users?email=a%40b.c%00',
      '/api/users/..%2f..%2fhealthz',
      '/api/audit.csv?from=2026-01-01&to=1999-01-01',
      '/%61pi/operators',
      '/API/users',
      '/healthz/../api/users',
      '//api/users',
      '/api/users%00',
      '/api/users/%E0%A4%A',
      `/api/users?cursor=${'A'.repeat(5_000)}`,
    ),
  );
  const method = fc.oneof(
    { weight: 3, arbitrary: route.map((r) => r.method) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'),
    },
  );
  const cookie = fc.constantFrom(
    undefined,
    sessionCookie,
    sessionCookie,
    `${sessionCookie}; __Host-va_session=${'B'.repeat(43)}`,
    `__Host-va_session=${'A'.repeat(43)}`,
    `va_session=${sessionCookie.split('=')[1] ?? ''}`,
    `__Host-va_session=${CANARY}`,
  );
  const headers = fc.record(
    {
      cookie,
      'x-csrf': fc.constantFrom('1', '1', '0', 'true', '1, 1', ''),
      origin: fc.constantFrom('https://evil.example', 'null', stack.bffUrl),
      'sec-fetch-site': fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none'),
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json, text/plain',
        'APPLICATION/JSON',
      ),
      'idempotency-key': fc.oneof(
        fc.uuid(),
        hostileText.map((t) => t.replace(/[\r\n\0]/g, '').slice(0, 300)),
      ),
      'x-forwarded-for': fc.ipV4(),
      'x-forwarded-host': fc.constantFrom('evil.example', 'localhost'),
      authorization: fc.constantFrom(`Bearer ${CANARY}`, 'Bearer browser-token'),
      accept: fc.constantFrom('text/html', 'application/json', '*/*'),
    },
    { requiredKeys: [] },
  );
  // Half the probes come as the app itself would send them, so hostile paths and bodies get past the gate.
  const asTheApp = fc.record({
    cookie: fc.constant(sessionCookie),
    'x-csrf': fc.constant('1'),
    'content-type': fc.constant('application/json'),
    'idempotency-key': fc.uuid(),
  });
  return fc.record({ method, target, headers: fc.oneof(headers, asTheApp), body: hostileBody });
}

/** Every byte of the text's UTF-8 (lone surrogates become U+FFFD) percent-encoded but for unreserved characters. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** The target with its percent-escapes decoded (twice, as a careless server might), or as it is when it cannot be. */
function safeDecode(target: string): string {
  try {
    return decodeURIComponent(decodeURIComponent(target));
  } catch {
    try {
      return decodeURIComponent(target);
    } catch {
      return target;
    }
  }
}

/** Header values a socket can carry (no CR, LF or NUL; latin1). */
function sendable(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => [name, value.replace(/[\r\n\0]/g, '').replace(/[^\x20-\xff]/g, '?')]),
  );
}

describe('an outside probe of the running BFF (live mode, canary key)', () => {
  it(`${PROBES} generated hostile requests: no 5xx, no data without a session, nothing off-contract upstream, no canary anywhere`, async () => {
    const sessionCookie = stack.client.cookie;
    // Never the probe's own sign-out: it would end the session half the probes use (sign-out's refusals are covered by
    // the route inventory), and how soon it came would depend on how many routes there are.
    const signsOut = (sample: { method: string; target: string }) =>
      sample.method === 'DELETE' && /session/i.test(safeDecode(sample.target));
    const samples = fc.sample(
      probe(sessionCookie).filter((sample) => !signsOut(sample)),
      { numRuns: PROBES, seed: 20261205 },
    );
    const withSession = new Set<string>();
    const offContract: string[] = [];
    const statuses = new Map<number, number>();
    let upstreamCalls = 0;
    const checkUpstream = async () => {
      for (const entry of await stack.upstreamRequests()) {
        upstreamCalls += 1;
        const requestId = entry.headers['x-request-id'] ?? '';
        expect(
          withSession.has(requestId),
          `upstream call for a request without a session: ${entry.path}`,
        ).toBe(true);
        const problem = conformsToContract(entry);
        if (problem !== undefined) offContract.push(problem);
      }
      await stack.clearUpstreamRequests();
    };
    await stack.clearUpstreamRequests();
    let sent = 0;
    for (const sample of samples) {
      const request: RawRequest = {
        method: sample.method,
        target: sample.target,
        headers: sendable(sample.headers),
        body: sample.body,
      };
      const answer = await rawHttp(stack.bffUrl, request);
      sent += 1;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const label = `${sample.method} ${sample.target.slice(0, 120)} → ${answer.status}`;
      expect(answer.status, `${label}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      const holdsSession = sample.headers.cookie?.startsWith(sessionCookie) === true;
      if (holdsSession) withSession.add(answer.headers['x-request-id'] ?? '');
      if (!holdsSession && looksLikeApiPath(sample.target)) {
        expect(answer.status, `${label}: data without a session`).toBeGreaterThanOrEqual(400);
        expect(answer.text).not.toMatch(/usr_[0-9a-f]{32}|inv_[0-9a-f]{32}|opr_[0-9a-f]{32}/);
      }
      expectNoKey(`${JSON.stringify(answer.headers)}\n${answer.text}`, CANARY, `${label}: the answer`);
      if (sent % 100 === 0) await checkUpstream();
    }
    await checkUpstream();
    expect(offContract).toEqual([]);
    expect(sent).toBe(PROBES);
    // The probe reached every kind of refusal, and also got through to Avara (so the upstream checks checked).
    console.log(JSON.stringify([...statuses]));
    for (const status of [200, 400, 401, 403, 404, 415])
      expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(5);
    expect(upstreamCalls).toBeGreaterThan(20);
    expect(withSession.size).toBeGreaterThan(200);

    // Then Avara itself turns hostile: it echoes the canary, in every spelling, in answers and errors. The operator
    // gets a 502 and never the canary; nothing is stored with it.
    const echoes = fc.sample(
      fc.record({
        form: fc.constantFrom(...keyForms(CANARY)),
        call: fc.constantFrom(
          { method: 'GET', path: '/api/users?limit=5', upstream: '/v1/viewer/users' },
          { method: 'GET', path: '/api/invitations', upstream: '/v1/viewer/users/invitations' },
          { method: 'POST', path: '/api/users', upstream: '/v1/viewer/users' },
        ),
        status: fc.constantFrom(200, 201, 400, 404, 409, 422, 500, 503),
        where: fc.constantFrom('message', 'cursor', 'firstName'),
      }),
      { numRuns: 150, seed: 4711 },
    );
    for (const { form, call, status, where } of echoes) {
      const body =
        status < 300
          ? `{"users":[],"invitations":[],"hasMore":false,"userId":"${USER_ID}","${where}":${form.literal}}`
          : `{"message":${form.literal},"errors":[{"field":"email","message":${form.literal}}]}`;
      await stack.faults.add({ method: call.method, path: call.upstream, status, body });
      const answer = await stack.api(call.method === 'GET' ? 'GET' : 'POST', call.path, {
        ...(call.method === 'POST' ? { body: newPerson() } : {}),
      });
      await stack.faults.clear();
      const label = `${call.method} ${call.path}, ${status} echoing ${form.name} in ${where}`;
      expectNoKey(`${JSON.stringify(answer.headers)}\n${answer.text}`, CANARY, label);
      expect(answer.status, `${label}: ${answer.text}`).toBe(502);
    }

    // The server still works for its operator.
    expect((await stack.api('GET', '/api/users?limit=1')).status).toBe(200);
    // Nothing stored (idempotent answers, the audit trail, sessions) and no log line carries the canary.
    const db = new Database(join(stack.bffDataDir, DATABASE_FILE), { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => String((row as { name: unknown }).name));
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
          expectNoKey(JSON.stringify(row), CANARY, `a row of ${table}`);
        }
      }
    } finally {
      db.close();
    }
    for (const line of stack.logs.lines()) expectNoKey(line, CANARY, 'a log line');
  });
});
