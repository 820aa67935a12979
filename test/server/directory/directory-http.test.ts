import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserSchema } from '../../../src/contract/users.ts';
import type { User } from '../../../src/contract/users.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { batchOf, createBatch, waitForBatch } from '../bulk/bulk-support.ts';
import { directoryOf } from './support.ts';

/**
 * The directory's routes over the demo clinic: the searches, each status with its source, changes made here
 * visible at once (invite, edit, revoke access then reactivate, revoke an invitation), live reads correcting it,
 * and bad queries refused naming the field.
 */

let stack: Stack;
let directory: ReturnType<typeof directoryOf>;

beforeAll(async () => {
  stack = await startStack();
  directory = directoryOf(stack.client);
  await directory.refresh();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
});

const names = async (query: string) =>
  (await directory.people(query)).people.map((p) => `${p.user.firstName} ${p.user.lastName}`);

async function invite(overrides: Parameters<typeof newPerson>[0] = {}): Promise<User> {
  const answer = await stack.api('POST', '/api/users', { body: newPerson(overrides) });
  expect(answer.status, answer.text).toBe(201);
  return UserSchema.parse(answer.json());
}

const personOf = async (userId: string) => {
  const page = await directory.people(`?q=${userId}`);
  expect(page.total).toBe(1);
  const person = page.people[0];
  if (!person) throw new Error('Nobody found.');
  return person;
};

describe('searching the directory', () => {
  it('finds the issue examples', async () => {
    expect(await names('?q=natarajan%20p')).toEqual(['Priya Natarajan']);
    expect(await names('?q=PRIYA')).toEqual(['Priya Natarajan']);
    expect(await names('?q=Priya%20Natarajan')).toEqual(['Priya Natarajan']);
    expect(await names('?q=ya.natar')).toEqual(['Priya Natarajan']);
    expect(await names('?q=zoe')).toEqual(['Zoë Papadopoulos']);
    expect(await names('?q=%20617%20555%200102')).toEqual(['Priya Natarajan']);
    expect(await names('?q=ram%C3%ADrez')).toEqual(['Diego Ramírez']);
  });

  it('counts everyone matching and those who never signed in', async () => {
    const page = await directory.people('?limit=5&page=2&sort=name');
    expect(page.total).toBe(29);
    expect(page.people).toHaveLength(5);
    expect(page).toMatchObject({ page: 2, limit: 5 });
    expect(page.neverSignedIn).toBe(
      page.total -
        (await directory.people('?limit=100')).people.filter((p) => p.user.lastLoginAt !== null).length,
    );
    expect(page.freshness.asOf).not.toBeNull();
  });

  it('labels an expired invitation as expired, never as sent', async () => {
    const expired = await directory.people('?status=invitation-expired&limit=100');
    expect(expired.people.map((p) => p.user.lastName).sort()).toEqual(['Dubois', 'Lindqvist', 'Tanaka']);
    const states = await directory.invitations('?state=expired&limit=100');
    expect(states.invitations.map((i) => i.invitation.lastName).sort()).toEqual([
      'Dubois',
      'Lindqvist',
      'Tanaka',
    ]);
    expect(states.invitations.every((i) => i.invitation.status === 'sent' && i.state === 'expired')).toBe(
      true,
    );
    const pending = await directory.invitations('?state=pending&limit=100');
    expect(pending.invitations.map((i) => i.invitation.lastName)).not.toContain('Dubois');
  });

  it('refuses bad queries with 400 naming the field, sending nothing upstream', async () => {
    await stack.clearUpstreamRequests();
    for (const [path, field] of [
      ['/api/directory/people?status=gone', 'status'],
      ['/api/directory/people?sort=age', 'sort'],
      ['/api/directory/people?limit=101', 'limit'],
      ['/api/directory/people?page=0', 'page'],
      ['/api/directory/people?level=boss', 'level'],
      ['/api/directory/people?dashboard=maybe', 'dashboard'],
      ['/api/directory/people?invitedBy=someone', 'invitedBy'],
      ['/api/directory/people?invitedFrom=2026-02-30', 'invitedFrom'],
      ['/api/directory/people?invitedFrom=2026-03-02&invitedTo=2026-03-01', 'invitedTo'],
      ['/api/directory/people?q=%20%20', 'q'],
      ['/api/directory/people?colour=blue', 'colour'],
      ['/api/directory/invitations?state=sent', 'state'],
      ['/api/directory/invitations?userId=42', 'userId'],
      ['/api/directory/invitations?sort=-age', 'sort'],
    ] as const) {
      const problem = expectProblem(await stack.api('GET', path), 400, 'validation');
      const paths = problem.errors?.map((e) => e.path) ?? [];
      // A list names the item too (status.0).
      expect(
        paths.some((p) => p === field || p.startsWith(`${field}.`)),
        `${path}: ${paths.join()}`,
      ).toBe(true);
    }
    expectProblem(
      await stack.api('POST', '/api/directory/refresh', { body: { now: true } }),
      400,
      'validation',
    );
    expect(await stack.upstreamRequests()).toEqual([]);
  });
});

