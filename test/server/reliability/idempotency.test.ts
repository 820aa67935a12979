// Idempotency keys on every state-changing /api route: required, remembered per operator, replayed, refused when
// reused for another request, and "still running" while the first request is in flight.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AddOperatorResultSchema } from '../../../src/contract/operators.ts';
import { ProblemSchema } from '../../../src/contract/problem.ts';
import { UserPageSchema } from '../../../src/contract/users.ts';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { clientFor, sessionCookieOf } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { SessionSchema } from '../../../src/contract/session.ts';
import { upstreamIdempotencyKey } from '../../../src/server/idempotency/idempotent-route.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import {
  UserAnswerSchema,
  eventually,
  expectExactlyOneInvitation,
  invite,
  inviteAudit,
  newKey,
} from './reliability-support.ts';

let stack: Stack;
let userId: string;
let pendingInvitationId: string;

beforeAll(async () => {
  stack = await startStack();
  const users = UserPageSchema.parse((await stack.api('GET', '/api/users?limit=100')).json()).users;
  const member = users.find((user) => user.level === 'member');
  if (!member) throw new Error('The seeded clinic has no member.');
  userId = member.userId;
  const invitations = InvitationPageSchema.parse(
    (await stack.api('GET', '/api/invitations?status=sent&expired=not-expired&limit=100')).json(),
  ).invitations;
  const pending = invitations[0];
  if (!pending) throw new Error('The seeded clinic has no pending invitation.');
  pendingInvitationId = pending.invitationId;
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

/** Every state-changing /api route of Avara's users API, with a body it accepts. */
const changes = () => [
  { method: 'POST' as const, path: '/api/users', body: newPerson() },
  { method: 'PATCH' as const, path: `/api/users/${userId}`, body: { suffix2: 'PhD' } },
  { method: 'POST' as const, path: `/api/users/${userId}/revoke-access`, body: {} },
  { method: 'POST' as const, path: `/api/users/${userId}/reactivate`, body: {} },
  { method: 'PATCH' as const, path: `/api/invitations/${pendingInvitationId}`, body: { suffix1: 'MD' } },
  { method: 'POST' as const, path: `/api/invitations/${pendingInvitationId}/revoke`, body: {} },
];

describe('the Idempotency-Key header', () => {
  it('is required on every change: missing or malformed → 400, nothing sent upstream', async () => {
    for (const change of changes()) {
      const bad: Record<string, string>[] = [
        {},
        { 'idempotency-key': '' },
        { 'idempotency-key': 'x'.repeat(256) },
        { 'idempotency-key': 'has space' },
      ];
      for (const headers of bad) {
        const answer = await stack.api(change.method, change.path, {
          body: change.body,
          headers,
          idempotencyKey: false,
        });
        const problem = expectProblem(answer, 400, 'validation');
        expect(problem.title).toMatch(/Idempotency-Key/);
      }
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('is not needed to sign in, sign out or read', async () => {
    expect((await stack.api('GET', '/api/users?limit=1')).status).toBe(200);
    expect((await stack.api('GET', '/api/session')).status).toBe(200);
    const second = await stack.signIn();
    expect((await second.delete('/api/session')).status).toBe(204);
  });

  it('reaches Avara with each change only as a key derived from the operator and the key', async () => {
    const operatorId = stack.client.session.operator.id;
    // Every kind of change; the invitation revoked is a new one (the tests below need the pending one).
    const invited = UserAnswerSchema.parse((await invite(stack.client, newPerson(), newKey())).json());
    const fresh = InvitationPageSchema.parse(
      (await stack.api('GET', `/api/invitations?userId=${invited.userId}`)).json(),
    ).invitations[0];
    if (!fresh) throw new Error('The new person has no invitation.');
    const all = changes().map((change) =>
      change.path.endsWith('/revoke')
        ? { ...change, path: `/api/invitations/${fresh.invitationId}/revoke` }
        : change,
    );
    for (const change of all) {
      await stack.clearUpstreamRequests();
      const key = newKey();
      const answer = await stack.api(change.method, change.path, {
        body: change.body,
        headers: { 'idempotency-key': key },
      });
      expect(answer.status, answer.text).toBeLessThan(300);
      const sent = (await stack.upstreamRequests()).filter((entry) => entry.method !== 'GET');
      expect(sent).toHaveLength(1);
      const derived = createHash('sha256').update(`${operatorId}\0${key}`).digest('hex');
      expect(upstreamIdempotencyKey(operatorId, key)).toBe(derived);
      expect(sent[0]?.headers['idempotency-key']).toBe(derived);
      // The browser's key itself goes nowhere upstream: no header, no body, no query.
      expect(JSON.stringify(await stack.upstreamRequests())).not.toContain(key);
    }
  });

  it('sends the same derived key again when the same change is retried', async () => {
    const operatorId = stack.client.session.operator.id;
    const change = { path: `/api/users/${userId}`, body: { suffix2: 'MD' } };
    // An unknown outcome (a 5xx after Avara acted), then a refusal that lets go of the key (429), then success.
    await stack.faults.add([
      { method: 'PATCH', status: 500, afterHandling: true },
      { method: 'PATCH', status: 429, retryAfter: '1' },
    ]);
    const key = newKey();
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      answers.push(
        await stack.api('PATCH', change.path, { body: change.body, headers: { 'idempotency-key': key } }),
      );
    }
    expect(answers.map((answer) => answer.status)).toEqual([502, 429, 200]);
    const sent = (await stack.upstreamRequests()).filter((entry) => entry.method === 'PATCH');
    expect(sent.map((entry) => entry.headers['idempotency-key'])).toEqual(
      Array(3).fill(upstreamIdempotencyKey(operatorId, key)),
    );
  });
});

describe('replay', () => {
  it('answers the same key and request from the record: no upstream call, no second audit record', async () => {
    const person = newPerson();
    const key = newKey();
    const first = await invite(stack.client, person, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    await stack.clearUpstreamRequests();

    // Key order and surrounding spaces do not make it another request: the contract parses both alike.
    const reordered = Object.fromEntries(
      Object.entries({ ...person, firstName: ` ${person.firstName} ` }).reverse(),
    );
    const again = await stack.client.post('/api/users', reordered, { headers: { 'idempotency-key': key } });
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await stack.upstreamRequests()).toEqual([]);
    expect(await inviteAudit(stack.client, person.email)).toHaveLength(1);
    await expectExactlyOneInvitation(stack, person.email);
  });

  it('replays each kind of change', async () => {
    for (const change of changes().slice(1)) {
      const key = newKey();
      const headers = { 'idempotency-key': key };
      const first = await stack.api(change.method, change.path, { body: change.body, headers });
      await stack.clearUpstreamRequests();
      const again = await stack.api(change.method, change.path, { body: change.body, headers });
      expect(again.status, `${change.method} ${change.path}`).toBe(first.status);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(JSON.parse(again.text)).toEqual(JSON.parse(first.text));
      expect(await stack.upstreamRequests()).toEqual([]);
    }
  });

  it('replays a definite refusal too (a duplicate email), with the request id of the replay', async () => {
    const person = newPerson();
    expect((await invite(stack.client, person, newKey())).status).toBe(201);
    const key = newKey();
    const refused = await invite(stack.client, person, key);
    expectProblem(refused, 409, 'duplicate-email');
    const again = await invite(stack.client, person, key);
    const problem = expectProblem(again, 409, 'duplicate-email');
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(problem.existingUserId).toBe(ProblemSchema.parse(refused.json()).existingUserId);
  });
});

describe('misuse of a key', () => {
  it('the same key with a different request → 422, nothing sent', async () => {
    const key = newKey();
    expect((await invite(stack.client, newPerson(), key)).status).toBe(201);
    await stack.clearUpstreamRequests();
    expectProblem(await invite(stack.client, newPerson(), key), 422, 'idempotency-key-reused');
    const patch = await stack.api('PATCH', `/api/users/${userId}`, {
      body: { suffix2: 'PhD' },
      headers: { 'idempotency-key': key },
    });
    expectProblem(patch, 422, 'idempotency-key-reused');
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('the same key while the first request runs → 409 with Retry-After: 1, then the replay', async () => {
    const person = newPerson();
    const key = newKey();
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 400 });
    const first = invite(stack.client, person, key);
    // The first request has reached Avara (and holds the key) once Avara has it.
    await eventually(async () => (await stack.upstreamRequests()).some((entry) => entry.method === 'POST'));
    const second = await invite(stack.client, person, key);
    const problem = expectProblem(second, 409, 'request-in-progress');
    expect(second.headers['retry-after']).toBe('1');
    expect(problem.retryAfter).toBe(1);
    expect((await first).status).toBe(201);
    const third = await invite(stack.client, person, key);
    expect(third.status).toBe(201);
    expect(third.headers['idempotency-replayed']).toBe('true');
    const posts = (await stack.upstreamRequests()).filter((entry) => entry.method === 'POST');
    expect(posts).toHaveLength(1);
    await expectExactlyOneInvitation(stack, person.email);
  });

  it('a request refused by validation is not stored: the key stays free for the corrected request', async () => {
    const person = newPerson();
    const key = newKey();
    expectProblem(await invite(stack.client, { ...person, email: 'not an email' }, key), 400, 'validation');
    expectProblem(
      await invite(stack.client, { ...person, level: 'admin', hasDashboardAccess: false }, key),
      400,
      'validation',
    );
    const corrected = await invite(stack.client, person, key);
    expect(corrected.status, corrected.text).toBe(201);
    expect(corrected.headers['idempotency-replayed']).toBeUndefined();
  });
});

describe('keys per operator', () => {
  async function secondOperator(): Promise<SignedInClient> {
    const added = AddOperatorResultSchema.parse(
      (
        await stack.api('POST', '/api/operators', {
          body: { email: `op-${newKey()}@clinic.test`, displayName: 'Second', role: 'inviter' },
        })
      ).json(),
    );
    const first = await stack.signIn({ email: added.operator.email, password: added.initialPassword });
    const changed = await first.post('/api/session/password', {
      currentPassword: added.initialPassword,
      newPassword: 'another correct horse battery staple',
    });
    expect(changed.status, changed.text).toBe(200);
    const cookie = sessionCookieOf(changed);
    if (!cookie) throw new Error('No new session cookie after the password change.');
    return clientFor(stack.bffUrl, cookie, SessionSchema.parse(changed.json()));
  }

  it("one operator's key means nothing to another, here or at Avara", async () => {
    const other = await secondOperator();
    const key = newKey();
    expect((await invite(stack.client, newPerson(), key)).status).toBe(201);
    const theirs = await invite(other, newPerson(), key);
    expect(theirs.status, theirs.text).toBe(201);
    expect(theirs.headers['idempotency-replayed']).toBeUndefined();
    const sent = (await stack.upstreamRequests()).filter((entry) => entry.method === 'POST');
    expect(sent.map((entry) => entry.headers['idempotency-key'])).toEqual([
      upstreamIdempotencyKey(stack.client.session.operator.id, key),
      upstreamIdempotencyKey(other.session.operator.id, key),
    ]);
    expect(new Set(sent.map((entry) => entry.headers['idempotency-key'])).size).toBe(2);
  });
});

describe('an email that is already in the clinic', () => {
  it('a new key for an existing person → 409 duplicate-email naming their userId', async () => {
    const person = newPerson();
    const created = UserAnswerSchema.parse((await invite(stack.client, person, newKey())).json());
    const again = await invite(stack.client, { ...newPerson(), email: person.email.toUpperCase() }, newKey());
    const problem = expectProblem(again, 409, 'duplicate-email');
    expect(problem.existingUserId).toBe(created.userId);
    expect(problem.errors?.[0]?.path).toBe('email');
    await expectExactlyOneInvitation(stack, person.email);
  });
});
