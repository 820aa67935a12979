import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimelineSchema } from '../../../src/contract/directory.ts';
import type { TimelineEvent } from '../../../src/contract/directory.ts';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { UserPageSchema, UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { expectProblem, http } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** GET /api/users/:userId/timeline against the real sandbox and BFF. */

let stack: Stack;
let operatorName: string;
beforeAll(async () => {
  stack = await startStack();
  operatorName = stack.client.session.operator.displayName;
});
afterAll(async () => {
  await stack.close();
});

function change(method: 'POST' | 'PATCH', path: string, body: unknown) {
  return stack.api(method, path, { body, headers: { 'idempotency-key': randomUUID() } });
}

async function invite(): Promise<User> {
  const answer = await change('POST', '/api/users', newPerson({ clinicRole: 'Radiologist' }));
  expect(answer.status, answer.text).toBe(201);
  return UserSchema.parse(answer.json());
}

async function timeline(userId: string): Promise<TimelineEvent[]> {
  const answer = await stack.api('GET', `/api/users/${userId}/timeline`);
  expect(answer.status, answer.text).toBe(200);
  return TimelineSchema.parse(answer.json()).events;
}

/** The person signs in to Avara (the sandbox's stand-in for following the e-mail link). */
async function signInToAvara(userId: string): Promise<User> {
  const answer = await http(stack.sandboxUrl, 'POST', `/__sandbox/users/${userId}/sign-in`, {
    headers: { authorization: `Bearer ${stack.sandboxKey}` },
  });
  expect(answer.status, answer.text).toBe(200);
  return UserSchema.parse(answer.json());
}

describe("a person's timeline", () => {
  it("lists invite, edit with what changed, revoke, reactivate, a failed attempt and Avara's created and last sign-in, newest first", async () => {
    const user = await invite();
    expect((await change('PATCH', `/api/users/${user.userId}`, { clinicRole: 'Cardiologist' })).status).toBe(
      200,
    );
    // Inviting the same e-mail again fails: Avara says they were already invited.
    const again = await change('POST', '/api/users', newPerson({ email: user.email }));
    expect(again.status).toBe(409);
    const failedRequestId = again.headers['x-request-id'];
    expect((await change('POST', `/api/users/${user.userId}/revoke-access`, {})).status).toBe(200);
    expect((await change('POST', `/api/users/${user.userId}/reactivate`, {})).status).toBe(200);
    const signedIn = await signInToAvara(user.userId);

    const events = await timeline(user.userId);
    const times = events.map((e) => Date.parse(e.at ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const audit = events.filter((e) => e.kind === 'audit');
    expect(audit.map((e) => [e.action, e.label, e.outcome])).toEqual([
      ['user.reactivate', `Reactivated by ${operatorName}`, 'Done'],
      ['user.revoke-access', `Access revoked by ${operatorName}`, 'Done'],
      ['user.invite', `Invite tried by ${operatorName}`, 'Not sent: this person was already invited'],
      ['user.update', `Details edited by ${operatorName}`, 'Done'],
      ['user.invite', `Invited by ${operatorName}`, 'Done'],
    ]);
    for (const event of audit) {
      expect(event.source).toBe('dashboard');
      expect(event.operator).toEqual({ operatorId: stack.client.session.operator.id, name: operatorName });
      expect(event.requestId).toMatch(/\S/);
    }
    const [, , failed, edit] = audit;
    expect(edit?.changes).toEqual([{ field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' }]);
    expect(failed?.requestId).toBe(failedRequestId);
    expect(failed?.detail).toMatch(/^HTTP 409 · /);

    const avara = events.filter((e) => e.source === 'avara');
    expect(avara.map((e) => [e.kind, e.at, e.label])).toEqual([
      ['last-sign-in', signedIn.lastLoginAt, 'Last signed in to Avara'],
      ['created', user.createdAt, 'Added to Avara'],
    ]);
    // The sign-in just happened: it is the newest event.
    expect(events[0]?.kind).toBe('last-sign-in');
  });

  it("includes their invitation's edit and revoke (records that name only the invitation)", async () => {
    const user = await invite();
    const page = InvitationPageSchema.parse(
      (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
    );
    const invitationId = page.invitations[0]?.invitationId ?? '';
    expect((await change('POST', `/api/invitations/${invitationId}/revoke`, {})).status).toBe(200);
    const events = await timeline(user.userId);
    expect(events.filter((e) => e.kind === 'audit').map((e) => [e.action, e.label])).toEqual([
      ['invitation.revoke', `Invitation revoked by ${operatorName}`],
      ['user.invite', `Invited by ${operatorName}`],
    ]);
  });

  it('holds nothing about anyone else', async () => {
    const [first, second] = [await invite(), await invite()];
    await change('PATCH', `/api/users/${second.userId}`, { firstName: 'Other' });
    const events = await timeline(first.userId);
    expect(events.filter((e) => e.kind === 'audit').map((e) => e.action)).toEqual(['user.invite']);
  });

  it("someone never signed in and never touched here: only Avara's created", async () => {
    const { users } = UserPageSchema.parse((await stack.api('GET', '/api/users?limit=100')).json());
    const untouched = users.find((u) => u.lastLoginAt === null && u.invitedSource === 'dashboard');
    if (!untouched) throw new Error("The seed has no one invited from Avara's dashboard who never signed in");
    const events = await timeline(untouched.userId);
    expect(events.map((e) => e.kind)).toEqual(untouched.createdAt ? ['created'] : []);
  });

  it('answers 400 naming userId for a malformed id, whatever its spelling, sending nothing upstream', async () => {
    await stack.clearUpstreamRequests();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.stringMatching(/^usr_[0-9a-fA-Z]{0,40}$/),
          fc.constant(`usr_${'A'.repeat(32)}`),
          fc.constant(`inv_${'a'.repeat(32)}`),
        ),
        async (id) => {
          fc.pre(!/^usr_[0-9a-f]{32}$/.test(id) && id !== '' && !/[/?#%\\.]/.test(id) && id.trim() === id);
          const answer = await stack.api('GET', `/api/users/${encodeURIComponent(id)}/timeline`);
          const problem = expectProblem(answer, 400, 'validation');
          expect(problem.errors?.map((e) => e.path)).toContain('userId');
        },
      ),
      { numRuns: 40 },
    );
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('answers 404 for someone Avara does not know', async () => {
    expectProblem(await stack.api('GET', `/api/users/usr_${'0'.repeat(32)}/timeline`), 404, 'not-found');
  });
});
