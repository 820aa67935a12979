import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { ActionResultSchema, UserPageSchema, UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * The BFF routes behind the Users screen, as the screen uses them: the list with every filter and the cursor walk an
 * export makes, one user, an edit with only the changed fields, revoke access then reactivate. For each route: a
 * malformed id is refused with 400 before anything reaches Avara, and an Avara 404 becomes "no longer exists".
 */

let stack: Stack;

/** Every change carries its own Idempotency-Key, as the web app sends. */
const newKey = () => ({ 'idempotency-key': randomUUID() });

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

async function invite(overrides: Parameters<typeof newPerson>[0] = {}): Promise<User> {
  const answer = await stack.api('POST', '/api/users', { headers: newKey(), body: newPerson(overrides) });
  expect(answer.status, answer.text).toBe(201);
  await stack.clearUpstreamRequests();
  return UserSchema.parse(answer.json());
}

const list = async (query: string) => {
  const answer = await stack.api('GET', `/api/users${query}`);
  expect(answer.status, answer.text).toBe(200);
  return UserPageSchema.parse(answer.json());
};

type Route = {
  name: string;
  send: (userId: string) => Promise<HttpAnswer>;
  upstream: { method: string; path: string };
};

const USER_ROUTES: Route[] = [
  {
    name: 'GET /api/users/:userId',
    send: (id) => stack.api('GET', `/api/users/${id}`),
    upstream: { method: 'GET', path: '/v1/viewer/users/usr_' },
  },
  {
    name: 'PATCH /api/users/:userId',
    send: (id) =>
      stack.api('PATCH', `/api/users/${id}`, { headers: newKey(), body: { clinicRole: 'Surgeon' } }),
    upstream: { method: 'PATCH', path: '/v1/viewer/users/usr_' },
  },
  {
    name: 'POST /api/users/:userId/revoke-access',
    send: (id) => stack.api('POST', `/api/users/${id}/revoke-access`, { headers: newKey(), body: {} }),
    upstream: { method: 'POST', path: '/v1/viewer/users/revoke-access' },
  },
  {
    name: 'POST /api/users/:userId/reactivate',
    send: (id) => stack.api('POST', `/api/users/${id}/reactivate`, { headers: newKey(), body: {} }),
    upstream: { method: 'POST', path: '/v1/viewer/users/reactivate' },
  },
];

describe('the Users list, as the screen pages and exports it', () => {
  it('finds someone just invited at the top of the first page', async () => {
    const user = await invite();
    const page = await list('?limit=20');
    expect(page.users[0]?.userId).toBe(user.userId);
    expect(page.users[0]?.lastLoginAt).toBeNull();
  });

  it('walks every page of a filter with its cursors (the CSV export), each person once', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await list(
        `?level=member&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.users.every((u) => u.level === 'member')).toBe(true);
      seen.push(...page.users.map((u) => u.userId));
      cursor = page.hasMore ? page.cursor : undefined;
      pages += 1;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await list('?level=member&limit=100');
    expect(seen).toEqual(all.users.map((u) => u.userId));
  });

  it('matches an exact email (case-insensitively) and names that contain the text', async () => {
    const user = await invite({ firstName: 'Quentin', lastName: 'Zabriskie' });
    expect(
      (await list(`?email=${encodeURIComponent(user.email.toUpperCase())}`)).users.map((u) => u.userId),
    ).toEqual([user.userId]);
    expect((await list('?firstName=uenti&lastName=abrisk')).users.map((u) => u.userId)).toEqual([
      user.userId,
    ]);
    expect((await list('?invitedSource=api&level=member&firstName=uenti')).users).toHaveLength(1);
  });

  it('refuses a stale page link with a 400 on the cursor (the screen offers the first page)', async () => {
    const problem = expectProblem(
      await stack.api('GET', '/api/users?cursor=not-a-cursor'),
      400,
      'validation',
    );
    expect(problem.errors?.map((e) => e.path)).toContain('cursor');
  });
});

describe('one user: read, edit, revoke access, reactivate', () => {
  it('reads every field of a user', async () => {
    const user = await invite({
      middleName: 'Marie',
      suffix1: 'MD',
      suffix2: 'FACR',
      phoneNumber: '5551234567',
    });
    const answer = await stack.api('GET', `/api/users/${user.userId}`);
    expect(answer.status).toBe(200);
    expect(UserSchema.parse(answer.json())).toEqual(user);
  });

  it('edits only the fields sent, and the user’s pending invitation follows', async () => {
    const user = await invite({ middleName: 'Marie', level: 'member', hasDashboardAccess: false });
    const answer = await stack.api('PATCH', `/api/users/${user.userId}`, {
      headers: newKey(),
      body: { middleName: null, clinicRole: 'Surgeon', level: 'admin', hasDashboardAccess: true },
    });
    expect(answer.status, answer.text).toBe(200);
    const updated = UserSchema.parse(answer.json());
    expect(updated).toEqual({
      ...user,
      middleName: undefined,
      clinicRole: 'Surgeon',
      level: 'admin',
      hasDashboardAccess: true,
    });
    const [sent] = (await stack.upstreamRequests()).filter((r) => r.method === 'PATCH');
    expect(sent?.body).toEqual({
      middleName: null,
      clinicRole: 'Surgeon',
      level: 'admin',
      hasDashboardAccess: true,
    });
    const invitations = InvitationPageSchema.parse(
      (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
    );
    expect(invitations.invitations[0]).toMatchObject({
      clinicRole: 'Surgeon',
      level: 'admin',
      middleName: null,
    });
  });

  it('revokes access, says so when it was already revoked, then reactivates', async () => {
    const user = await invite();
    const steps: [string, boolean][] = [
      ['revoke-access', true],
      ['revoke-access', false],
      ['reactivate', true],
      ['reactivate', false],
    ];
    for (const [action, success] of steps) {
      const answer = await stack.api('POST', `/api/users/${user.userId}/${action}`, {
        headers: newKey(),
        body: {},
      });
      expect(answer.status, answer.text).toBe(200);
      const result = ActionResultSchema.parse(answer.json());
      expect(result.success).toBe(success);
      expect(result.message?.length).toBeGreaterThan(0);
    }
    const sent = (await stack.upstreamRequests()).map((r) => [r.method, r.path, r.body]);
    // Each followed by the directory's read of the person and their invitations.
    const reads = [
      ['GET', `/v1/viewer/users/${user.userId}`, null],
      ['GET', '/v1/viewer/users/invitations', null],
    ];
    expect(sent).toEqual([
      ['POST', '/v1/viewer/users/revoke-access', { userId: user.userId }],
      ...reads,
      ['POST', '/v1/viewer/users/revoke-access', { userId: user.userId }],
      ...reads,
      ['POST', '/v1/viewer/users/reactivate', { userId: user.userId }],
      ...reads,
      ['POST', '/v1/viewer/users/reactivate', { userId: user.userId }],
      ...reads,
    ]);
  });

  it('refuses to revoke the clinic owner (the screen does not offer it)', async () => {
    const [owner] = (await list('?level=owner')).users;
    if (!owner) throw new Error('The sandbox seeded no owner.');
    const problem = expectProblem(
      await stack.api('POST', `/api/users/${owner.userId}/revoke-access`, { headers: newKey(), body: {} }),
      400,
      'validation',
    );
    expect(problem.detail).toBe('Avara did not accept the request. Check the details and try again.');
    // Still there, still the owner.
    expect(UserSchema.parse((await stack.api('GET', `/api/users/${owner.userId}`)).json()).level).toBe(
      'owner',
    );
  });
});

describe.each(USER_ROUTES)('$name', (route) => {
  it('refuses a malformed userId with 400 before anything goes upstream', async () => {
    for (const id of ['usr_123', `usr_${'A'.repeat(32)}`, `inv_${'a'.repeat(32)}`, 'usr_%2E%2E']) {
      const problem = expectProblem(await route.send(id), 400, 'validation');
      expect(problem.errors?.map((e) => e.path)).toContain('userId');
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('answers "This user no longer exists" when Avara says 404', async () => {
    const user = await invite();
    // Removed in Avara between the list and this request.
    await stack.faults.add({
      method: route.upstream.method,
      path: route.upstream.path,
      status: 404,
      body: JSON.stringify({ message: 'User not found' }),
    });
    const problem = expectProblem(await route.send(user.userId), 404, 'not-found');
    expect(problem.title).toBe('This user no longer exists');
    expect(problem.detail).toMatch(/removed in Avara/);
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });
});
