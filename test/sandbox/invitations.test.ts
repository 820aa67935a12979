import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invitation } from '../../src/contract/invitations.ts';
import { InvitationPageSchema, InvitationSchema } from '../../src/contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD } from '../../src/contract/person.ts';
import { ActionResultSchema, UserSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import {
  INVITATION_REVOKED,
  NO_LONGER_PENDING,
  ONLY_PENDING_EDITABLE,
} from '../../src/sandbox/routes-invitations.ts';
import { ErrorBodySchema, expectShape, inviteBody, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

/**
 * A small clinic on a test clock (today is 2025-03-10 12:00Z):
 *  A invited 03-01 (expired: still sent, expiry 03-08), B 03-05 (pending), C 03-09 (revoked),
 *  D 03-09 later (accepted: signed in), E 03-10 (pending).
 */
const clock = testClock();
let sb: TestSandbox;
type Name = 'a' | 'b' | 'c' | 'd' | 'e';
interface Person {
  user: User;
  invitation: Invitation;
}
const byName = new Map<Name, Person>();
function person(name: Name): Person {
  const found = byName.get(name);
  if (!found) throw new Error(`No test person ${name}`);
  return found;
}

async function invitationOf(userId: string): Promise<Invitation> {
  const page = expectShape(
    InvitationPageSchema,
    (await sb.call('GET', `/v1/viewer/users/invitations?userId=${userId}`)).json,
  );
  const [invitation] = page.invitations;
  if (!invitation) throw new Error(`No invitation for ${userId}`);
  return invitation;
}

async function list(query: string) {
  const reply = await sb.call('GET', `/v1/viewer/users/invitations${query}`);
  expect(reply.status, reply.text).toBe(200);
  return expectShape(InvitationPageSchema, reply.json);
}

const emailsOf = async (query: string) => (await list(query)).invitations.map((i) => i.firstName);

beforeAll(async () => {
  sb = await startTestSandbox({ seed: false, now: clock.now });
  const plan = [
    ['a', '2025-03-01T10:00:00.000Z'],
    ['b', '2025-03-05T10:00:00.000Z'],
    ['c', '2025-03-09T10:00:00.000Z'],
    ['d', '2025-03-09T23:59:59.999Z'],
    ['e', '2025-03-10T00:00:00.000Z'],
  ] as const;
  for (const [name, at] of plan) {
    clock.set(at);
    const reply = await sb.call('POST', '/v1/viewer/users', {
      body: inviteBody({ firstName: name.toUpperCase() }),
    });
    const user = expectShape(UserSchema, reply.json);
    byName.set(name, { user, invitation: await invitationOf(user.userId) });
  }
  clock.set('2025-03-10T11:00:00.000Z');
  expect(
    (
      await sb.call('POST', '/v1/viewer/users/invitations/revoke', {
        body: { userId: person('c').user.userId },
      })
    ).status,
  ).toBe(200);
  expect((await sb.call('POST', `/__sandbox/users/${person('d').user.userId}/sign-in`)).status).toBe(200);
  clock.set('2025-03-10T12:00:00.000Z');
});
afterAll(async () => {
  await sb.close();
});

describe('GET /v1/viewer/users/invitations', () => {
  it('lists newest first, every item an invitation object with null optional fields', async () => {
    const page = await list('');
    expect(page.invitations.map((i) => i.firstName)).toEqual(['E', 'D', 'C', 'B', 'A']);
    expect(page).toMatchObject({ cursor: null, hasMore: false });
    for (const invitation of page.invitations) {
      expect(invitation).toMatchObject({ middleName: null, phoneNumber: null, suffix1: null, suffix2: null });
    }
  });

  it('shows each state', async () => {
    const page = await list('');
    const statusOf = Object.fromEntries(page.invitations.map((i) => [i.firstName, i.status]));
    expect(statusOf).toEqual({ A: 'sent', B: 'sent', C: 'revoked', D: 'accepted', E: 'sent' });
  });

  it('filters by status in comma format', async () => {
    expect(await emailsOf('?status=sent')).toEqual(['E', 'B', 'A']);
    expect(await emailsOf('?status=sent,revoked')).toEqual(['E', 'C', 'B', 'A']);
    expect(await emailsOf('?status=accepted')).toEqual(['D']);
    expect(await emailsOf('?status=rejected')).toEqual([]);
  });

  it('filters by expiry', async () => {
    expect(await emailsOf('?expired=expired')).toEqual(['A']);
    expect(await emailsOf('?expired=not-expired')).toEqual(['E', 'D', 'C', 'B']);
    expect(await emailsOf('?expired=all')).toEqual(['E', 'D', 'C', 'B', 'A']);
    expect(await emailsOf('?status=sent&expired=not-expired')).toEqual(['E', 'B']);
  });

  it('filters by creation date, both ends inclusive (whole UTC days)', async () => {
    expect(await emailsOf('?startDate=2025-03-05')).toEqual(['E', 'D', 'C', 'B']);
    expect(await emailsOf('?endDate=2025-03-09')).toEqual(['D', 'C', 'B', 'A']);
    expect(await emailsOf('?startDate=2025-03-09&endDate=2025-03-09')).toEqual(['D', 'C']);
    expect(await emailsOf('?startDate=2025-03-02&endDate=2025-03-04')).toEqual([]);
  });

  it('filters by userId', async () => {
    expect(await emailsOf(`?userId=${person('b').user.userId}`)).toEqual(['B']);
    expect(await emailsOf('?userId=usr_0123456789abcdef0123456789abcdef')).toEqual([]);
  });

  it('pages with a cursor, without duplicates or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.invitations.length).toBeLessThanOrEqual(2);
      seen.push(...page.invitations.map((i) => i.firstName));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(['E', 'D', 'C', 'B', 'A']);
    expect(await emailsOf('?limit=2&status=sent')).toEqual(['E', 'B']);
  });

  it.each([
    ['status', '?status=sent,unknown'],
    ['status', '?status='],
    ['status', '?status=sent&status=revoked'],
    ['expired', '?expired=yes'],
    ['startDate', '?startDate=2025-3-1'],
    ['startDate', '?startDate=2025-02-30'],
    ['endDate', '?startDate=2025-03-09&endDate=2025-03-01'],
    ['userId', '?userId=usr_1'],
    ['limit', '?limit=0'],
    ['limit', '?limit=101'],
    ['cursor', '?cursor=not-a-cursor'],
    ['page', '?page=2'],
  ])('refuses a bad %s with 400', async (path, query) => {
    const reply = await sb.call('GET', `/v1/viewer/users/invitations${query}`);
    expect(reply.status).toBe(400);
    expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain(path);
  });
});

describe('GET /v1/viewer/users/invitations/:invitationId', () => {
  it('answers the invitation object', async () => {
    const reply = await sb.call('GET', `/v1/viewer/users/invitations/${person('b').invitation.invitationId}`);
    expect(reply.status).toBe(200);
    expect(expectShape(InvitationSchema, reply.json)).toEqual(person('b').invitation);
  });

  it('answers 404 for an unknown invitation', async () => {
    const reply = await sb.call('GET', '/v1/viewer/users/invitations/inv_0123456789abcdef0123456789abcdef');
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message: 'Invitation not found' });
  });
});

