import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { InvitationPageSchema } from '../../../src/contract/invitations.ts';
import { UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** What an edit changed, in its audit record: each field with its value before and after (real sandbox and BFF). */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
});

function change(method: 'POST' | 'PATCH', path: string, body: unknown) {
  return stack.api(method, path, { body, headers: { 'idempotency-key': randomUUID() } });
}

async function latest(): Promise<AuditRecord> {
  const answer = await stack.api('GET', '/api/audit?limit=1');
  expect(answer.status, answer.text).toBe(200);
  const [record] = AuditPageSchema.parse(answer.json()).records;
  if (!record) throw new Error('No audit record');
  return record;
}

async function invite(overrides: Parameters<typeof newPerson>[0] = {}): Promise<User> {
  const answer = await change(
    'POST',
    '/api/users',
    newPerson({
      middleName: 'Marie',
      suffix1: 'MD',
      suffix2: 'PhD',
      phoneNumber: '+15555550100',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: false,
      ...overrides,
    }),
  );
  expect(answer.status, answer.text).toBe(201);
  return UserSchema.parse(answer.json());
}

async function pendingInvitationOf(user: User): Promise<string> {
  const page = InvitationPageSchema.parse(
    (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
  );
  const id = page.invitations[0]?.invitationId;
  if (!id) throw new Error('No invitation');
  return id;
}

/** Each editable field, set to a new value (and the optional text fields cleared), with what the record says. */
const EDITS: { name: string; patch: Record<string, unknown>; changes: (u: User) => unknown[] }[] = [
  {
    name: 'first name',
    patch: { firstName: 'Sally' },
    changes: (u) => [{ field: 'firstName', from: u.firstName, to: 'Sally' }],
  },
  {
    name: 'last name',
    patch: { lastName: 'Ramírez' },
    changes: (u) => [{ field: 'lastName', from: u.lastName, to: 'Ramírez' }],
  },
  {
    name: 'middle name, changed',
    patch: { middleName: 'Anne' },
    changes: () => [{ field: 'middleName', from: 'Marie', to: 'Anne' }],
  },
  {
    name: 'middle name, cleared',
    patch: { middleName: null },
    changes: () => [{ field: 'middleName', from: 'Marie', to: null }],
  },
  {
    name: 'both suffixes, cleared',
    patch: { suffix1: null, suffix2: null },
    changes: () => [
      { field: 'suffix1', from: 'MD', to: null },
      { field: 'suffix2', from: 'PhD', to: null },
    ],
  },
  {
    name: 'phone, cleared',
    patch: { phoneNumber: null },
    changes: (u) => [{ field: 'phoneNumber', from: u.phoneNumber, to: null }],
  },
  {
    name: 'role',
    patch: { clinicRole: 'Cardiologist' },
    changes: () => [{ field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' }],
  },
  {
    name: 'level and dashboard access',
    patch: { level: 'admin', hasDashboardAccess: true },
    // Dashboard access was already on: only the level changed.
    changes: () => [{ field: 'level', from: 'member', to: 'admin' }],
  },
  {
    name: 'dashboard access and managing studies',
    patch: { hasDashboardAccess: false, canManageStudies: true },
    changes: () => [
      { field: 'hasDashboardAccess', from: 'true', to: 'false' },
      { field: 'canManageStudies', from: 'false', to: 'true' },
    ],
  },
  { name: 'nothing that differs', patch: { clinicRole: 'Radiologist' }, changes: () => [] },
];

describe.each([
  { kind: 'user.update', path: async (u: User) => `/api/users/${u.userId}` },
  {
    kind: 'invitation.update',
    path: async (u: User) => `/api/invitations/${await pendingInvitationOf(u)}`,
  },
])('$kind records what changed', ({ kind, path }) => {
  it.each(EDITS)('$name', async ({ patch, changes }) => {
    const user = await invite();
    const answer = await change('PATCH', await path(user), patch);
    expect(answer.status, answer.text).toBe(200);
    const record = await latest();
    expect(record).toMatchObject({ action: kind, outcome: 'success', targetUserId: user.userId });
    expect(record.changes).toEqual(changes(user));
  });
});

describe('changes of an edit that did not go through', () => {
  it('a refusal by the admin rule records what was asked for', async () => {
    const user = await invite({ hasDashboardAccess: false });
    expectProblem(await change('PATCH', `/api/users/${user.userId}`, { level: 'admin' }), 400, 'validation');
    const record = await latest();
    expect(record).toMatchObject({ action: 'user.update', outcome: 'refused' });
    expect(record.changes).toEqual([{ field: 'level', from: 'member', to: 'admin' }]);
  });

  it('an edit Avara refuses records what was asked for, with the failure', async () => {
    const user = await invite();
    await stack.faults.add({ method: 'PATCH', path: `/v1/viewer/users/${user.userId}`, status: 500 });
    const answer = await change('PATCH', `/api/users/${user.userId}`, { clinicRole: 'Surgeon' });
    expect(answer.status).toBe(502);
    const record = await latest();
    expect(record).toMatchObject({ action: 'user.update', outcome: 'failure', upstreamStatus: 500 });
    expect(record.changes).toEqual([{ field: 'clinicRole', from: 'Radiologist', to: 'Surgeon' }]);
  });

  it('other actions record no changes', async () => {
    const user = await invite();
    expect(await latest()).toMatchObject({ action: 'user.invite', changes: [] });
    expect((await change('POST', `/api/users/${user.userId}/revoke-access`, {})).status).toBe(200);
    expect(await latest()).toMatchObject({ action: 'user.revoke-access', changes: [] });
  });
});

describe('the CSV export', () => {
  it('writes each change for an administrator in the last column', async () => {
    const user = await invite();
    await change('PATCH', `/api/users/${user.userId}`, { clinicRole: 'Cardiologist', middleName: null });
    const csv = await stack.api('GET', '/api/audit.csv?action=user.update');
    expect(csv.status).toBe(200);
    const [header, first] = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(header?.endsWith(',"detail","changes"')).toBe(true);
    expect(first).toContain(user.userId);
    expect(first?.endsWith(',"Middle name: Marie → (empty); Role: Radiologist → Cardiologist"')).toBe(true);
  });
});
