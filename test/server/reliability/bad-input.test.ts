// Bad input, property-based (fast-check): every /api route (enumerated with Fastify's onRoute hook, so a route added
// later is covered or this test fails) gets random and hostile JSON bodies, raw texts, content types, ids and query
// strings. The answer is always a 4xx problem details, never a 5xx; nothing reaches Avara; the server keeps serving.
import fc from 'fast-check';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  CreateBulkInviteInputSchema,
  InviteCheckInputSchema,
  RetryRowInputSchema,
} from '../../../src/contract/bulk.ts';
import { AddOperatorInputSchema, ChangeOperatorRoleInputSchema } from '../../../src/contract/operators.ts';
import { InvitationIdSchema, UserIdSchema } from '../../../src/contract/ids.ts';
import { ProblemSchema } from '../../../src/contract/problem.ts';
import {
  ChangePasswordInputSchema,
  OperatorIdSchema,
  SignInInputSchema,
} from '../../../src/contract/session.ts';
import { InviteUserInputSchema, UpdateUserInputSchema } from '../../../src/contract/users.ts';
import { EmptyBodySchema } from '../../../src/server/routes/route-helpers.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { newKey } from './reliability-support.ts';

const RUNS = 40;

interface Route {
  method: Dispatcher.HttpMethod;
  url: string;
}
const routes: Route[] = [];
let stack: Stack;

/** What each route that reads a body accepts: a generated body this schema accepts is not bad input. */
const BODY_SCHEMAS: Record<string, z.ZodMiniType> = {
  'POST /api/users': InviteUserInputSchema,
  'PATCH /api/users/:userId': UpdateUserInputSchema,
  'POST /api/users/:userId/revoke-access': EmptyBodySchema,
  'POST /api/users/:userId/reactivate': EmptyBodySchema,
  'PATCH /api/invitations/:invitationId': UpdateUserInputSchema,
  'POST /api/invitations/:invitationId/revoke': EmptyBodySchema,
  'POST /api/session': SignInInputSchema,
  'DELETE /api/session': EmptyBodySchema,
  'POST /api/session/password': ChangePasswordInputSchema,
  'POST /api/operators': AddOperatorInputSchema,
  'POST /api/operators/:id/disable': EmptyBodySchema,
  'POST /api/operators/:id/enable': EmptyBodySchema,
  'POST /api/operators/:id/reset-password': EmptyBodySchema,
  'POST /api/operators/:id/role': ChangeOperatorRoleInputSchema,
  'POST /api/invites/check': InviteCheckInputSchema,
  'POST /api/bulk-invites': CreateBulkInviteInputSchema,
  'POST /api/bulk-invites/:batchId/cancel': EmptyBodySchema,
  'POST /api/bulk-invites/:batchId/rows/:index/retry': RetryRowInputSchema,
  'POST /api/directory/refresh': EmptyBodySchema,
};

/** Ids that exist, so that only the input under test can be what is wrong. */
const VALID_IDS: Record<string, string> = {
  userId: `usr_${'a'.repeat(32)}`,
  invitationId: `inv_${'b'.repeat(32)}`,
  id: `opr_${'c'.repeat(32)}`,
  batchId: `bat_${'e'.repeat(32)}`,
  index: '0',
};

const withIds = (url: string, ids: Record<string, string> = VALID_IDS) =>
  url.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(ids[name] ?? 'x'));
const key = (route: Route) => `${route.method} ${route.url}`;
const takesBody = (route: Route) => route.method !== 'GET' && route.method !== 'HEAD';