describe('PATCH /v1/viewer/users/invitations/:invitationId', () => {
  const patch = (invitationId: string, body: unknown) =>
    sb.call('PATCH', `/v1/viewer/users/invitations/${invitationId}`, { body });

  it('edits a pending invitation and the user it created', async () => {
    const { invitation, user } = person('e');
    clock.set('2025-03-10T12:30:00.000Z');
    const reply = await patch(invitation.invitationId, {
      lastName: 'Newname',
      middleName: 'Q',
      level: 'admin',
    });
    expect(reply.status).toBe(200);
    const updated = expectShape(InvitationSchema, reply.json);
    expect(updated).toEqual({
      ...invitation,
      lastName: 'Newname',
      middleName: 'Q',
      level: 'admin',
      updatedAt: '2025-03-10T12:30:00.000Z',
    });
    const userNow = expectShape(UserSchema, (await sb.call('GET', `/v1/viewer/users/${user.userId}`)).json);
    expect(userNow).toEqual({ ...user, lastName: 'Newname', middleName: 'Q', level: 'admin' });
  });

  it('applies the admin rule to the merged invitation', async () => {
    const reply = await patch(person('e').invitation.invitationId, { hasDashboardAccess: false });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      message: ADMIN_NEEDS_DASHBOARD,
      errors: [{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }],
    });
  });

  it('refuses the e-mail and bad values with 400', async () => {
    const id = person('b').invitation.invitationId;
    for (const [path, body] of [
      ['email', { email: 'new@hospital.example' }],
      ['clinicRole', { clinicRole: 'Pilot' }],
      ['status', { status: 'accepted' }],
    ] as const) {
      const reply = await patch(id, body);
      expect(reply.status, path).toBe(400);
      expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain(path);
    }
  });

  it.each([
    ['expired', 'a'],
    ['revoked', 'c'],
    ['accepted', 'd'],
  ] as const)('refuses to edit an %s invitation with 409', async (_state, name) => {
    const reply = await patch(person(name).invitation.invitationId, { firstName: 'Changed' });
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ message: ONLY_PENDING_EDITABLE });
  });

  it('answers 404 for an unknown invitation', async () => {
    const reply = await patch('inv_0123456789abcdef0123456789abcdef', { firstName: 'X' });
    expect(reply.status).toBe(404);
  });
});