describe('changes made here', () => {
  it('are in the directory as soon as the change answers, with who made them', async () => {
    const operatorId = stack.client.session.operator.id;
    const user = await invite({ firstName: 'Imogen', lastName: 'Thistlewood' });
    let person = await personOf(user.userId);
    expect(person.status).toBe('invited');
    expect(person.invitedBy).toMatchObject({ source: 'dashboard', operator: { operatorId } });
    expect(person.latestInvitation?.status).toBe('sent');
    expect((await directory.people(`?invitedBy=${operatorId}&q=thistlewood`)).total).toBe(1);

    const edit = await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { lastName: 'Thistlewaite' },
    });
    expect(edit.status, edit.text).toBe(200);
    expect((await personOf(user.userId)).user.lastName).toBe('Thistlewaite');
    expect((await directory.invitations(`?userId=${user.userId}`)).invitations[0]?.invitation.lastName).toBe(
      'Thistlewaite',
    );

    const invitationId = person.latestInvitation?.invitationId ?? '';
    const revokeInvitation = await stack.api('POST', `/api/invitations/${invitationId}/revoke`);
    expect(revokeInvitation.status, revokeInvitation.text).toBe(200);
    person = await personOf(user.userId);
    expect(person.status).toBe('invitation-revoked');
    expect((await directory.invitations(`?q=${invitationId}`)).invitations[0]?.state).toBe('revoked');
  });

  it('each row a bulk invite sent is in the directory once it is sent, invited by its operator', async () => {
    const body = batchOf(2);
    const batch = await waitForBatch(stack.client, await createBatch(stack.client, body));
    expect(batch.counts.sent).toBe(2);
    for (const row of body.rows) {
      const page = await directory.people(`?q=${encodeURIComponent(row.invite?.email ?? '')}`);
      expect(page.total).toBe(1);
      expect(page.people[0]?.invitedBy.operator?.operatorId).toBe(stack.client.session.operator.id);
      expect(page.people[0]?.latestInvitation?.status).toBe('sent');
    }
  });

  it('says "access revoked here" by whom until a reactivate clears it', async () => {
    const [priya] = (await directory.people('?q=priya%20natarajan')).people;
    if (!priya) throw new Error('Priya is in the demo clinic.');
    expect(priya.status).toBe('active');
    const revoke = await stack.api('POST', `/api/users/${priya.user.userId}/revoke-access`);
    expect(revoke.status, revoke.text).toBe(200);
    const revoked = await personOf(priya.user.userId);
    expect(revoked.status).toBe('access-revoked');
    expect(revoked.statusSource).toBe('dashboard');
    expect(revoked.accessRevoked?.by.operatorId).toBe(stack.client.session.operator.id);
    expect(revoked.accessRevoked?.by.name.length).toBeGreaterThan(0);
    expect(await names('?status=access-revoked')).toEqual(['Priya Natarajan']);

    const reactivate = await stack.api('POST', `/api/users/${priya.user.userId}/reactivate`);
    expect(reactivate.status, reactivate.text).toBe(200);
    const back = await personOf(priya.user.userId);
    expect(back.status).toBe('active');
    expect(back.accessRevoked).toBeNull();
    expect(await names('?status=access-revoked')).toEqual([]);
  });

  it('a failure to read the person again never fails the change', async () => {
    const user = await invite({ firstName: 'Ottoline' });
    await stack.faults.add([
      { method: 'GET', path: `/v1/viewer/users/${user.userId}`, status: 503, times: 10 },
      { method: 'GET', path: '/v1/viewer/users/invitations', status: 503, times: 10 },
    ]);
    const revoke = await stack.api('POST', `/api/users/${user.userId}/revoke-access`);
    expect(revoke.status, revoke.text).toBe(200);
    // An edit reads the person first (what changed, for the audit trail), so only their invitations fail this time.
    // The edit's answer is the user as Avara now holds them: kept even though their invitations could not be read.
    await stack.faults.clear();
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users/invitations', status: 503, times: 10 });
    const edit = await stack.api('PATCH', `/api/users/${user.userId}`, { body: { middleName: 'Rae' } });
    expect(edit.status, edit.text).toBe(200);
    const person = await personOf(user.userId);
    expect(person.user.middleName).toBe('Rae');
    expect(person.status).toBe('access-revoked');
  });

  it('live reads correct the directory', async () => {
    const user = await invite({ firstName: 'Perpetua' });
    // Changed in Avara directly, then opened here.
    const patched = await fetch(`${stack.sandboxUrl}/v1/viewer/users/${user.userId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${stack.sandboxKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'Philippa' }),
    });
    expect(patched.status).toBe(200);
    expect((await personOf(user.userId)).user.firstName).toBe('Perpetua');
    expect((await stack.api('GET', `/api/users/${user.userId}`)).status).toBe(200);
    expect((await personOf(user.userId)).user.firstName).toBe('Philippa');
    // Avara says the user does not exist: the directory forgets them.
    await stack.faults.add({ method: 'GET', path: `/v1/viewer/users/${user.userId}`, status: 404, times: 1 });
    expect((await stack.api('GET', `/api/users/${user.userId}`)).status).toBe(404);
    expect((await directory.people(`?q=${user.userId}`)).total).toBe(0);
  });
});
