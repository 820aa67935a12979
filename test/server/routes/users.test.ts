import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_NEEDS_DASHBOARD } from '../../../src/contract/person.ts';
import {
  ActionResultSchema,
  NOTHING_TO_CHANGE,
  UserPageSchema,
  UserSchema,
} from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { upstreamIdempotencyKey } from '../../../src/server/idempotency/idempotent-route.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** /api/users/*: happy paths, contract refusals (with nothing sent upstream) and the real sandbox's own refusals. */

let stack: Stack;
const UNKNOWN_USER = `usr_${'0'.repeat(32)}`;

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

async function invited(overrides: Parameters<typeof newPerson>[0] = {}): Promise<User> {
  const answer = await stack.api('POST', '/api/users', { body: newPerson(overrides) });
  expect(answer.status, answer.text).toBe(201);
  await stack.clearUpstreamRequests();
  return UserSchema.parse(answer.json());
}

async function expectNothingSentUpstream() {
  expect(await stack.upstreamRequests()).toEqual([]);
}

describe('POST /api/users (invite)', () => {
  it('invites: 201 with the user, sending the normalised input upstream', async () => {
    const input = newPerson({
      firstName: '  Sarah ',
      middleName: '   ',
      email: '  Dr.Johnson.Invite@Hospital.Example ',
      phoneNumber: '+1 (555) 123-4567',
      suffix1: 'MD',
    });
    const answer = await stack.api('POST', '/api/users', { body: input });
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    const user = UserSchema.parse(answer.json());
    expect(user).toMatchObject({
      firstName: 'Sarah',
      email: 'dr.johnson.invite@hospital.example',
      phoneNumber: '15551234567',
      invitedSource: 'api',
      lastLoginAt: null,
    });
    expect(user.userId).toMatch(/^usr_[0-9a-f]{32}$/);
    const [sent] = await stack.upstreamRequests();
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/viewer/users' });
    expect(sent?.body).toEqual({
      firstName: 'Sarah',
      lastName: input.lastName,
      suffix1: 'MD',
      email: 'dr.johnson.invite@hospital.example',
      phoneNumber: '15551234567',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: true,
    });
  });

  it("sends a key derived from a valid Idempotency-Key upstream (never the browser's own) and refuses a malformed one", async () => {
    await stack.api('POST', '/api/users', {
      body: newPerson(),
      headers: { 'idempotency-key': 'invite-7c1f0b' },
    });
    expect((await stack.upstreamRequests())[0]?.headers['idempotency-key']).toBe(
      upstreamIdempotencyKey(stack.client.session.operator.id, 'invite-7c1f0b'),
    );

    await stack.clearUpstreamRequests();
    const tooLong = await stack.api('POST', '/api/users', {
      body: newPerson(),
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expectProblem(tooLong, 400, 'validation');
    await expectNothingSentUpstream();
  });

  it.each([
    ['an unexpected field', { role: 'admin' }, 'role'],
    ['level "owner"', { level: 'owner' }, 'level'],
    ['a wrong type', { hasDashboardAccess: 'yes' }, 'hasDashboardAccess'],
    [
      'an admin without dashboard access',
      { level: 'admin', hasDashboardAccess: false },
      'hasDashboardAccess',
    ],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a blank first name', { firstName: '   ' }, 'firstName'],
    ['a short phone number', { phoneNumber: '12345' }, 'phoneNumber'],
    ['a role outside the catalogue', { clinicRole: 'Wizard' }, 'clinicRole'],
  ])('refuses %s with a 400 field error and sends nothing upstream', async (_label, overrides, path) => {
    const answer = await stack.api('POST', '/api/users', { body: { ...newPerson(), ...overrides } });
    const problem = expectProblem(answer, 400, 'validation');
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    await expectNothingSentUpstream();
  });

  it('names the admin rule on hasDashboardAccess in words for a clinic administrator', async () => {
    const answer = await stack.api('POST', '/api/users', {
      body: newPerson({ level: 'admin', hasDashboardAccess: false }),
    });
    const problem = expectProblem(answer, 400, 'validation');
    expect(problem.errors).toEqual([{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }]);
  });

  it('refuses a missing body, broken JSON, a non-JSON type and an oversized body', async () => {
    expectProblem(await stack.api('POST', '/api/users'), 400, 'validation');
    expectProblem(
      await stack.api('POST', '/api/users', {
        rawBody: '{"firstName": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'validation',
    );
    expectProblem(
      await stack.api('POST', '/api/users', {
        rawBody: 'firstName=Sarah',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported-media-type',
    );
    expectProblem(
      await stack.api('POST', '/api/users', {
        rawBody: JSON.stringify(newPerson()),
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported-media-type',
    );
    const huge = await stack.api('POST', '/api/users', {
      body: { ...newPerson(), middleName: 'x'.repeat(70 * 1024) },
    });
    expectProblem(huge, 413, 'validation');
    await expectNothingSentUpstream();
  });

  it('answers a duplicate email (the sandbox says 409) with the error on the email field', async () => {
    const person = newPerson();
    expect((await stack.api('POST', '/api/users', { body: person })).status).toBe(201);
    const again = await stack.api('POST', '/api/users', {
      body: { ...newPerson(), email: person.email.toUpperCase() },
    });
    const problem = expectProblem(again, 409, 'duplicate-email');
    expect(problem.errors).toEqual([
      { path: 'email', message: 'Someone with this email address has already been invited.' },
    ]);
  });
});

describe('GET /api/users', () => {
  it('lists the seeded clinic, newest first, with cursor paging', async () => {
    const first = UserPageSchema.parse((await stack.api('GET', '/api/users?limit=10')).json());
    expect(first.users).toHaveLength(10);
    expect(first.hasMore).toBe(true);
    const created = first.users.map((u) => u.createdAt ?? '');
    expect([...created].sort().reverse()).toEqual(created);
    const next = await stack.api(
      'GET',
      `/api/users?limit=10&cursor=${encodeURIComponent(first.cursor ?? '')}`,
    );
    const second = UserPageSchema.parse(next.json());
    expect(second.users.length).toBeGreaterThan(0);
    const firstIds = new Set(first.users.map((u) => u.userId));
    expect(second.users.some((u) => firstIds.has(u.userId))).toBe(false);
  });

  it('forwards the filters with the upstream parameter names', async () => {
    const answer = await stack.api('GET', '/api/users?level=admin&invitedSource=dashboard&lastName=e');
    expect(answer.status).toBe(200);
    const page = UserPageSchema.parse(answer.json());
    expect(page.users.every((u) => u.level === 'admin' && u.invitedSource === 'dashboard')).toBe(true);
    const [sent] = await stack.upstreamRequests();
    expect(new URLSearchParams(sent?.query)).toEqual(
      new URLSearchParams({ lastName: 'e', level: 'admin', invitedSource: 'dashboard' }),
    );
  });

  it('reads back the owner (a level this product cannot assign)', async () => {
    const page = UserPageSchema.parse((await stack.api('GET', '/api/users?level=owner')).json());
    expect(page.users.map((u) => u.level)).toEqual(['owner']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=101', 'limit'],
    ['level=superuser', 'level'],
    ['invitedSource=fax', 'invitedSource'],
    ['email=nope', 'email'],
    ['sort=name', 'sort'],
  ])('refuses ?%s with a 400 naming %s, sending nothing upstream', async (query, path) => {
    const problem = expectProblem(await stack.api('GET', `/api/users?${query}`), 400, 'validation');
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    await expectNothingSentUpstream();
  });
});

describe('GET /api/users/:userId', () => {
  it('returns one user', async () => {
    const user = await invited();
    const answer = await stack.api('GET', `/api/users/${user.userId}`);
    expect(answer.status).toBe(200);
    expect(UserSchema.parse(answer.json())).toEqual(user);
  });

  it('refuses a malformed id before anything goes upstream', async () => {
    for (const id of ['usr_123', `USR_${'a'.repeat(32)}`, `inv_${'a'.repeat(32)}`, '..%2F..%2Fadmin']) {
      const problem = expectProblem(await stack.api('GET', `/api/users/${id}`), 400, 'validation');
      expect(problem.errors?.[0]?.path).toBe('userId');
    }
    await expectNothingSentUpstream();
  });

  it('answers 404 "no longer exists" for an unknown user', async () => {
    const problem = expectProblem(await stack.api('GET', `/api/users/${UNKNOWN_USER}`), 404, 'not-found');
    expect(problem.title).toBe('This user no longer exists');
  });
});

describe('PATCH /api/users/:userId', () => {
  it('updates only the fields sent and clears with null', async () => {
    const user = await invited({ middleName: 'Marie', suffix1: 'MD' });
    const answer = await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { firstName: ' Sally ', middleName: null, canManageStudies: false },
    });
    expect(answer.status, answer.text).toBe(200);
    const updated = UserSchema.parse(answer.json());
    expect(updated.firstName).toBe('Sally');
    expect(updated.middleName ?? null).toBeNull();
    expect(updated.suffix1).toBe('MD');
    expect(updated.canManageStudies).toBe(false);
    const sent = await stack.upstreamRequests();
    // Then the directory reads the person's invitations again.
    expect(sent.map((r) => [r.method, r.path])).toEqual([
      ['PATCH', `/v1/viewer/users/${user.userId}`],
      ['GET', '/v1/viewer/users/invitations'],
    ]);
    expect(sent[0]?.body).toEqual({ firstName: 'Sally', middleName: null, canManageStudies: false });
  });

  it('checks the admin rule on the merged record: refuses admin for someone without dashboard access', async () => {
    const user = await invited({ hasDashboardAccess: false });
    const answer = await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { level: 'admin' },
    });
    const problem = expectProblem(answer, 400, 'validation');
    expect(problem.errors).toEqual([{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }]);
    // It read the stored record and patched nothing.
    expect((await stack.upstreamRequests()).map((r) => r.method)).toEqual(['GET']);
  });

  it('refuses turning dashboard access off for an admin, and allows promoting with access in one go', async () => {
    const user = await invited({ hasDashboardAccess: false });
    const promoted = await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { level: 'admin', hasDashboardAccess: true },
    });
    expect(promoted.status).toBe(200);
    expect(UserSchema.parse(promoted.json()).level).toBe('admin');
    // The patch decided on its own: no extra read before it (the directory's read of the invitations comes after).
    expect((await stack.upstreamRequests()).map((r) => r.method)).toEqual(['PATCH', 'GET']);

    const demoted = await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { hasDashboardAccess: false },
    });
    expectProblem(demoted, 400, 'validation');
  });

  it.each([
    ['an email change', { email: 'new@clinic.example' }, 'email'],
    ['level "owner"', { level: 'owner' }, 'level'],
    ['nothing to change', {}, ''],
    ['a wrong type', { canManageStudies: 'no' }, 'canManageStudies'],
    [
      'admin without access in the patch',
      { level: 'admin', hasDashboardAccess: false },
      'hasDashboardAccess',
    ],
  ])('refuses %s with a 400 and sends nothing upstream', async (_label, body, path) => {
    const problem = expectProblem(
      await stack.api('PATCH', `/api/users/${UNKNOWN_USER}`, { body }),
      400,
      'validation',
    );
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    await expectNothingSentUpstream();
  });

  it('explains "nothing to change" in plain words', async () => {
    const problem = expectProblem(
      await stack.api('PATCH', `/api/users/${UNKNOWN_USER}`, { body: {} }),
      400,
      'validation',
    );
    expect(problem.errors?.[0]?.message).toBe(NOTHING_TO_CHANGE);
  });

  it('refuses a malformed id and answers 404 for an unknown one', async () => {
    expectProblem(
      await stack.api('PATCH', '/api/users/usr_nope', { body: { firstName: 'A' } }),
      400,
      'validation',
    );
    await expectNothingSentUpstream();
    expectProblem(
      await stack.api('PATCH', `/api/users/${UNKNOWN_USER}`, { body: { firstName: 'A' } }),
      404,
      'not-found',
    );
  });
});

describe('POST /api/users/:userId/revoke-access and /reactivate', () => {
  it('revokes access and reactivates, sending { userId } upstream', async () => {
    const user = await invited();
    const revoked = await stack.api('POST', `/api/users/${user.userId}/revoke-access`, { body: {} });
    expect(revoked.status).toBe(200);
    expect(ActionResultSchema.parse(revoked.json()).success).toBe(true);
    // An empty body (no content type at all) is fine too.
    const reactivated = await stack.api('POST', `/api/users/${user.userId}/reactivate`);
    expect(reactivated.status).toBe(200);
    expect(ActionResultSchema.parse(reactivated.json()).success).toBe(true);
    const sent = await stack.upstreamRequests();
    // Each followed by the directory's read of the person and their invitations.
    const reads = [
      ['GET', `/v1/viewer/users/${user.userId}`, null],
      ['GET', '/v1/viewer/users/invitations', null],
    ];
    expect(sent.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/v1/viewer/users/revoke-access', { userId: user.userId }],
      ...reads,
      ['POST', '/v1/viewer/users/reactivate', { userId: user.userId }],
      ...reads,
    ]);
  });

  it('accepts an empty JSON body sent with a JSON content type', async () => {
    const user = await invited();
    const answer = await stack.api('POST', `/api/users/${user.userId}/revoke-access`, {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
  });

  it.each(['revoke-access', 'reactivate'])(
    '%s: refuses a body with fields, or a malformed id',
    async (action) => {
      const withField = await stack.api('POST', `/api/users/${UNKNOWN_USER}/${action}`, {
        body: { userId: UNKNOWN_USER },
      });
      expect(expectProblem(withField, 400, 'validation').errors?.map((e) => e.path)).toContain('userId');
      expectProblem(await stack.api('POST', `/api/users/usr_x/${action}`, { body: {} }), 400, 'validation');
      expectProblem(
        await stack.api('POST', `/api/users/${UNKNOWN_USER}/${action}`, { body: [] }),
        400,
        'validation',
      );
      await expectNothingSentUpstream();
    },
  );

  it.each(['revoke-access', 'reactivate'])('%s: answers 404 for an unknown user', async (action) => {
    const problem = expectProblem(
      await stack.api('POST', `/api/users/${UNKNOWN_USER}/${action}`, { body: {} }),
      404,
      'not-found',
    );
    expect(problem.title).toBe('This user no longer exists');
  });
});
