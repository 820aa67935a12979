import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import type { Invitation } from '../../src/contract/invitations.ts';
import { UserPageSchema, UserSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { ECHOED_KEY_TITLE } from '../../src/server/avara/problem-mapping.ts';
import { DATABASE_FILE } from '../../src/server/store/database.ts';
import { expectProblem } from '../support/http.ts';
import type { HttpAnswer } from '../support/http.ts';
import { expectNoKey, keyForms } from '../support/key-forms.ts';
import type { KeyForm } from '../support/key-forms.ts';
import { newPerson } from '../support/people.ts';
import { startStack } from '../support/stack.ts';
import type { FaultSpec, Stack } from '../support/stack.ts';
import { newKey } from './reliability/reliability-support.ts';

/**
 * Avara echoing the API key back, in every spelling (issue 13): in a success answer (in a field the browser shows, in
 * a field it does not, as an object key) and in an error answer (JSON or plain text, any status), on every route that
 * reads an answer from Avara, the readiness check and both e-mail look-ups of an invite included. Each answer is a 502
 * "Avara's answer could not be used" without the key, one log line names the call, a change's outcome is unknown
 * (its retry is clean), and the key is nowhere: not in an answer, the idempotency store, the audit trail or the log.
 */

const LogLineSchema = z.object({
  msg: z.string(),
  upstream: z.optional(z.object({ method: z.optional(z.string()), path: z.optional(z.string()) })),
});

const SECRET = randomBytes(16).toString('hex');
const KEY = `sk_canary_${SECRET}`;
const FORMS = keyForms(KEY);
const ERROR_STATUSES = [400, 401, 404, 409, 422, 429, 500, 503] as const;

let stack: Stack;
let db: Database.Database;
let user: User;
let invitation: Invitation;

beforeAll(async () => {
  stack = await startStack({ apiKey: KEY });
  db = new Database(join(stack.bffDataDir, DATABASE_FILE), { readonly: true });
  const users = UserPageSchema.parse((await stack.api('GET', '/api/users?limit=100')).json()).users;
  const member = users.find((candidate) => candidate.level === 'member');
  if (!member) throw new Error('The seeded clinic has no member.');
  user = member;
  const pending = InvitationPageSchema.parse(
    (await stack.api('GET', '/api/invitations?status=sent&expired=not-expired&limit=1')).json(),
  ).invitations[0];
  if (!pending) throw new Error('The seeded clinic has no pending invitation.');
  invitation = pending;
}, 60_000);
afterAll(async () => {
  db.close();
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

/** A JSON text of `value` with `literal` (raw JSON) in place of the string PLACE. */
const PLACE = '@@key@@';
function withLiteral(value: unknown, literal: string): string {
  const text = JSON.stringify(value);
  expect(text).toContain(`"${PLACE}"`);
  return text.replace(`"${PLACE}"`, () => literal);
}

type Placement = 'shown' | 'unknown field' | 'object key';

function userBody(literal: string, placement: Placement): string {
  if (placement === 'shown') return withLiteral({ ...user, firstName: PLACE }, literal);
  if (placement === 'unknown field') return withLiteral({ ...user, note: PLACE }, literal);
  return withLiteral({ ...user, extra: [{ [PLACE]: true }] }, literal);
}
function pageBody(literal: string, placement: Placement): string {
  if (placement === 'shown') return withLiteral({ users: [user], cursor: PLACE, hasMore: true }, literal);
  if (placement === 'unknown field')
    return withLiteral({ users: [user], hasMore: false, debug: PLACE }, literal);
  return withLiteral({ users: [{ ...user, meta: { [PLACE]: 1 } }], hasMore: false }, literal);
}
function invitationPageBody(literal: string, placement: Placement): string {
  if (placement === 'shown')
    return withLiteral({ invitations: [invitation], cursor: PLACE, hasMore: true }, literal);
  if (placement === 'unknown field')
    return withLiteral({ invitations: [invitation], hasMore: false, debug: PLACE }, literal);
  return withLiteral({ invitations: [{ ...invitation, meta: { [PLACE]: 1 } }], hasMore: false }, literal);
}
function invitationBody(literal: string, placement: Placement): string {
  if (placement === 'shown') return withLiteral({ ...invitation, lastName: PLACE }, literal);
  if (placement === 'unknown field') return withLiteral({ ...invitation, note: PLACE }, literal);
  return withLiteral({ ...invitation, [PLACE]: null }, literal);
}
function actionBody(literal: string, placement: Placement): string {
  if (placement === 'shown') return withLiteral({ success: true, message: PLACE }, literal);
  if (placement === 'unknown field') return withLiteral({ success: true, trace: [PLACE] }, literal);
  return withLiteral({ success: true, [PLACE]: 'x' }, literal);
}

interface Route {
  name: string;
  /** The upstream call whose answer is poisoned. */
  upstream: () => { method: string; path: string };
  /** An edit reads the record first (the admin rule, and the audit's "before"). */
  readsFirst?: () => { method: string; path: string };
  /** The request to the BFF (a change carries `key` as its Idempotency-Key). */
  send: (key: string) => Promise<HttpAnswer>;
  write: boolean;
  /** A success answer (status and JSON body) holding the literal. */
  success: (literal: string, placement: Placement) => { status: number; body: string };
}

const change = (method: Dispatcher.HttpMethod, path: () => string, body: () => unknown) => (key: string) =>
  stack.api(method, path(), { body: body(), headers: { 'idempotency-key': key } });

const ROUTES: Route[] = [
  {
    name: 'list users',
    upstream: () => ({ method: 'GET', path: '/v1/viewer/users' }),
    send: () => stack.api('GET', '/api/users?limit=2'),
    write: false,
    success: (literal, placement) => ({ status: 200, body: pageBody(literal, placement) }),
  },
  {
    name: 'get user',
    upstream: () => ({ method: 'GET', path: `/v1/viewer/users/${user.userId}` }),
    send: () => stack.api('GET', `/api/users/${user.userId}`),
    write: false,
    success: (literal, placement) => ({ status: 200, body: userBody(literal, placement) }),
  },
  {
    name: 'invite',
    upstream: () => ({ method: 'POST', path: '/v1/viewer/users' }),
    send: change(
      'POST',
      () => '/api/users',
      () => newPerson(),
    ),
    write: true,
    success: (literal, placement) => ({ status: 201, body: userBody(literal, placement) }),
  },
  {
    name: 'update user',
    upstream: () => ({ method: 'PATCH', path: `/v1/viewer/users/${user.userId}` }),
    readsFirst: () => ({ method: 'GET', path: `/v1/viewer/users/${user.userId}` }),
    send: change(
      'PATCH',
      () => `/api/users/${user.userId}`,
      () => ({ suffix2: 'PhD' }),
    ),
    write: true,
    success: (literal, placement) => ({ status: 200, body: userBody(literal, placement) }),
  },
  {
    name: 'revoke access',
    upstream: () => ({ method: 'POST', path: '/v1/viewer/users/revoke-access' }),
    send: change(
      'POST',
      () => `/api/users/${user.userId}/revoke-access`,
      () => ({}),
    ),
    write: true,
    success: (literal, placement) => ({ status: 200, body: actionBody(literal, placement) }),
  },
  {
    name: 'reactivate',
    upstream: () => ({ method: 'POST', path: '/v1/viewer/users/reactivate' }),
    send: change(
      'POST',
      () => `/api/users/${user.userId}/reactivate`,
      () => ({}),
    ),
    write: true,
    success: (literal, placement) => ({ status: 200, body: actionBody(literal, placement) }),
  },
  {
    name: 'list invitations',
    upstream: () => ({ method: 'GET', path: '/v1/viewer/users/invitations' }),
    send: () => stack.api('GET', '/api/invitations?status=sent'),
    write: false,
    success: (literal, placement) => ({ status: 200, body: invitationPageBody(literal, placement) }),
  },
  {
    name: 'get invitation',
    upstream: () => ({ method: 'GET', path: `/v1/viewer/users/invitations/${invitation.invitationId}` }),
    send: () => stack.api('GET', `/api/invitations/${invitation.invitationId}`),
    write: false,
    success: (literal, placement) => ({ status: 200, body: invitationBody(literal, placement) }),
  },
  {
    name: 'update invitation',
    upstream: () => ({ method: 'PATCH', path: `/v1/viewer/users/invitations/${invitation.invitationId}` }),
    readsFirst: () => ({ method: 'GET', path: `/v1/viewer/users/invitations/${invitation.invitationId}` }),
    send: change(
      'PATCH',
      () => `/api/invitations/${invitation.invitationId}`,
      () => ({ suffix1: 'MD' }),
    ),
    write: true,
    success: (literal, placement) => ({ status: 200, body: invitationBody(literal, placement) }),
  },
  {
    name: 'revoke invitation',
    upstream: () => ({ method: 'POST', path: '/v1/viewer/users/invitations/revoke' }),
    send: change(
      'POST',
      () => `/api/invitations/${invitation.invitationId}/revoke`,
      () => ({}),
    ),
    write: true,
    success: (literal, placement) => ({ status: 200, body: actionBody(literal, placement) }),
  },
];

/** An error answer holding the key: JSON with the key in its message and a field error, or plain text. */
function errorFault(form: KeyForm, index: number): Omit<FaultSpec, 'method' | 'path'> {
  const status = ERROR_STATUSES[index % ERROR_STATUSES.length] ?? 500;
  if (index % 3 === 2) return { status, body: `Upstream trouble: ${form.text}` };
  return {
    status,
    body: `{"message":${form.literal},"code":"bad","errors":[{"path":"email","message":${form.literal}}]}`,
  };
}

/** The variants each form is sent in: success in a field the browser would show, and an error; more for some. */
function variants(form: KeyForm, index: number, route: Route) {
  const upstream = route.upstream();
  const list: { name: string; fault: FaultSpec }[] = [
    {
      name: 'success, in a shown field',
      // For a change, Avara really acts first: the answer is all that goes wrong.
      fault: { ...upstream, ...route.success(form.literal, 'shown'), afterHandling: route.write },
    },
    { name: `error ${errorFault(form, index).status}`, fault: { ...upstream, ...errorFault(form, index) } },
  ];
  if (index % 4 === 0) {
    for (const placement of ['unknown field', 'object key'] as const) {
      list.push({
        name: `success, as ${placement}`,
        fault: { ...upstream, ...route.success(form.literal, placement), afterHandling: route.write },
      });
    }
  }
  return list;
}

/** The log lines written since `from`: exactly one names the upstream call; none holds the key. */
function expectOneLogLine(from: number, upstream: { method: string; path: string }) {
  const lines = stack.logs.lines().slice(from);
  for (const line of lines) expectNoKey(line, SECRET, 'a log line');
  const named = lines
    .map((line) => LogLineSchema.parse(JSON.parse(line)))
    .filter(
      (entry) =>
        entry.upstream?.method === upstream.method &&
        entry.upstream.path === upstream.path &&
        /API key/.test(entry.msg),
    );
  expect(named).toHaveLength(1);
}

function expectEchoProblem(answer: HttpAnswer, label: string) {
  expectNoKey(`${answer.text}\n${JSON.stringify(answer.headers)}`, SECRET, label);
  const problem = expectProblem(answer, 502, 'upstream-invalid-response');
  expect(problem.title).toBe(ECHOED_KEY_TITLE);
  return problem;
}

/** The idempotency record of this operator's key: unknown, with nothing stored. */
function expectUnknownOutcome(key: string) {
  const row: unknown = db
    .prepare('SELECT state, response_status, response_body FROM idempotency_keys WHERE idempotency_key = ?')
    .get(key);
  expect(row).toEqual({ state: 'unknown', response_status: null, response_body: null });
}

describe.each(ROUTES)('$name', (route) => {
  it.each(FORMS.map((form, index) => ({ ...form, index })))(
    'an answer with the key $name is not used',
    async (form) => {
      for (const variant of variants(form, form.index, route)) {
        const label = `${route.name}: ${form.name}, ${variant.name}`;
        await stack.faults.clear();
        await stack.clearUpstreamRequests();
        const from = stack.logs.lines().length;
        await stack.faults.add(variant.fault);
        const key = newKey();
        const answer = await route.send(key);
        const problem = expectEchoProblem(answer, label);
        expect(problem.detail).toMatch(/API key/);
        expectOneLogLine(from, route.upstream());
        // Not retried, even a read: the same answer would only come back.
        const sent = (await stack.upstreamRequests()).map((r) => ({ method: r.method, path: r.path }));
        expect(sent, label).toEqual([...(route.readsFirst ? [route.readsFirst()] : []), route.upstream()]);
        if (route.write) {
          expectUnknownOutcome(key);
          // The same change again: checked afresh (Avara may have acted), never answered from a stored copy.
          const again = await route.send(key);
          expectNoKey(again.text, SECRET, `${label}, retried`);
          expect(again.status, `${label}, retried: ${again.text}`).toBeLessThan(500);
          expect(again.headers['idempotency-replayed']).toBeUndefined();
        }
      }
    },
  );
});

describe('the readiness check', () => {
  it.each(FORMS.map((form, index) => ({ ...form, index })))(
    'with the key $name in its answer reports Avara as failing, without the key',
    async (form) => {
      expect((await stack.api('GET', '/readyz')).status).toBe(200);
      for (const fault of [
        { method: 'GET', path: '/v1/viewer/users', status: 200, body: pageBody(form.literal, 'shown') },
        { method: 'GET', path: '/v1/viewer/users', ...errorFault(form, form.index) },
      ]) {
        await stack.faults.add(fault);
        const from = stack.logs.lines().length;
        const answer = await stack.api('GET', '/readyz');
        expectNoKey(answer.text, SECRET, 'readyz');
        expect(answer.status).toBe(503);
        expect(answer.json()).toMatchObject({
          status: 'unavailable',
          checks: { upstream: { status: 'fail' } },
        });
        expectOneLogLine(from, { method: 'GET', path: '/v1/viewer/users' });
      }
    },
  );
});

describe('the e-mail look-ups of an invite', () => {
  it.each(FORMS.map((form, index) => ({ ...form, index })))(
    'a retried invite whose look-up answers with the key $name: 502, then a clean retry',
    async (form) => {
      for (const lookup of [
        { status: 200, body: pageBody(form.literal, 'shown') },
        errorFault(form, form.index),
      ]) {
        const person = newPerson();
        const key = newKey();
        const send = () =>
          stack.api('POST', '/api/users', { body: person, headers: { 'idempotency-key': key } });
        // 1. Avara invites them, but its answer is lost: the outcome is unknown.
        await stack.faults.add({
          method: 'POST',
          path: '/v1/viewer/users',
          status: 500,
          afterHandling: true,
        });
        expectProblem(await send(), 502, 'upstream-unavailable');
        // 2. The retry looks the e-mail up first, and that answer holds the key.
        await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', ...lookup });
        const from = stack.logs.lines().length;
        expectEchoProblem(await send(), `recovery look-up, ${form.name}`);
        expectOneLogLine(from, { method: 'GET', path: '/v1/viewer/users' });
        expectUnknownOutcome(key);
        // 3. Once Avara answers cleanly, the retry finds the person the first attempt invited.
        const settled = await send();
        expect(settled.status, settled.text).toBe(201);
        expect(UserSchema.parse(settled.json()).email).toBe(person.email.toLowerCase());
        expectNoKey(settled.text, SECRET, 'settled invite');
      }
    },
  );

  it.each(FORMS.map((form, index) => ({ ...form, index })))(
    'naming who already has an e-mail, when that look-up answers with the key $name: 502',
    async (form) => {
      const key = newKey();
      const body = newPerson({ email: user.email });
      const send = () => stack.api('POST', '/api/users', { body, headers: { 'idempotency-key': key } });
      await stack.faults.add({
        method: 'GET',
        path: '/v1/viewer/users',
        status: 200,
        body: pageBody(form.literal, form.index % 2 === 0 ? 'shown' : 'unknown field'),
      });
      const from = stack.logs.lines().length;
      expectEchoProblem(await send(), `duplicate look-up, ${form.name}`);
      expectOneLogLine(from, { method: 'GET', path: '/v1/viewer/users' });
      expectUnknownOutcome(key);
      const again = await send();
      expect(expectProblem(again, 409, 'duplicate-email').existingUserId).toBe(user.userId);
    },
  );
});

describe('after all that', () => {
  it('the key is nowhere in the database: not in the idempotency store, the audit trail or anything else', () => {
    const tables = z
      .array(z.object({ name: z.string() }))
      .parse(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all())
      .map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['idempotency_keys', 'audit_log']));
    for (const table of tables) {
      const rows = db.prepare(`SELECT * FROM "${table}"`).all();
      expectNoKey(JSON.stringify(rows), SECRET, `table ${table}`);
    }
  });

  it('the audit trail records each poisoned change as a failure, in its own words', async () => {
    const page = await stack.api('GET', '/api/audit?action=user.update&limit=5');
    expectNoKey(page.text, SECRET, 'the audit trail');
    expect(page.text).toContain(`${ECHOED_KEY_TITLE} (echoed-key)`);
    const csv = await stack.api('GET', '/api/audit.csv');
    expect(csv.status).toBe(200);
    expectNoKey(csv.text, SECRET, 'the audit CSV');
  });

  it('the key is in no log line, in any spelling', () => {
    expect(stack.logs.lines().length).toBeGreaterThan(100);
    for (const line of stack.logs.lines()) expectNoKey(line, SECRET, 'a log line');
  });
});
