import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import type { Invitation } from '../../src/contract/invitations.ts';
import { ROLE_GROUPS, isClinicRole, roleGroup } from '../../src/contract/roles.ts';
import { UserPageSchema, UserSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { OutboxSchema } from '../../src/sandbox/fault.ts';
import { DAY_MS, expectShape, inviteBody, makeTempDir, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

const dirs: string[] = [];
const running: TestSandbox[] = [];

afterEach(async () => {
  for (const sb of running.splice(0)) await sb.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestSandbox>[0]): Promise<TestSandbox> {
  const sb = await startTestSandbox(options);
  running.push(sb);
  return sb;
}

async function stop(sb: TestSandbox): Promise<void> {
  running.splice(running.indexOf(sb), 1);
  await sb.close();
}

async function allUsers(sb: TestSandbox): Promise<User[]> {
  return expectShape(UserPageSchema, (await sb.call('GET', '/v1/viewer/users?limit=100')).json).users;
}

async function allInvitations(sb: TestSandbox): Promise<Invitation[]> {
  return expectShape(
    InvitationPageSchema,
    (await sb.call('GET', '/v1/viewer/users/invitations?limit=100')).json,
  ).invitations;
}

describe('the seeded clinic', () => {
  const clock = testClock('2025-06-15T12:00:00.000Z');

  it('is a realistic clinic of about 25 people', async () => {
    const sb = await start({ now: clock.now });
    const users = await allUsers(sb);
    expect(users.length).toBeGreaterThanOrEqual(22);
    expect(users.length).toBeLessThanOrEqual(30);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    expect(users.every((u) => u.email.endsWith('@northside-imaging.example'))).toBe(true);

    const owners = users.filter((u) => u.level === 'owner');
    expect(owners).toHaveLength(1);
    expect(owners[0]).toMatchObject({ invitedSource: 'dashboard', hasDashboardAccess: true });
    const admins = users.filter((u) => u.level === 'admin');
    expect(admins.length).toBeGreaterThanOrEqual(2);
    expect(admins.every((u) => u.hasDashboardAccess)).toBe(true);
    expect(users.filter((u) => u.level === 'member').length).toBeGreaterThan(admins.length);

    const roles = new Set(users.map((u) => u.clinicRole));
    expect(roles.size).toBeGreaterThanOrEqual(15);
    const groups = new Set([...roles].filter(isClinicRole).map(roleGroup));
    expect([...groups].sort()).toEqual([...ROLE_GROUPS].sort());
    // Every role is on Avara's current list, except the one kept by people created under an earlier list.
    expect([...roles].filter((role) => !isClinicRole(role))).toEqual(['PACS Administrator']);
    expect(users.filter((u) => u.clinicRole === 'PACS Administrator').length).toBeGreaterThanOrEqual(2);

    expect(new Set(users.map((u) => u.invitedSource))).toEqual(new Set(['dashboard', 'api']));
    expect(users.some((u) => u.lastLoginAt === null)).toBe(true);
    expect(users.filter((u) => u.lastLoginAt !== null).length).toBeGreaterThan(users.length / 2);
    expect(users.some((u) => u.middleName !== undefined)).toBe(true);
    expect(users.some((u) => u.phoneNumber !== undefined)).toBe(true);
    expect(users.some((u) => u.suffix2 !== undefined)).toBe(true);

    // Two people were brought over without recorded times: null on the wire, as Avara may send.
    expect(
      users
        .filter((u) => u.createdAt === null)
        .map((u) => u.email)
        .sort(),
    ).toEqual(['ingrid.holm@northside-imaging.example', 'rosa.delgado@northside-imaging.example']);
    const created = users.flatMap((u) => (u.createdAt === null ? [] : [Date.parse(u.createdAt)]));
    expect(Math.max(...created) - Math.min(...created)).toBeGreaterThan(90 * DAY_MS);
    expect(Math.max(...created)).toBeLessThanOrEqual(clock.now().getTime());
    for (const user of users) {
      if (user.lastLoginAt !== null) expect(user.lastLoginAt >= (user.createdAt ?? '')).toBe(true);
    }
  });

  it('gives everyone an invitation, in every state', async () => {
    const sb = await start({ now: clock.now });
    const users = await allUsers(sb);
    const invitations = await allInvitations(sb);
    expect(invitations).toHaveLength(users.length);
    const now = clock.now().toISOString();
    const byUser = new Map(invitations.map((i) => [i.userId, i]));
    for (const user of users) {
      const invitation = byUser.get(user.userId);
      expect(invitation?.email).toBe(user.email);
      // Signed in ⇔ accepted.
      expect(invitation?.status === 'accepted').toBe(user.lastLoginAt !== null);
      expect(invitation?.invitedSource).toBe(user.invitedSource);
      if (user.invitedSource === 'api') expect(invitation?.invitedByApiKeyId).toMatch(/^key_/);
    }
    // No expiry recorded: it never expires.
    const pending = invitations.filter((i) => i.status === 'sent' && (i.expiry === null || i.expiry >= now));
    const expired = invitations.filter((i) => i.status === 'sent' && i.expiry !== null && i.expiry < now);
    const untimed = invitations.filter((i) => i.createdAt === null);
    expect(untimed.map((i) => [i.email, i.status, i.expiry, i.updatedAt])).toEqual([
      ['ingrid.holm@northside-imaging.example', 'sent', null, null],
      ['rosa.delgado@northside-imaging.example', 'accepted', null, null],
    ]);
    expect(pending.map((i) => i.email)).toContain('ingrid.holm@northside-imaging.example');
    // A date range cannot hold an invitation whose creation time was never recorded.
    const ranged = expectShape(
      InvitationPageSchema,
      (await sb.call('GET', '/v1/viewer/users/invitations?startDate=2000-01-01&endDate=2099-12-31&limit=100'))
        .json,
    );
    expect(ranged.invitations.map((i) => i.invitationId).sort()).toEqual(
      invitations
        .filter((i) => i.createdAt !== null)
        .map((i) => i.invitationId)
        .sort(),
    );
    expect(pending.length).toBeGreaterThanOrEqual(2);
    expect(expired.length).toBeGreaterThanOrEqual(2);
    expect(invitations.filter((i) => i.status === 'revoked').length).toBeGreaterThanOrEqual(1);
    expect(invitations.filter((i) => i.status === 'rejected')).toHaveLength(1);
    expect(new Set(invitations.map((i) => i.clinicId)).size).toBe(1);
    // A pending invitation with a role Avara no longer offers (editable, role kept).
    expect(pending.some((i) => i.clinicRole === 'PACS Administrator' && !isClinicRole(i.clinicRole))).toBe(
      true,
    );

    const expiredPage = expectShape(
      InvitationPageSchema,
      (await sb.call('GET', '/v1/viewer/users/invitations?expired=expired&limit=100')).json,
    );
    expect(expiredPage.invitations.map((i) => i.invitationId).sort()).toEqual(
      expired.map((i) => i.invitationId).sort(),
    );
  });

  it('is deterministic: a second fresh sandbox has the same people and ids', async () => {
    const one = await start({ now: clock.now });
    const two = await start({ now: clock.now });
    expect(await allUsers(two)).toEqual(await allUsers(one));
    expect((await allInvitations(two)).map((i) => i.invitationId)).toEqual(
      (await allInvitations(one)).map((i) => i.invitationId),
    );
    expect(expectShape(OutboxSchema, (await one.call('GET', '/__sandbox/outbox')).json).messages).toEqual([]);
  });

  it('does not seed with seed: false', async () => {
    const sb = await start({ seed: false });
    expect(await allUsers(sb)).toEqual([]);
    expect(await allInvitations(sb)).toEqual([]);
  });
});

describe('persistence', () => {
  it('keeps users, invitations and the outbox across a restart, in dataDir/sandbox.sqlite', async () => {
    const root = makeTempDir();
    dirs.push(root);
    const dataDir = join(root, 'nested', 'data');
    const first = await start({ dataDir, seed: false });
    expect(existsSync(join(dataDir, 'sandbox.sqlite'))).toBe(true);
    const user = expectShape(
      UserSchema,
      (await first.call('POST', '/v1/viewer/users', { body: inviteBody() })).json,
    );
    const invitationsBefore = await allInvitations(first);
    const outboxBefore = (await first.call('GET', '/__sandbox/outbox')).json;
    await stop(first);

    const second = await start({ dataDir, seed: false });
    expect((await second.call('GET', `/v1/viewer/users/${user.userId}`)).json).toEqual(user);
    expect(await allInvitations(second)).toEqual(invitationsBefore);
    expect((await second.call('GET', '/__sandbox/outbox')).json).toEqual(outboxBefore);
    const again = await second.call('POST', '/v1/viewer/users', { body: inviteBody({ email: user.email }) });
    expect(again.status).toBe(409);
  });

  it('opens a data directory made before times could be unrecorded, reading its records as recorded', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const first = await start({ dataDir, seed: false });
    const user = expectShape(
      UserSchema,
      (await first.call('POST', '/v1/viewer/users', { body: inviteBody() })).json,
    );
    await stop(first);
    const db = new Database(join(dataDir, 'sandbox.sqlite'));
    db.exec(
      'ALTER TABLE users DROP COLUMN timesRecorded; ALTER TABLE invitations DROP COLUMN timesRecorded;',
    );
    db.close();

    const second = await start({ dataDir, seed: false });
    expect((await second.call('GET', `/v1/viewer/users/${user.userId}`)).json).toEqual(user);
    expect(user.createdAt).not.toBeNull();
    expect((await allInvitations(second)).map((i) => i.createdAt === null)).toEqual([false]);
  });

  it('seeds once: a restart does not seed again, nor does a database that already has people', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const seeded = await allUsers(first);
    await stop(first);
    const second = await start({ dataDir });
    expect(await allUsers(second)).toEqual(seeded);
    await stop(second);

    const otherDir = makeTempDir();
    dirs.push(otherDir);
    const unseeded = await start({ dataDir: otherDir, seed: false });
    expect((await unseeded.call('POST', '/v1/viewer/users', { body: inviteBody() })).status).toBe(200);
    await stop(unseeded);
    const later = await start({ dataDir: otherDir, seed: true });
    expect(await allUsers(later)).toHaveLength(1);
  });
});
