import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** The Activity trail by person: the userId filter and the names of the people records are about (real stack). */

let stack: Stack;
let first: User;
let second: User;
let firstInvitation: string;

function change(method: 'POST' | 'PATCH', path: string, body: unknown) {
  return stack.api(method, path, { body, headers: { 'idempotency-key': randomUUID() } });
}

async function invite(firstName: string, lastName: string): Promise<User> {
  const answer = await change('POST', '/api/users', newPerson({ firstName, lastName }));
  expect(answer.status, answer.text).toBe(201);
  return UserSchema.parse(answer.json());
}

async function records(query: string): Promise<AuditRecord[]> {
  const answer = await stack.api('GET', `/api/audit${query}`);
  expect(answer.status, answer.text).toBe(200);
  return AuditPageSchema.parse(answer.json()).records;
}

beforeAll(async () => {
  stack = await startStack();
  first = await invite('Priya', 'Natarajan');
  second = await invite('Zoë', 'Ramírez');
  const page = InvitationPageSchema.parse(
    (await stack.api('GET', `/api/invitations?userId=${first.userId}`)).json(),
  );
  firstInvitation = page.invitations[0]?.invitationId ?? '';
  expect((await change('PATCH', `/api/users/${first.userId}`, { clinicRole: 'Surgeon' })).status).toBe(200);
  expect((await change('PATCH', `/api/users/${second.userId}`, { clinicRole: 'Surgeon' })).status).toBe(200);
  // An invite of her e-mail again: refused by Avara, the record names only the address.
  expect((await change('POST', '/api/users', newPerson({ email: first.email }))).status).toBe(409);
  expect((await change('POST', `/api/invitations/${firstInvitation}/revoke`, {})).status).toBe(200);
});
afterAll(async () => {
  await stack.close();
});

describe('GET /api/audit?userId=', () => {
  it('holds only the records about that person: by userId, by their invitation, and failed invites of their e-mail', async () => {
    const mine = await records(`?userId=${first.userId}`);
    expect(mine.map((r) => [r.action, r.outcome])).toEqual([
      ['invitation.revoke', 'success'],
      ['user.invite', 'failure'],
      ['user.update', 'success'],
      ['user.invite', 'success'],
    ]);
    expect(mine[0]?.targetInvitationId).toBe(firstInvitation);
    expect(mine[1]).toMatchObject({ targetEmail: first.email, targetUserId: null, upstreamStatus: 409 });
    const theirs = await records(`?userId=${second.userId}`);
    expect(theirs.map((r) => [r.action, r.targetUserId])).toEqual([
      ['user.update', second.userId],
      ['user.invite', second.userId],
    ]);
  });

  it('combines with the other filters and pages', async () => {
    expect((await records(`?userId=${first.userId}&action=user.invite`)).map((r) => r.outcome)).toEqual([
      'failure',
      'success',
    ]);
    const page = AuditPageSchema.parse(
      (await stack.api('GET', `/api/audit?userId=${first.userId}&limit=3`)).json(),
    );
    expect(page.records).toHaveLength(3);
    expect(page.hasMore).toBe(true);
    const rest = await records(`?userId=${first.userId}&limit=3&cursor=${page.cursor ?? ''}`);
    expect(rest.map((r) => r.action)).toEqual(['user.invite']);
  });

  it('filters the CSV the same way', async () => {
    const csv = await stack.api('GET', `/api/audit.csv?userId=${first.userId}`);
    expect(csv.status).toBe(200);
    const lines = csv.text.split('\r\n').filter((line) => line !== '');
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(1))
      expect([first.userId, first.email, firstInvitation].some((key) => line.includes(key))).toBe(true);
    expect(csv.text).not.toContain(second.userId);
  });

  it.each(['/api/audit', '/api/audit.csv'])(
    '%s refuses a malformed userId with 400 naming it',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ minLength: 1, maxLength: 40 }),
            fc.constant(`usr_${'A'.repeat(32)}`),
            fc.constant(`usr_${'a'.repeat(31)}`),
            fc.constant(`inv_${'a'.repeat(32)}`),
            fc.constant(` usr_${'a'.repeat(32)}`),
          ),
          async (id) => {
            fc.pre(!/^usr_[0-9a-f]{32}$/.test(id));
            const answer = await stack.api('GET', `${path}?userId=${encodeURIComponent(id)}`);
            const problem = expectProblem(answer, 400, 'validation');
            expect(problem.errors?.map((e) => e.path)).toContain('userId');
          },
        ),
        { numRuns: 30 },
      );
    },
  );
});

describe('names', () => {
  it('names the person each record is about, by userId or by invitationId; null when not known', async () => {
    const mine = await records(`?userId=${first.userId}`);
    expect(mine.map((r) => [r.action, r.targetName])).toEqual([
      ['invitation.revoke', 'Priya Natarajan'],
      // Only the e-mail: no id to name.
      ['user.invite', null],
      ['user.update', 'Priya Natarajan'],
      ['user.invite', 'Priya Natarajan'],
    ]);
    const theirs = await records(`?userId=${second.userId}`);
    expect(theirs.map((r) => r.targetName)).toEqual(['Zoë Ramírez', 'Zoë Ramírez']);
    const signIns = await records('?action=session.sign-in');
    expect(signIns.length).toBeGreaterThan(0);
    expect(signIns.every((r) => r.targetName === null)).toBe(true);
  });

  it('names them in the CSV', async () => {
    const csv = await stack.api('GET', `/api/audit.csv?userId=${second.userId}`);
    expect(csv.text.split('\r\n')[1]).toContain('"Zoë Ramírez"');
  });
});
