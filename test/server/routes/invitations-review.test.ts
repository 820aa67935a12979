import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvitationPageSchema, InvitationSchema } from '../../../src/contract/invitations.ts';
import type { Invitation } from '../../../src/contract/invitations.ts';
import { ActionResultSchema, UserSchema } from '../../../src/contract/users.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * The BFF routes behind the Invitations screen, as the screen uses them: the list with several statuses, expiry and
 * a date range, paged to the end; edit while pending; revoke. For each route: a malformed id is refused with 400
 * before anything reaches Avara, and an Avara 404 becomes "no longer exists".
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

async function pending(overrides: Parameters<typeof newPerson>[0] = {}): Promise<Invitation> {
  const user = UserSchema.parse(
    (await stack.api('POST', '/api/users', { headers: newKey(), body: newPerson(overrides) })).json(),
  );
  const page = InvitationPageSchema.parse(
    (await stack.api('GET', `/api/invitations?userId=${user.userId}`)).json(),
  );
  const invitation = page.invitations[0];
  if (!invitation) throw new Error('The invite created no invitation.');
  await stack.clearUpstreamRequests();
  return invitation;
}

const list = async (query: string) => {
  const answer = await stack.api('GET', `/api/invitations${query}`);
  expect(answer.status, answer.text).toBe(200);
  return InvitationPageSchema.parse(answer.json());
};

type Route = {
  name: string;
  send: (invitationId: string) => Promise<HttpAnswer>;
  upstream: { method: string; path: string };
  /** An edit reads the stored record first (the admin rule, and the audit's "before"). */
  readsFirst?: true;
};

const INVITATION_ROUTES: Route[] = [
  {
    name: 'PATCH /api/invitations/:invitationId',
    send: (id) =>
      stack.api('PATCH', `/api/invitations/${id}`, { headers: newKey(), body: { suffix1: 'MD' } }),
    upstream: { method: 'PATCH', path: '/v1/viewer/users/invitations/inv_' },
    readsFirst: true,
  },
  {
    name: 'POST /api/invitations/:invitationId/revoke',
    send: (id) => stack.api('POST', `/api/invitations/${id}/revoke`, { headers: newKey(), body: {} }),
    upstream: { method: 'POST', path: '/v1/viewer/users/invitations/revoke' },
  },
];

describe('the Invitations list, as the screen filters and pages it', () => {
  it('filters several statuses at once, with expiry', async () => {
    const page = await list('?status=sent,revoked&limit=100');
    expect(new Set(page.invitations.map((i) => i.status))).toEqual(new Set(['sent', 'revoked']));
    const expired = await list('?status=sent&expired=expired&limit=100');
    expect(expired.invitations.length).toBeGreaterThan(0);
    expect(expired.invitations.every((i) => i.expiry !== null && Date.parse(i.expiry) < Date.now())).toBe(
      true,
    );
    const live = await list('?expired=not-expired&status=sent&limit=100');
    expect(live.invitations.every((i) => i.expiry === null || Date.parse(i.expiry) > Date.now())).toBe(true);
    const [sent] = await stack.upstreamRequests();
    expect(new URLSearchParams(sent?.query).get('status')).toBe('sent,revoked');
  });

  it('filters by the day they were created (both ends included)', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const invitation = await pending();
    const page = await list(`?startDate=${today}&endDate=${today}&limit=100`);
    expect(page.invitations.map((i) => i.invitationId)).toContain(invitation.invitationId);
    expect(page.invitations.every((i) => (i.createdAt ?? '').startsWith(today))).toBe(true);
    const problem = expectProblem(
      await stack.api('GET', '/api/invitations?startDate=2026-03-10&endDate=2026-03-01'),
      400,
      'validation',
    );
    expect(problem.errors?.map((e) => e.path)).toContain('endDate');
  });

  it('pages to the end with cursors, each invitation once', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await list(`?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.invitations.map((i) => i.invitationId));
      cursor = page.hasMore ? page.cursor : undefined;
      pages += 1;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('edit while pending, and revoke', () => {
  it('edits a pending invitation with only the changed fields', async () => {
    const invitation = await pending({ level: 'member', hasDashboardAccess: false });
    const answer = await stack.api('PATCH', `/api/invitations/${invitation.invitationId}`, {
      headers: newKey(),
      body: { clinicRole: 'Surgeon', canManageStudies: false },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(InvitationSchema.parse(answer.json())).toMatchObject({
      invitationId: invitation.invitationId,
      clinicRole: 'Surgeon',
      canManageStudies: false,
      status: 'sent',
    });
    const [read, sent] = await stack.upstreamRequests();
    expect(read?.method).toBe('GET');
    expect(sent?.body).toEqual({ clinicRole: 'Surgeon', canManageStudies: false });
  });

  it('revokes a pending invitation; then it can be neither revoked nor edited again', async () => {
    const invitation = await pending();
    const first = ActionResultSchema.parse(
      (
        await stack.api('POST', `/api/invitations/${invitation.invitationId}/revoke`, {
          headers: newKey(),
          body: {},
        })
      ).json(),
    );
    expect(first.success).toBe(true);
    const again = ActionResultSchema.parse(
      (
        await stack.api('POST', `/api/invitations/${invitation.invitationId}/revoke`, {
          headers: newKey(),
          body: {},
        })
      ).json(),
    );
    expect(again).toEqual({ success: false, message: expect.stringMatching(/no longer pending/) });
    const edit = expectProblem(
      await stack.api('PATCH', `/api/invitations/${invitation.invitationId}`, {
        headers: newKey(),
        body: { suffix1: 'MD' },
      }),
      409,
      'conflict',
    );
    expect(edit.title).toBe('This invitation can no longer be edited');
    const [listed] = (await list(`?userId=${invitation.userId}`)).invitations;
    expect(listed?.status).toBe('revoked');
  });
});

describe.each(INVITATION_ROUTES)('$name', (route) => {
  it('refuses a malformed invitationId with 400 before anything goes upstream', async () => {
    for (const id of ['inv_123', `usr_${'a'.repeat(32)}`, `inv_${'G'.repeat(32)}`]) {
      const problem = expectProblem(await route.send(id), 400, 'validation');
      expect(problem.errors?.map((e) => e.path)).toContain('invitationId');
    }
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('answers "This invitation no longer exists" when Avara says 404', async () => {
    const invitation = await pending();
    await stack.faults.add({
      method: route.upstream.method,
      path: route.upstream.path,
      status: 404,
      body: JSON.stringify({ message: 'Invitation not found' }),
    });
    const problem = expectProblem(await route.send(invitation.invitationId), 404, 'not-found');
    expect(problem.title).toBe('This invitation no longer exists');
    expect((await stack.upstreamRequests()).map((r) => r.method)).toEqual([
      ...(route.readsFirst ? ['GET'] : []),
      route.upstream.method,
    ]);
  });
});

describe('GET /api/invitations?userId=', () => {
  it('refuses a malformed userId before anything goes upstream', async () => {
    const problem = expectProblem(await stack.api('GET', '/api/invitations?userId=usr_1'), 400, 'validation');
    expect(problem.errors?.map((e) => e.path)).toContain('userId');
    expect(await stack.upstreamRequests()).toEqual([]);
  });
});