describe('POST /v1/viewer/users/invitations/revoke', () => {
  const revoke = (body: unknown) => sb.call('POST', '/v1/viewer/users/invitations/revoke', { body });

  it('revokes a pending invitation by id, once', async () => {
    const id = person('b').invitation.invitationId;
    const first = await revoke({ invitationId: id });
    expect(first.status).toBe(200);
    expect(expectShape(ActionResultSchema, first.json)).toEqual({
      success: true,
      message: INVITATION_REVOKED,
    });
    const stored = expectShape(
      InvitationSchema,
      (await sb.call('GET', `/v1/viewer/users/invitations/${id}`)).json,
    );
    expect(stored.status).toBe('revoked');
    const again = await revoke({ invitationId: id });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ success: false, message: NO_LONGER_PENDING });
  });

  it('does not revoke an expired or accepted invitation', async () => {
    expect((await revoke({ userId: person('a').user.userId })).json).toEqual({
      success: false,
      message: NO_LONGER_PENDING,
    });
    expect((await revoke({ invitationId: person('d').invitation.invitationId })).json).toEqual({
      success: false,
      message: NO_LONGER_PENDING,
    });
    const expired = expectShape(
      InvitationSchema,
      (await sb.call('GET', `/v1/viewer/users/invitations/${person('a').invitation.invitationId}`)).json,
    );
    expect(expired.status).toBe('sent');
  });

  it('answers 404 for unknown ids or ids that do not belong together', async () => {
    expect((await revoke({ invitationId: 'inv_0123456789abcdef0123456789abcdef' })).status).toBe(404);
    expect((await revoke({ userId: 'usr_0123456789abcdef0123456789abcdef' })).status).toBe(404);
    const mismatch = await revoke({
      invitationId: person('e').invitation.invitationId,
      userId: person('a').user.userId,
    });
    expect(mismatch.status).toBe(404);
    expect(mismatch.json).toEqual({ message: 'Invitation not found' });
  });

  it('refuses a body naming neither, or malformed ids, with 400', async () => {
    for (const [path, body] of [
      ['invitationId', {}],
      ['invitationId', { invitationId: 'inv_1' }],
      ['userId', { userId: 'nope' }],
      ['reason', { invitationId: person('e').invitation.invitationId, reason: 'x' }],
    ] as const) {
      const reply = await revoke(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain(path);
    }
    // Still pending after all those refusals.
    const e = expectShape(
      InvitationSchema,
      (await sb.call('GET', `/v1/viewer/users/invitations/${person('e').invitation.invitationId}`)).json,
    );
    expect(e.status).toBe('sent');
  });
});
