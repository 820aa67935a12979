import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { ActionResultSchema, UserPageSchema, UserSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { ACCESS_REVOKED_NO_SIGN_IN, NO_USABLE_INVITATION } from '../../src/sandbox/routes-sandbox.ts';
import { OWNER_CANNOT_BE_REVOKED } from '../../src/sandbox/routes-users.ts';
import { DAY_MS, ErrorBodySchema, expectShape, inviteBody, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

const clock = testClock('2025-05-01T09:00:00.000Z');
let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox({ seed: true, now: clock.now });
});
afterAll(async () => {
  await sb.close();
});

async function invite(): Promise<User> {
  return expectShape(UserSchema, (await sb.call('POST', '/v1/viewer/users', { body: inviteBody() })).json);
}

const action = (name: 'revoke-access' | 'reactivate', body: unknown) =>
  sb.call('POST', `/v1/viewer/users/${name}`, { body });

async function invitationStatus(userId: string): Promise<string | undefined> {
  const page = expectShape(
    InvitationPageSchema,
    (await sb.call('GET', `/v1/viewer/users/invitations?userId=${userId}`)).json,
  );
  return page.invitations[0]?.status;
}

describe('revoke-access and reactivate', () => {
  it('revokes, refuses to revoke twice, reactivates, refuses to reactivate twice', async () => {
    const user = await invite();
    const revoked = await action('revoke-access', { userId: user.userId });
    expect(revoked.status).toBe(200);
    expect(expectShape(ActionResultSchema, revoked.json).success).toBe(true);

    const again = await action('revoke-access', { userId: user.userId });
    expect(again.status).toBe(200);
    const againBody = expectShape(ActionResultSchema, again.json);
    expect(againBody.success).toBe(false);
    expect(againBody.message).toMatch(/already revoked/);

    const restored = await action('reactivate', { userId: user.userId });
    expect(restored.status).toBe(200);
    expect(expectShape(ActionResultSchema, restored.json).success).toBe(true);

    const twice = await action('reactivate', { userId: user.userId });
    expect(twice.status).toBe(200);
    const twiceBody = expectShape(ActionResultSchema, twice.json);
    expect(twiceBody.success).toBe(false);
    expect(twiceBody.message).toMatch(/already has access/);
  });

  it('keeps the data and does not expose the flag on the user object', async () => {
    const user = await invite();
    expect((await action('revoke-access', { userId: user.userId })).status).toBe(200);
    const read = await sb.call('GET', `/v1/viewer/users/${user.userId}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(user);
    const page = expectShape(UserPageSchema, (await sb.call('GET', '/v1/viewer/users?limit=100')).json);
    expect(page.users.map((u) => u.userId)).toContain(user.userId);
  });

  it('reactivate on an active user says so without failing', async () => {
    const user = await invite();
    const reply = await action('reactivate', { userId: user.userId });
    expect(reply.status).toBe(200);
    expect(expectShape(ActionResultSchema, reply.json).success).toBe(false);
  });

  it("refuses to revoke the owner's access with 400", async () => {
    const owner = expectShape(UserPageSchema, (await sb.call('GET', '/v1/viewer/users?level=owner')).json)
      .users[0];
    if (!owner) throw new Error('The seed has no owner.');
    const reply = await action('revoke-access', { userId: owner.userId });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      message: OWNER_CANNOT_BE_REVOKED,
      errors: [{ path: 'userId', message: OWNER_CANNOT_BE_REVOKED }],
    });
  });

  it.each(['revoke-access', 'reactivate'] as const)(
    '%s: 404 for an unknown user, 400 for bad bodies',
    async (name) => {
      const unknown = await action(name, { userId: 'usr_0123456789abcdef0123456789abcdef' });
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ message: 'User not found' });
      for (const body of [
        {},
        { userId: 'usr_1' },
        { userId: 42 },
        { userId: 'usr_0123456789abcdef0123456789abcdef', x: 1 },
      ]) {
        const reply = await action(name, body);
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expectShape(ErrorBodySchema, reply.json);
      }
    },
  );
});

describe('POST /__sandbox/users/:userId/sign-in', () => {
  it('sets lastLoginAt and accepts the pending invitation', async () => {
    const user = await invite();
    expect(await invitationStatus(user.userId)).toBe('sent');
    clock.advance(3600_000);
    const reply = await sb.call('POST', `/__sandbox/users/${user.userId}/sign-in`);
    expect(reply.status).toBe(200);
    const signedIn = expectShape(UserSchema, reply.json);
    expect(signedIn).toEqual({ ...user, lastLoginAt: clock.now().toISOString() });
    expect(await invitationStatus(user.userId)).toBe('accepted');

    clock.advance(DAY_MS * 30);
    const later = expectShape(
      UserSchema,
      (await sb.call('POST', `/__sandbox/users/${user.userId}/sign-in`)).json,
    );
    expect(later.lastLoginAt).toBe(clock.now().toISOString());
  });

  it('refuses someone whose invitation expired or was revoked, or whose access is revoked (409)', async () => {
    const expired = await invite();
    const revoked = await invite();
    const deactivated = await invite();
    expect(
      (await sb.call('POST', '/v1/viewer/users/invitations/revoke', { body: { userId: revoked.userId } }))
        .status,
    ).toBe(200);
    expect((await sb.call('POST', `/__sandbox/users/${deactivated.userId}/sign-in`)).status).toBe(200);
    expect((await action('revoke-access', { userId: deactivated.userId })).status).toBe(200);
    clock.advance(8 * DAY_MS);

    for (const [user, message] of [
      [expired, NO_USABLE_INVITATION],
      [revoked, NO_USABLE_INVITATION],
      [deactivated, ACCESS_REVOKED_NO_SIGN_IN],
    ] as const) {
      const reply = await sb.call('POST', `/__sandbox/users/${user.userId}/sign-in`);
      expect(reply.status).toBe(409);
      expect(reply.json).toEqual({ message });
    }
    const read = expectShape(UserSchema, (await sb.call('GET', `/v1/viewer/users/${expired.userId}`)).json);
    expect(read.lastLoginAt).toBeNull();
  });

  it('answers 404 for an unknown user', async () => {
    const reply = await sb.call('POST', '/__sandbox/users/usr_0123456789abcdef0123456789abcdef/sign-in');
    expect(reply.status).toBe(404);
  });
});