beforeAll(async () => {
  stack = await startStack({
    onRoute: (route) => {
      // The gated context's answer for unknown /api addresses (any method) is not a route that takes input.
      if (!route.url.startsWith('/api/') || route.url === '/api/*') return;
      for (const method of [route.method].flat()) {
        if (
          method === 'HEAD' ||
          method === 'GET' ||
          method === 'POST' ||
          method === 'PATCH' ||
          method === 'DELETE' ||
          method === 'PUT'
        ) {
          routes.push({ method, url: route.url });
        } else throw new Error(`A route with an unexpected method: ${method} ${route.url}`);
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

/** A 4xx problem details answer (never 5xx), and Avara saw nothing. */
function expectRefused(answer: HttpAnswer, what: string): void {
  expect(answer.status, `${what} → ${answer.status} ${answer.text.slice(0, 300)}`).toBeGreaterThanOrEqual(
    400,
  );
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  // A HEAD answer has no body to read.
  if (!what.startsWith('HEAD ')) ProblemSchema.parse(JSON.parse(answer.text));
}

async function expectNothingUpstream(): Promise<void> {
  expect(await stack.upstreamRequests()).toEqual([]);
}

/** A body each change accepts, so only its key can be what is wrong. */
function validChange(route: Route): unknown {
  if (route.method === 'PATCH') return { suffix1: 'MD' };
  if (route.url === '/api/users') return newPerson();
  if (route.url === '/api/bulk-invites') {
    const person = newPerson();
    return { columns: ['E-mail'], rows: [{ line: 2, cells: [person.email], invite: person }] };
  }
  if (route.url.endsWith('/retry')) return { invite: newPerson() };
  return {};
}

/** Headers of a change: a fresh Idempotency-Key each time (so only the input under test can be wrong). */
const changeHeaders = () => ({ 'idempotency-key': newKey() });

// ---- Generators -------------------------------------------------------------------------------------------------

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  ' email',
  'EMAIL',
  'email\u0000',
  'e\u0301mail',
  '$where',
  '../email',
];
const FIELD_NAMES = [
  ...Object.keys(InviteUserInputSchema.shape),
  'userId',
  'invitationId',
  'password',
  'currentPassword',
  'newPassword',
  'displayName',
];

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\u202eevil',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '${jndi:ldap://x/a}',
    '../../etc/passwd',
    'true',
    'null',
    'admin',
    'owner',
    `usr_${'f'.repeat(32)}`,
    'x'.repeat(5_000),
    'a@b.c'.repeat(1_000),
  ),
);
/** Only text that can be put in a URL or a header (no lone surrogates). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const hostileString = anyString.filter((text) => !LONE_SURROGATE.test(text));

const { hostile } = fc.letrec<{ hostile: unknown }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('hostile'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS, ...FIELD_NAMES), fc.string()), tie('hostile'), {
      maxKeys: 6,
    }),
  ),
}));

/** Objects with the real field names (and some hostile ones) holding values of the wrong type or shape. */
const wrongTyped = fc.dictionary(fc.constantFrom(...FIELD_NAMES, ...HOSTILE_KEYS), hostile, {
  minKeys: 1,
  maxKeys: 8,
});

/** A valid invite with one field replaced by something hostile (the closest a bad request gets to a good one). */
const almostValid = fc
  .tuple(fc.constantFrom(...Object.keys(InviteUserInputSchema.shape)), hostile)
  .map(([field, value]) => ({ ...newPerson(), [field]: value }));

const jsonBody = fc.oneof(hostile, wrongTyped, almostValid);

const nested = (depth: number, open: string, close: string, core: string) =>
  `${open.repeat(depth)}${core}${close.repeat(depth)}`;

/** Raw texts sent as application/json: not JSON, odd JSON, duplicate keys, deep nesting, too large. */
const rawBody = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":}',
    "{'email':'a@b.c'}",
    'NaN',
    'undefined',
    '\u0000',
    '\ufeff{"a":1}',
    '{"a":1}{"b":2}',
    '[1,2,]',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    `{"email":"a@clinic.example","email":"b@clinic.example"}`,
    `${JSON.stringify(newPerson()).slice(0, -1)},"level":"admin"}`,
    JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
  ),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => nested(depth, '[', ']', '1')),
  fc.integer({ min: 100, max: 10_000 }).map((depth) => nested(depth, '{"a":', '}', '1')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // Numbers as strings and duplicate keys in an otherwise valid invite.
  fc.constantFrom('canManageStudies', 'hasDashboardAccess').map((field) => {
    const text = JSON.stringify(newPerson());
    return `${text.slice(0, -1)},"${field}":"true"}`;
  }),
);

const badContentType = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/json-patch+json',
  'text/json',
  '',
);

const hostileId = fc
  .oneof(
    hostileString,
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      'usr_',
      `usr_${'A'.repeat(32)}`,
      `usr_${'g'.repeat(32)}`,
      `inv_${'0'.repeat(31)}`,
      `usr_${'0'.repeat(33)}`,
    ),
  )
  .filter((id) => id !== '' && !Object.values(VALID_IDS).includes(id));

