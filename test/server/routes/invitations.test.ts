import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvitationPageSchema, InvitationSchema } from '../../../src/contract/invitations.ts';
import type { Invitation } from '../../../src/contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD } from '../../../src/contract/person.ts';
import { ActionResultSchema, UserSchema } from '../../../src/contract/users.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** /api/invitations/*: list (comma arrays), read, edit while pending, revoke. */

let stack: Stack;
const UNKNOWN_INVITATION = `inv_${'0'.repeat(32)}`;

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

/** Invite someone through the BFF and return their (pending) invitation. */
async function pendingInvitation(overrides: Parameters<typeof newPerson>[0] = {}): Promise<Invitation> {
  const user = UserSchema.parse(
    (await stack.api('POST', '/api/users', { body: newPerson(overrides) })).json(),
  );
  const page = InvitationPageSchema.parse(
    (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
  );
  const invitation = page.invitations[0];
  if (!invitation) throw new Error('The invite created no invitation');
  await stack.clearUpstreamRequests();
  return invitation;
}

async function expectNothingSentUpstream() {
  expect(await stack.upstreamRequests()).toEqual([]);
}

describe('GET /api/invitations', () => {
  it('lists invitations with their status and expiry', async () => {
    const answer = await stack.api('GET', '/api/invitations?limit=5');
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const page = InvitationPageSchema.parse(answer.json());
    expect(page.invitations).toHaveLength(5);
    expect(page.invitations[0]?.invitationId).toMatch(/^inv_[0-9a-f]{32}$/);
  });

  it('sends status filters upstream in comma format (from a comma list or repeated parameters)', async () => {
    for (const query of ['status=sent,revoked', 'status=sent&status=revoked']) {
      await stack.clearUpstreamRequests();
      const answer = await stack.api('GET', `/api/invitations?${query}&expired=all`);
      expect(answer.status, answer.text).toBe(200);
      const page = InvitationPageSchema.parse(answer.json());
      expect(page.invitations.length).toBeGreaterThan(0);
      expect(page.invitations.every((i) => i.status === 'sent' || i.status === 'revoked')).toBe(true);
      const [sent] = await stack.upstreamRequests();
      expect(sent?.query).toContain('status=sent,revoked');
      expect(new URLSearchParams(sent?.query).get('expired')).toBe('all');
    }
  });

  it('forwards the date range and userId filters', async () => {
    const invitation = await pendingInvitation();
    const today = new Date().toISOString().slice(0, 10);
    const answer = await stack.api(
      'GET',
      `/api/invitations?userId=${invitation.userId}&startDate=2020-01-01&endDate=${today}&expired=not-expired`,
    );
    const page = InvitationPageSchema.parse(answer.json());
    expect(page.invitations.map((i) => i.invitationId)).toEqual([invitation.invitationId]);
    const params = new URLSearchParams((await stack.upstreamRequests())[0]?.query);
    expect(params.get('userId')).toBe(invitation.userId);
    expect(params.get('startDate')).toBe('2020-01-01');
    expect(params.get('endDate')).toBe(today);
  });

  it.each([
    ['status=maybe', 'status'],
    ['expired=sometimes', 'expired'],
    ['startDate=2024-02-30', 'startDate'],
    ['startDate=2024-03-01&endDate=2024-02-01', 'endDate'],
    ['userId=usr_1', 'userId'],
    ['limit=1000', 'limit'],
    ['invitationId=inv_1', 'invitationId'],
  ])('refuses ?%s with a 400 naming %s, sending nothing upstream', async (query, path) => {
    const problem = expectProblem(await stack.api('GET', `/api/invitations?${query}`), 400, 'validation');
    // The first segment names the parameter (a list parameter may add the item: `status.0`).
    expect(problem.errors?.map((e) => e.path.split('.')[0])).toContain(path);
    await expectNothingSentUpstream();
  });
});

describe('GET /api/invitations/:invitationId', () => {
  it('returns one invitation', async () => {
    const invitation = await pendingInvitation();
    const answer = await stack.api('GET', `/api/invitations/${invitation.invitationId}`);
    expect(answer.status).toBe(200);
    expect(InvitationSchema.parse(answer.json())).toEqual(invitation);
  });

  it('refuses a malformed id before anything goes upstream, and answers 404 for an unknown one', async () => {
    const problem = expectProblem(await stack.api('GET', '/api/invitations/inv_123'), 400, 'validation');
    expect(problem.errors?.[0]?.path).toBe('invitationId');
    await expectNothingSentUpstream();
    const missing = expectProblem(
      await stack.api('GET', `/api/invitations/${UNKNOWN_INVITATION}`),
      404,
      'not-found',
    );
    expect(missing.title).toBe('This invitation no longer exists');
  });
});

describe('PATCH /api/invitations/:invitationId', () => {
  it('edits a pending invitation', async () => {
    const invitation = await pendingInvitation();
    const answer = await stack.api('PATCH', `/api/invitations/${invitation.invitationId}`, {
      body: { clinicRole: 'Surgeon', suffix2: 'FACS' },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(InvitationSchema.parse(answer.json())).toMatchObject({ clinicRole: 'Surgeon', suffix2: 'FACS' });
    const sent = await stack.upstreamRequests();
    expect(sent.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'PATCH',
        `/v1/viewer/users/invitations/${invitation.invitationId}`,
        { clinicRole: 'Surgeon', suffix2: 'FACS' },
      ],
      // Then the directory reads the person and their invitations again.
      ['GET', `/v1/viewer/users/${invitation.userId}`, null],
      ['GET', '/v1/viewer/users/invitations', null],
    ]);
  });

  it('checks the admin rule against the stored invitation, patching nothing', async () => {
    const invitation = await pendingInvitation({ hasDashboardAccess: false });
    const answer = await stack.api('PATCH', `/api/invitations/${invitation.invitationId}`, {
      body: { level: 'admin' },
    });
    const problem = expectProblem(answer, 400, 'validation');
    expect(problem.errors).toEqual([{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }]);
    expect((await stack.upstreamRequests()).map((r) => r.method)).toEqual(['GET']);
  });

  it('answers 409 "can no longer be edited" for an invitation that is not pending', async () => {
    const invitation = await pendingInvitation();
    await stack.api('POST', `/api/invitations/${invitation.invitationId}/revoke`);
    const answer = await stack.api('PATCH', `/api/invitations/${invitation.invitationId}`, {
      body: { firstName: 'Late' },
    });
    const problem = expectProblem(answer, 409, 'conflict');
    expect(problem.title).toBe('This invitation can no longer be edited');
    expect(problem.errors).toBeUndefined();
  });

  it.each([
    ['an email change', { email: 'x@clinic.example' }, 'email'],
    ['level "owner"', { level: 'owner' }, 'level'],
    ['an unknown field', { status: 'accepted' }, 'status'],
    ['nothing to change', {}, ''],
  ])('refuses %s with a 400 and sends nothing upstream', async (_label, body, path) => {
    const problem = expectProblem(
      await stack.api('PATCH', `/api/invitations/${UNKNOWN_INVITATION}`, { body }),
      400,
      'validation',
    );
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    await expectNothingSentUpstream();
  });

  it('refuses a malformed id and answers 404 for an unknown one', async () => {
    expectProblem(
      await stack.api('PATCH', '/api/invitations/nope', { body: { firstName: 'A' } }),
      400,
      'validation',
    );
    await expectNothingSentUpstream();
    expectProblem(
      await stack.api('PATCH', `/api/invitations/${UNKNOWN_INVITATION}`, {
        body: { firstName: 'A' },
      }),
      404,
      'not-found',
    );
  });
});

describe('POST /api/invitations/:invitationId/revoke', () => {
  it('revokes a pending invitation, sending { invitationId } upstream; a second revoke reports no success', async () => {
    const invitation = await pendingInvitation();
    const first = await stack.api('POST', `/api/invitations/${invitation.invitationId}/revoke`, {
      body: {},
    });
    expect(first.status).toBe(200);
    expect(ActionResultSchema.parse(first.json()).success).toBe(true);
    const second = await stack.api('POST', `/api/invitations/${invitation.invitationId}/revoke`);
    expect(ActionResultSchema.parse(second.json()).success).toBe(false);
    const sent = await stack.upstreamRequests();
    expect(sent[0]).toMatchObject({
      method: 'POST',
      path: '/v1/viewer/users/invitations/revoke',
      body: { invitationId: invitation.invitationId },
    });
    const after = InvitationSchema.parse(
      (await stack.api('GET', `/api/invitations/${invitation.invitationId}`)).json(),
    );
    expect(after.status).toBe('revoked');
  });

  it('refuses a body with fields or a malformed id, and answers 404 for an unknown invitation', async () => {
    const withField = await stack.api('POST', `/api/invitations/${UNKNOWN_INVITATION}/revoke`, {
      body: { reason: 'typo' },
    });
    expect(expectProblem(withField, 400, 'validation').errors?.map((e) => e.path)).toContain('reason');
    expectProblem(await stack.api('POST', '/api/invitations/inv_x/revoke'), 400, 'validation');
    await expectNothingSentUpstream();
    expectProblem(await stack.api('POST', `/api/invitations/${UNKNOWN_INVITATION}/revoke`), 404, 'not-found');
  });
});
