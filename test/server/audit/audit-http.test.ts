import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { AddOperatorResultSchema } from '../../../src/contract/operators.ts';
import { UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { openSqliteStore } from '../../../src/server/store/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { expectProblem, http } from '../../support/http.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { CSRF_HEADERS, TEST_OPERATOR, signIn } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** The audit trail over HTTP: one record per action, written before the upstream call, and refusal when it cannot be. */

let stack: Stack;
let store: Store;
let auditFails = false;

beforeAll(async () => {
  const real = openSqliteStore(':memory:');
  // The real store, except that the audit log can be made to fail on demand (a full disk, a locked file...).
  store = {
    ...real,
    audit: {
      ...real.audit,
      append: (entry) =>
        auditFails
          ? Promise.reject(new Error('SQLITE_FULL: database or disk is full'))
          : real.audit.append(entry),
    },
  };
  stack = await startStack({ store });
});
afterAll(async () => {
  await stack.close();
  await store.close();
});
beforeEach(async () => {
  auditFails = false;
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

/** A change to a user or invitation, as the app sends it: with a fresh Idempotency-Key. */
function change(method: 'POST' | 'PATCH', path: string, body: unknown) {
  return stack.api(method, path, { body, headers: { 'idempotency-key': randomUUID() } });
}

async function latest(query = ''): Promise<AuditRecord[]> {
  const answer = await stack.api('GET', `/api/audit${query}`);
  expect(answer.status, answer.text).toBe(200);
  return AuditPageSchema.parse(answer.json()).records;
}

async function invite(): Promise<{ user: User; requestId: string }> {
  const answer = await change('POST', '/api/users', newPerson());
  expect(answer.status, answer.text).toBe(201);
  return { user: UserSchema.parse(answer.json()), requestId: answer.headers['x-request-id'] ?? '' };
}

const me = () => ({ operatorId: stack.client.session.operator.id, operatorEmail: TEST_OPERATOR.email });

describe('one record per action', () => {
  it('invite: who, whom (email and the new userId), request id, outcome and upstream status', async () => {
    const { user, requestId } = await invite();
    const [record] = await latest();
    expect(record).toMatchObject({
      ...me(),
      action: 'user.invite',
      targetEmail: user.email,
      targetUserId: user.userId,
      requestId,
      outcome: 'success',
      upstreamStatus: 200,
    });
    expect(Date.parse(record?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('user edit, revoke access and reactivate', async () => {
    const { user } = await invite();
    expect((await change('PATCH', `/api/users/${user.userId}`, { firstName: 'Changed' })).status).toBe(200);
    expect((await change('POST', `/api/users/${user.userId}/revoke-access`, {})).status).toBe(200);
    expect((await change('POST', `/api/users/${user.userId}/reactivate`, {})).status).toBe(200);
    const records = (await latest()).slice(0, 3);
    expect(records.map((r) => [r.action, r.targetUserId, r.outcome, r.upstreamStatus])).toEqual([
      ['user.reactivate', user.userId, 'success', 200],
      ['user.revoke-access', user.userId, 'success', 200],
      ['user.update', user.userId, 'success', 200],
    ]);
  });

  it('invitation edit and revoke', async () => {
    const { user } = await invite();
    const page = InvitationPageSchema.parse(
      (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
    );
    const invitationId = page.invitations[0]?.invitationId ?? '';
    expect((await change('PATCH', `/api/invitations/${invitationId}`, { lastName: 'Bird' })).status).toBe(
      200,
    );
    expect((await change('POST', `/api/invitations/${invitationId}/revoke`, {})).status).toBe(200);
    const [revoke, edit] = await latest();
    expect(revoke).toMatchObject({
      action: 'invitation.revoke',
      targetInvitationId: invitationId,
      outcome: 'success',
    });
    expect(edit).toMatchObject({
      action: 'invitation.update',
      targetInvitationId: invitationId,
      targetUserId: user.userId,
      outcome: 'success',
    });
  });

  it('sign-in (success and failure), password change, sign-out', async () => {
    const failed = await http(stack.bffUrl, 'POST', '/api/session', {
      body: { email: TEST_OPERATOR.email, password: 'not the password' },
      headers: { ...CSRF_HEADERS },
    });
    expect(failed.status).toBe(401);
    const client = await stack.signIn();
    await client.delete('/api/session');
    const [signOut, signInOk, signInFailed] = await latest('?limit=3');
    expect(signInFailed).toMatchObject({
      ...me(),
      action: 'session.sign-in',
      outcome: 'failure',
      detail: 'Wrong password.',
    });
    expect(signInOk).toMatchObject({ ...me(), action: 'session.sign-in', outcome: 'success' });
    expect(signOut).toMatchObject({ ...me(), action: 'session.sign-out', outcome: 'success' });
  });

  it('operator add, disable, enable and their password change', async () => {
    const added = await stack.api('POST', '/api/operators', {
      body: { email: 'audited@clinic.test', displayName: 'Audited' },
    });
    const { operator, initialPassword } = AddOperatorResultSchema.parse(added.json());
    await stack.api('POST', `/api/operators/${operator.id}/disable`, { body: {} });
    await stack.api('POST', `/api/operators/${operator.id}/enable`, { body: {} });
    const other = await signIn(stack.bffUrl, { email: 'audited@clinic.test', password: initialPassword });
    await other.post('/api/session/password', {
      currentPassword: initialPassword,
      newPassword: 'audited own password',
    });
    const records = (await latest('?limit=5')).reverse();
    expect(records.map((r) => [r.action, r.operatorEmail, r.targetOperatorId, r.outcome])).toEqual([
      ['operator.add', TEST_OPERATOR.email, operator.id, 'success'],
      ['operator.disable', TEST_OPERATOR.email, operator.id, 'success'],
      ['operator.enable', TEST_OPERATOR.email, operator.id, 'success'],
      ['session.sign-in', 'audited@clinic.test', null, 'success'],
      ['session.password-change', 'audited@clinic.test', null, 'success'],
    ]);
    expect(JSON.stringify(records)).not.toContain(initialPassword);
  });

  it('a failed upstream call is recorded as a failure with the upstream status', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 500, times: 1 });
    const person = newPerson();
    expectProblem(await change('POST', '/api/users', person), 502, 'upstream-unavailable');
    expect((await latest())[0]).toMatchObject({
      action: 'user.invite',
      targetEmail: person.email,
      targetUserId: null,
      outcome: 'failure',
      upstreamStatus: 500,
    });
  });

  it('a change this server refuses (the admin rule on the stored record) is recorded as refused', async () => {
    const { user } = await invite();
    await change('PATCH', `/api/users/${user.userId}`, { hasDashboardAccess: false });
    expectProblem(await change('PATCH', `/api/users/${user.userId}`, { level: 'admin' }), 400, 'validation');
    expect((await latest())[0]).toMatchObject({
      action: 'user.update',
      targetUserId: user.userId,
      outcome: 'refused',
    });
  });

  it('is written BEFORE the upstream call: pending while Avara is still answering', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 600, times: 1 });
    const person = newPerson();
    const inFlight = change('POST', '/api/users', person);
    let pending: AuditRecord | undefined;
    for (let i = 0; i < 50 && !pending; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending = (await latest('?action=user.invite&limit=1')).find((r) => r.targetEmail === person.email);
    }
    expect(pending?.outcome).toBe('pending');
    expect((await inFlight).status).toBe(201);
    expect((await latest('?action=user.invite&limit=1'))[0]).toMatchObject({
      id: pending?.id,
      outcome: 'success',
    });
  });
});

describe('when the audit trail cannot be written', () => {
  it('refuses every change with 503 audit-unavailable and sends nothing upstream', async () => {
    const { user } = await invite();
    await stack.clearUpstreamRequests();
    auditFails = true;
    const attempts: [string, Promise<HttpAnswer>][] = [
      ['invite', change('POST', '/api/users', newPerson())],
      ['edit', change('PATCH', `/api/users/${user.userId}`, { firstName: 'Nope' })],
      ['revoke', change('POST', `/api/users/${user.userId}/revoke-access`, {})],
      ['reactivate', change('POST', `/api/users/${user.userId}/reactivate`, {})],
      ['invitation edit', change('PATCH', `/api/invitations/inv_${'1'.repeat(32)}`, { lastName: 'X' })],
      ['invitation revoke', change('POST', `/api/invitations/inv_${'1'.repeat(32)}/revoke`, {})],
      [
        'operator add',
        stack.api('POST', '/api/operators', { body: { email: 'never@clinic.test', displayName: 'Never' } }),
      ],
    ];
    for (const [label, attempt] of attempts) {
      const problem = expectProblem(await attempt, 503, 'audit-unavailable');
      expect(problem.detail, label).toMatch(/Nothing was done/);
    }
    expect(await stack.upstreamRequests()).toEqual([]);
    // A sign-in that cannot be recorded does not happen either.
    const signInAnswer = await http(stack.bffUrl, 'POST', '/api/session', {
      body: TEST_OPERATOR,
      headers: { ...CSRF_HEADERS },
    });
    expectProblem(signInAnswer, 503, 'audit-unavailable');
    expect(signInAnswer.headers['set-cookie']).toBeUndefined();
    // Reads go on: nothing changes, so nothing needs recording.
    expect((await stack.api('GET', '/api/users?limit=1')).status).toBe(200);
    auditFails = false;
    expect((await latest()).some((r) => r.targetEmail === 'never@clinic.test')).toBe(false);
  });
});

describe('GET /api/audit', () => {
  it('pages newest first with an opaque cursor, and filters by operator, action and date', async () => {
    for (let i = 0; i < 3; i += 1) await invite();
    const first = AuditPageSchema.parse((await stack.api('GET', '/api/audit?limit=2')).json());
    expect(first.records).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    const second = AuditPageSchema.parse(
      (await stack.api('GET', `/api/audit?limit=2&cursor=${encodeURIComponent(first.cursor ?? '')}`)).json(),
    );
    const ids = [...first.records, ...second.records].map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(4);

    const invites = await latest('?action=user.invite&limit=100');
    expect(invites.length).toBeGreaterThanOrEqual(3);
    expect(invites.every((r) => r.action === 'user.invite')).toBe(true);
    expect(
      (await latest(`?operatorId=${stack.client.session.operator.id}&limit=100`)).length,
    ).toBeGreaterThan(3);
    expect(await latest(`?operatorId=opr_${'9'.repeat(32)}`)).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await latest(`?from=${today}&to=${today}&limit=100`)).length).toBeGreaterThan(3);
    expect(await latest('?to=2000-01-01')).toEqual([]);
  });

  it('refuses bad filters and cursors with field errors', async () => {
    for (const [query, field] of [
      ['?action=delete.everything', 'action'],
      ['?from=2026-02-30', 'from'],
      ['?from=2026-03-02&to=2026-03-01', 'to'],
      ['?limit=500', 'limit'],
      ['?cursor=bm90LW91cnM', 'cursor'],
      ['?operatorId=bob', 'operatorId'],
      ['?extra=1', 'extra'],
    ]) {
      const problem = expectProblem(await stack.api('GET', `/api/audit${query}`), 400, 'validation');
      expect(
        problem.errors?.map((e) => e.path),
        query,
      ).toContain(field);
    }
  });

  it('exports the same records as CSV, formulas defused', async () => {
    // An address a spreadsheet would run as a formula, typed into sign-in by someone mischievous.
    await http(stack.bffUrl, 'POST', '/api/session', {
      body: { email: '+sum-cmd@clinic.test', password: 'whatever it is' },
      headers: { ...CSRF_HEADERS, 'x-forwarded-for': '192.0.2.44' },
    });
    const answer = await stack.api('GET', '/api/audit.csv?action=session.sign-in');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toMatch(
      /^attachment; filename="viewer-admin-activity-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(answer.headers['cache-control']).toBe('no-store');
    const lines = answer.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toMatch(/^"time","operator email","operator id","action","outcome"/);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).every((line) => line.includes('"session.sign-in"'))).toBe(true);
    expect(answer.text).toContain(`"'+sum-cmd@clinic.test"`);
    expect(answer.text).not.toMatch(/(^|,)"[=+@-]/m);
    expectProblem(await stack.api('GET', '/api/audit.csv?limit=5'), 400, 'validation');
  });
});