/** Query strings: repeated keys, hostile keys and values; always with at least one parameter. */
const hostileQuery = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'cursor',
          'email',
          'level',
          'status',
          'expired',
          'invitedSource',
          'from',
          'to',
          'action',
          'operatorId',
          ...HOSTILE_KEYS,
        ),
        fc.string(),
      ),
      hostileString,
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((pairs) =>
    pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'),
  );

// ---- Properties ------------------------------------------------------------------------------------------------

describe('bad input on every /api route', () => {
  it('knows every route that takes a body', () => {
    expect(routes.length).toBeGreaterThan(15);
    const bodyRoutes = routes.filter(takesBody).map(key);
    expect(bodyRoutes.sort()).toEqual(Object.keys(BODY_SCHEMAS).sort());
  });

  it('random and hostile JSON bodies: 4xx problem details, nothing upstream', async () => {
    for (const route of routes.filter(takesBody)) {
      const schema = BODY_SCHEMAS[key(route)];
      if (!schema) throw new Error(`No body schema for ${key(route)}`);
      await fc.assert(
        fc.asyncProperty(jsonBody, async (body) => {
          fc.pre(!schema.safeParse(body).success);
          const answer = await stack.api(route.method, withIds(route.url), {
            rawBody: JSON.stringify(body) ?? 'null',
            headers: { 'content-type': 'application/json', ...changeHeaders() },
          });
          expectRefused(answer, `${key(route)} ${JSON.stringify(body)?.slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
    }
    await expectNothingUpstream();
  });

  it('raw texts (invalid JSON, duplicate keys, deep nesting, oversized, numbers as strings): 4xx, nothing upstream', async () => {
    for (const route of routes.filter(takesBody)) {
      await fc.assert(
        fc.asyncProperty(rawBody, async (text) => {
          // An empty text is "no body", which the action routes rightly accept.
          const schema = BODY_SCHEMAS[key(route)];
          fc.pre(!(text.trim() === '' && schema?.safeParse(undefined).success === true));
          const answer = await stack.api(route.method, withIds(route.url), {
            rawBody: text,
            headers: { 'content-type': 'application/json', ...changeHeaders() },
          });
          expectRefused(answer, `${key(route)} ${text.slice(0, 120)}`);
          expect(
            await stack.upstreamRequests(),
            `${key(route)} ${JSON.stringify(text).slice(0, 120)}`,
          ).toEqual([]);
        }),
        { numRuns: 15 },
      );
    }
    await expectNothingUpstream();
  });

  it('an empty body where one is required, and wrong content types: 4xx, nothing upstream', async () => {
    for (const route of routes.filter(takesBody)) {
      const schema = BODY_SCHEMAS[key(route)];
      if (schema && !schema.safeParse(undefined).success) {
        for (const rawBody of ['', '   ']) {
          const answer = await stack.api(route.method, withIds(route.url), {
            rawBody,
            headers: { 'content-type': 'application/json', ...changeHeaders() },
          });
          expectRefused(answer, `${key(route)} empty body`);
        }
      }
      await fc.assert(
        fc.asyncProperty(
          badContentType,
          fc.constantFrom(JSON.stringify(newPerson()), '{}', 'a=b'),
          async (type, text) => {
            const answer = await stack.api(route.method, withIds(route.url), {
              rawBody: text,
              headers: { 'content-type': type, ...changeHeaders() },
            });
            expectRefused(answer, `${key(route)} as ${type}`);
            if (type !== '') expect(answer.status).toBe(415);
          },
        ),
        { numRuns: 10 },
      );
    }
    await expectNothingUpstream();
  });

  it('hostile ids in the path: 4xx, nothing upstream', async () => {
    for (const route of routes.filter((r) => r.url.includes(':'))) {
      const schema = BODY_SCHEMAS[key(route)];
      const body =
        route.url.startsWith('/api/operators') || schema === EmptyBodySchema ? {} : { suffix1: 'MD' };
      await fc.assert(
        fc.asyncProperty(hostileId, async (id) => {
          // A well-formed id is not bad input (the constant list holds one on purpose, to prove this filter works).
          fc.pre(
            ![UserIdSchema, InvitationIdSchema, OperatorIdSchema].some(
              (schema) => schema.safeParse(id).success,
            ),
          );
          const ids = Object.fromEntries(Object.keys(VALID_IDS).map((name) => [name, id]));
          const answer = await stack.api(route.method, withIds(route.url, ids), {
            ...(takesBody(route) ? { body, headers: changeHeaders() } : {}),
          });
          expectRefused(answer, `${key(route)} id ${JSON.stringify(id).slice(0, 100)}`);
        }),
        { numRuns: RUNS },
      );
    }
    await expectNothingUpstream();
  });

  it('hostile query strings: 4xx, nothing upstream', async () => {
    const listed = new Set([
      'GET /api/users',
      'GET /api/invitations',
      'GET /api/audit',
      'GET /api/audit.csv',
      'GET /api/bulk-invites/:batchId',
      'GET /api/directory/people',
      'GET /api/directory/invitations',
    ]);
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(hostileQuery, async (query) => {
          // Lists: an unknown parameter is always added, so the query is refused whatever else it holds.
          const full = listed.has(key(route)) || route.method === 'HEAD' ? `${query}&zz_unknown=1` : query;
          const answer = await stack.api(route.method, `${withIds(route.url)}?${full}`, {
            ...(takesBody(route) ? { body: {}, headers: changeHeaders() } : {}),
          });
          expectRefused(answer, `${key(route)}?${full.slice(0, 200)}`);
        }),
        { numRuns: 15 },
      );
    }
    await expectNothingUpstream();
  });

  it('hostile Idempotency-Key headers on changes: 400, nothing upstream', async () => {
    // The check of e-mail addresses changes nothing: it takes no key.
    const changes = routes.filter(
      (route) =>
        takesBody(route) &&
        !route.url.startsWith('/api/session') &&
        !route.url.startsWith('/api/operators') &&
        route.url !== '/api/invites/check' &&
        route.url !== '/api/directory/refresh',
    );
    expect(changes).toHaveLength(9);
    const badKey = fc.oneof(
      fc.constant(''),
      fc.string({ minLength: 256, maxLength: 400 }),
      // Whatever HTTP would trim to a valid key (surrounding spaces) is not a bad key.
      fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
        .filter((s) => !/^[\x21-\x7e]{1,255}$/.test(s.trim())),
    );
    for (const route of changes) {
      const body = validChange(route);
      await fc.assert(
        fc.asyncProperty(badKey, async (idempotencyKey) => {
          const answer = await stack
            .api(route.method, withIds(route.url), {
              body,
              headers: { 'idempotency-key': idempotencyKey },
            })
            .catch((error: unknown) => {
              // Some strings cannot be sent as a header at all: the client refuses them, which is fine.
              if (error instanceof Error && /header/i.test(error.message)) return undefined;
              throw error;
            });
          if (answer)
            expectRefused(answer, `${key(route)} key ${JSON.stringify(idempotencyKey).slice(0, 80)}`);
        }),
        { numRuns: 20 },
      );
    }
    await expectNothingUpstream();
  });

  it('keeps serving afterwards', async () => {
    expect((await stack.api('GET', '/api/users?limit=5')).status).toBe(200);
    expect((await stack.api('GET', '/api/session')).status).toBe(200);
  });
});
