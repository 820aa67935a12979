import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_NEEDS_DASHBOARD } from '../../src/contract/person.ts';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { NOTHING_TO_CHANGE, UserPageSchema, UserSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { EMAIL_CANNOT_CHANGE, INVALID_CURSOR, OWNER_LEVEL_FIXED } from '../../src/sandbox/routes-users.ts';
import { ErrorBodySchema, expectShape, inviteBody, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

async function invite(sb: TestSandbox, overrides: Parameters<typeof inviteBody>[0] = {}): Promise<User> {
  const reply = await sb.call('POST', '/v1/viewer/users', { body: inviteBody(overrides) });
  expect(reply.status).toBe(200);
  return expectShape(UserSchema, reply.json);
}

async function listUsers(sb: TestSandbox, query: string) {
  const reply = await sb.call('GET', `/v1/viewer/users${query}`);
  expect(reply.status, reply.text).toBe(200);
  return expectShape(UserPageSchema, reply.json);
}

async function walk(sb: TestSandbox, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null | undefined;
  let pages = 0;
  do {
    const separator = query === '' ? '?' : '&';
    const page = await listUsers(
      sb,
      cursor ? `${query}${separator}cursor=${cursor}`.replace(/^&/, '?') : query,
    );
    pages += 1;
    ids.push(...page.users.map((u) => u.userId));
    expect(page.hasMore).toBe(page.cursor !== null);
    cursor = page.cursor;
  } while (cursor);
  return { ids, pages };
}

describe('GET /v1/viewer/users: order and cursor pages', () => {
  const clock = testClock('2025-01-01T08:00:00.000Z');
  const created: User[] = [];
  let sb: TestSandbox;

  beforeAll(async () => {
    sb = await startTestSandbox({ seed: false, now: clock.now });
    const names = ['Ana', 'Bruno', 'Carla', 'Dmitri', 'Zoë'];
    for (let i = 0; i < 45; i += 1) {
      // Three people share each timestamp: ties fall back to insertion order (newest first).
      clock.set(new Date(Date.parse('2025-01-01T08:00:00.000Z') + Math.floor(i / 3) * 60_000).toISOString());
      created.push(
        await invite(sb, {
          firstName: names[i % names.length],
          lastName: i % 2 === 0 ? `Okonkwo ${i}` : `Smith ${i}`,
          level: i % 4 === 0 ? 'admin' : 'member',
        }),
      );
    }
  });
  afterAll(async () => {
    await sb.close();
  });

  it('answers 20 newest first by default, with a cursor and hasMore', async () => {
    const page = await listUsers(sb, '');
    expect(page.users).toHaveLength(20);
    expect(page.users.map((u) => u.userId)).toEqual(
      created
        .slice()
        .reverse()
        .slice(0, 20)
        .map((u) => u.userId),
    );
    expect(page.hasMore).toBe(true);
    expect(page.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([1, 7, 20, 44, 45, 100])('walks every user exactly once with limit %i', async (limit) => {
    const { ids, pages } = await walk(sb, `?limit=${limit}`);
    expect(ids).toEqual(
      created
        .slice()
        .reverse()
        .map((u) => u.userId),
    );
    expect(new Set(ids).size).toBe(45);
    expect(pages).toBe(Math.ceil(45 / limit));
  });

  it('ends with cursor null and hasMore false', async () => {
    const page = await listUsers(sb, '?limit=100');
    expect(page.users).toHaveLength(45);
    expect(page).toMatchObject({ cursor: null, hasMore: false });
  });

  it('pages with filters too', async () => {
    const { ids } = await walk(sb, '?limit=4&lastName=okonkwo');
    expect(ids).toEqual(
      created
        .filter((u) => u.lastName.startsWith('Okonkwo'))
        .reverse()
        .map((u) => u.userId),
    );
  });

  it.each(['0', '101', 'abc', '1.5', '-3', ''])('refuses limit=%s with 400 on limit', async (limit) => {
    const reply = await sb.call('GET', `/v1/viewer/users?limit=${limit}`);
    expect(reply.status).toBe(400);
    expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain('limit');
  });

  it('refuses a cursor that is not one of its own with 400 on cursor', async () => {
    const invitations = expectShape(
      InvitationPageSchema,
      (await sb.call('GET', '/v1/viewer/users/invitations?limit=1')).json,
    );
    const foreign = invitations.cursor ?? '';
    expect(foreign).not.toBe('');
    for (const cursor of [
      'garbage!',
      'Zm9v',
      Buffer.from('{"k":"users","c":"x"}').toString('base64url'),
      Buffer.from('{"k":"users","c":"2025-01-01T08:00:00.000Z","s":0}').toString('base64url'),
      foreign,
    ]) {
      const reply = await sb.call('GET', `/v1/viewer/users?cursor=${encodeURIComponent(cursor)}`);
      expect(reply.status, cursor).toBe(400);
      expect(reply.json).toEqual({
        message: INVALID_CURSOR,
        errors: [{ path: 'cursor', message: INVALID_CURSOR }],
      });
    }
  });

  it('is keyset, not offset: a newcomer does not shift the next page', async () => {
    const first = await listUsers(sb, '?limit=7');
    clock.set('2025-06-01T00:00:00.000Z');
    const newcomer = await invite(sb);
    const second = await listUsers(sb, `?limit=7&cursor=${first.cursor}`);
    const expected = created.slice().reverse();
    expect(second.users.map((u) => u.userId)).toEqual(expected.slice(7, 14).map((u) => u.userId));
    expect((await listUsers(sb, '?limit=1')).users[0]?.userId).toBe(newcomer.userId);
  });
});

describe('GET /v1/viewer/users: filters', () => {
  let sb: TestSandbox;

  beforeAll(async () => {
    sb = await startTestSandbox({ seed: true });
    await invite(sb, { email: 'Casey.Morgan@Hospital.Example', firstName: 'Casey', lastName: 'Morgan' });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('filters by exact e-mail, case-insensitively', async () => {
    const page = await listUsers(sb, '?email=CASEY.MORGAN%40hospital.example');
    expect(page.users.map((u) => u.email)).toEqual(['casey.morgan@hospital.example']);
    expect((await listUsers(sb, '?email=casey%40hospital.example')).users).toEqual([]);
  });

  it('filters by first and last name, contains and case-insensitive (non-ASCII too)', async () => {
    expect((await listUsers(sb, '?firstName=ase')).users.map((u) => u.firstName)).toEqual(['Casey']);
    expect((await listUsers(sb, '?lastName=MORG')).users.map((u) => u.lastName)).toEqual(['Morgan']);
    expect((await listUsers(sb, '?firstName=ZO%C3%8B')).users.map((u) => u.firstName)).toEqual(['Zoë']);
    expect((await listUsers(sb, '?firstName=nobody-like-this')).users).toEqual([]);
  });

  it('filters by level, including owner', async () => {
    const owners = await listUsers(sb, '?level=owner');
    expect(owners.users).toHaveLength(1);
    const admins = await listUsers(sb, '?level=admin&limit=100');
    expect(admins.users.length).toBeGreaterThan(0);
    expect(admins.users.every((u) => u.level === 'admin' && u.hasDashboardAccess)).toBe(true);
  });

  it('filters by invitedSource', async () => {
    for (const source of ['dashboard', 'api']) {
      const page = await listUsers(sb, `?invitedSource=${source}&limit=100`);
      expect(page.users.length).toBeGreaterThan(0);
      expect(page.users.every((u) => u.invitedSource === source)).toBe(true);
    }
  });

  it('combines filters', async () => {
    const page = await listUsers(sb, '?invitedSource=api&level=member&firstName=casey');
    expect(page.users.map((u) => u.email)).toEqual(['casey.morgan@hospital.example']);
  });

  it.each([
    ['level', '?level=superuser'],
    ['invitedSource', '?invitedSource=import'],
    ['email', '?email=not-an-email'],
    ['firstName', '?firstName='],
    ['sort', '?sort=name'],
    ['email', '?email=a%40b.example&email=c%40d.example'],
  ])('refuses a bad %s with 400', async (path, query) => {
    const reply = await sb.call('GET', `/v1/viewer/users${query}`);
    expect(reply.status).toBe(400);
    expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain(path);
  });
});

describe('GET and PATCH /v1/viewer/users/:userId', () => {
  const clock = testClock('2025-04-01T09:00:00.000Z');
  let sb: TestSandbox;

  beforeAll(async () => {
    sb = await startTestSandbox({ seed: true, now: clock.now });
  });
  afterAll(async () => {
    await sb.close();
  });

  const patch = (userId: string, body: unknown) => sb.call('PATCH', `/v1/viewer/users/${userId}`, { body });

  it('reads back what the invite answered', async () => {
    const user = await invite(sb, { middleName: 'Q', phoneNumber: '5551234567' });
    const reply = await sb.call('GET', `/v1/viewer/users/${user.userId}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(user);
  });

  it('changes only the fields sent and answers the updated user', async () => {
    const user = await invite(sb, { middleName: 'Q', suffix1: 'MD' });
    const reply = await patch(user.userId, {
      clinicRole: 'Cardiologist',
      canManageStudies: false,
      firstName: ' Sam ',
    });
    expect(reply.status).toBe(200);
    const updated = expectShape(UserSchema, reply.json);
    expect(updated).toEqual({
      ...user,
      clinicRole: 'Cardiologist',
      canManageStudies: false,
      firstName: 'Sam',
    });
    expect((await sb.call('GET', `/v1/viewer/users/${user.userId}`)).json).toEqual(updated);
  });

  it('clears optional fields with null or blank (then omits them)', async () => {
    const user = await invite(sb, {
      middleName: 'Q',
      suffix1: 'MD',
      suffix2: 'PhD',
      phoneNumber: '5551234567',
    });
    const reply = await patch(user.userId, { middleName: null, suffix1: '', phoneNumber: null });
    expect(reply.status).toBe(200);
    expect(reply.json).not.toHaveProperty('middleName');
    expect(reply.json).not.toHaveProperty('suffix1');
    expect(reply.json).not.toHaveProperty('phoneNumber');
    expect(expectShape(UserSchema, reply.json).suffix2).toBe('PhD');
  });

  it('refuses to change the e-mail, on the email field', async () => {
    const user = await invite(sb);
    const reply = await patch(user.userId, { email: 'other@hospital.example', firstName: 'Kim' });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      message: EMAIL_CANNOT_CHANGE,
      errors: [{ path: 'email', message: EMAIL_CANNOT_CHANGE }],
    });
    const alone = await patch(user.userId, { email: 'other@hospital.example' });
    expect(alone.status).toBe(400);
    expect(expectShape(ErrorBodySchema, alone.json).errors).toContainEqual({
      path: 'email',
      message: EMAIL_CANNOT_CHANGE,
    });
    expect((await sb.call('GET', `/v1/viewer/users/${user.userId}`)).json).toEqual(user);
  });

  it('refuses an empty patch and bad values', async () => {
    const user = await invite(sb);
    const empty = await patch(user.userId, {});
    expect(empty.status).toBe(400);
    expect(expectShape(ErrorBodySchema, empty.json).message).toBe(NOTHING_TO_CHANGE);
    for (const [path, body] of [
      ['firstName', { firstName: '' }],
      ['level', { level: 'owner' }],
      ['clinicRole', { clinicRole: 'Astronaut' }],
      ['phoneNumber', { phoneNumber: '123' }],
      ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
    ] as const) {
      const reply = await patch(user.userId, body);
      expect(reply.status, path).toBe(400);
      expect(expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path)).toContain(path);
    }
  });

  it('applies the admin rule to the merged record, both ways', async () => {
    const member = await invite(sb, { level: 'member', hasDashboardAccess: false });
    const promote = await patch(member.userId, { level: 'admin' });
    expect(promote.status).toBe(400);
    expect(promote.json).toEqual({
      message: ADMIN_NEEDS_DASHBOARD,
      errors: [{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }],
    });
    const promoteWithAccess = await patch(member.userId, { level: 'admin', hasDashboardAccess: true });
    expect(promoteWithAccess.status).toBe(200);

    const removeAccess = await patch(member.userId, { hasDashboardAccess: false });
    expect(removeAccess.status).toBe(400);
    expect(expectShape(ErrorBodySchema, removeAccess.json).errors?.[0]?.path).toBe('hasDashboardAccess');
    const demote = await patch(member.userId, { level: 'member', hasDashboardAccess: false });
    expect(demote.status).toBe(200);
    expect(expectShape(UserSchema, demote.json)).toMatchObject({
      level: 'member',
      hasDashboardAccess: false,
    });
  });

  it("refuses to change the owner's level, but lets other owner fields change", async () => {
    const owner = (await listUsers(sb, '?level=owner')).users[0];
    if (!owner) throw new Error('The seed has no owner.');
    for (const level of ['admin', 'member']) {
      const reply = await patch(owner.userId, { level });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({
        message: OWNER_LEVEL_FIXED,
        errors: [{ path: 'level', message: OWNER_LEVEL_FIXED }],
      });
    }
    const reply = await patch(owner.userId, { phoneNumber: '6175550199' });
    expect(reply.status).toBe(200);
    expect(expectShape(UserSchema, reply.json)).toMatchObject({ level: 'owner', phoneNumber: '6175550199' });
  });

  it('keeps a pending invitation in step with the user', async () => {
    const user = await invite(sb);
    clock.advance(60_000);
    expect((await patch(user.userId, { clinicRole: 'Surgeon' })).status).toBe(200);
    const page = expectShape(
      InvitationPageSchema,
      (await sb.call('GET', `/v1/viewer/users/invitations?userId=${user.userId}`)).json,
    );
    expect(page.invitations[0]).toMatchObject({
      clinicRole: 'Surgeon',
      updatedAt: clock.now().toISOString(),
    });
  });

  it('answers 404 for an unknown user, before looking at the body', async () => {
    const reply = await patch('usr_0123456789abcdef0123456789abcdef', { email: 'x' });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message: 'User not found' });
  });
});
