import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../../fake-api.ts';
import type { SentRequest } from '../../fake-api.ts';
import {
  MODE_ROUTE,
  aDirectoryInvitation,
  address,
  captureDownloads,
  directoryInvitationsPage,
  downloadedLines,
  lastQuery,
  nth,
  renderReview,
} from '../../review.tsx';

const DAY_MS = 24 * 60 * 60 * 1000;
const DANA = { operatorId: `opr_${'d'.repeat(32)}`, name: 'Dana Smith' };
const LIST = '/api/directory/invitations';
const OPERATORS_ROUTE = {
  'GET /api/operators/names': () =>
    json({
      operators: [
        {
          id: DANA.operatorId,
          email: 'dana@clinic.example',
          displayName: 'Dana Smith',
          role: 'administrator',
          disabled: false,
          mustChangePassword: false,
          createdAt: '2026-01-01T00:00:00.000Z',
          lastSignInAt: null,
        },
      ],
    }),
};

const PENDING_ROW = aDirectoryInvitation(1, {
  firstName: 'Amara',
  lastName: 'Nwosu',
  suffix1: 'MD',
  level: 'admin',
});
const PENDING = PENDING_ROW.invitation;
const EXPIRED_ROW = aDirectoryInvitation(
  2,
  {
    firstName: 'Chloe',
    lastName: 'Dubois',
    invitedSource: 'api',
    expiry: new Date(Date.now() - 2 * DAY_MS - 60_000).toISOString(),
  },
  { state: 'expired', invitedBy: { source: 'dashboard', label: 'Dana Smith', operator: DANA } },
);
const EXPIRED = EXPIRED_ROW.invitation;
const ACCEPTED_ROW = aDirectoryInvitation(
  3,
  { firstName: 'Diego', lastName: 'Ramírez', status: 'accepted' },
  { state: 'accepted', invitedBy: { source: 'avara', label: 'From Avara’s dashboard', operator: null } },
);
const ACCEPTED = ACCEPTED_ROW.invitation;

function routes(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    ...MODE_ROUTE,
    ...OPERATORS_ROUTE,
    [`GET ${LIST}`]: () => directoryInvitationsPage([PENDING_ROW, EXPIRED_ROW, ACCEPTED_ROW], { total: 42 }),
    ...extra,
  });
}

const rowOf = (name: string) => {
  const row = screen.getByRole('link', { name }).closest('tr');
  if (!row) throw new Error('The link is not in a table row.');
  return within(row);
};

const changes = (requests: readonly SentRequest[]) => requests.filter((r) => r.method !== 'GET');

describe('Invitations screen', () => {
  it('shows states (an expired one never "Sent"), expiry with the exact time on focus, who sent it, and actions by state', async () => {
    routes();
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table', { name: 'Invitations' });
    expect(screen.getByText('42 invitations')).toBeVisible();
    expect(screen.getByText(/^As of /)).toBeVisible();

    const pending = rowOf('Amara Nwosu, MD');
    expect(pending.getByText('Pending')).toBeVisible();
    const expiry = pending.getByText('Expires in 3 days');
    expect(pending.getByText('Through the API')).toBeVisible();
    expect(pending.getByRole('button', { name: 'Edit the invitation for Amara Nwosu, MD' })).toBeVisible();
    expect(pending.getByRole('button', { name: 'Revoke the invitation for Amara Nwosu, MD' })).toBeVisible();

    // Keyboard focus opens the tooltip with the exact time, which then describes the element.
    expiry.focus();
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip.textContent).toMatch(/\d{4}/);
    expect(expiry).toHaveAccessibleDescription(tooltip.textContent ?? '');
    await user.keyboard('{Escape}');

    const expired = rowOf('Chloe Dubois');
    expect(expired.getByText('Expired')).toBeVisible();
    expect(expired.queryByText('Sent')).toBeNull();
    expect(expired.getByText('Expired 2 days ago')).toBeVisible();
    // Sent from this dashboard: the operator's name, not "Through the API".
    expect(expired.getByText('Dana Smith')).toBeVisible();
    expect(expired.queryByText('Through the API')).toBeNull();
    expect(expired.getByRole('link', { name: 'What to do now' })).toHaveAttribute(
      'href',
      `/users/${EXPIRED.userId}`,
    );
    expect(expired.queryByRole('button', { name: /^Revoke/ })).toBeNull();

    const accepted = rowOf('Diego Ramírez');
    expect(accepted.getByText('Accepted')).toBeVisible();
    expect(accepted.getByText('No longer applies')).toBeVisible();
    expect(accepted.getByText('From Avara’s dashboard')).toBeVisible();
    expect(accepted.getByText('None (not pending)')).toBeVisible();
  });

  it('copies the invitationId and the userId of a row, exactly', async () => {
    routes();
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table');
    const row = rowOf('Amara Nwosu, MD');
    await user.click(row.getByRole('button', { name: 'Copy invitationId of Amara Nwosu, MD' }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(PENDING.invitationId));
    await user.click(row.getByRole('button', { name: 'Copy userId of Amara Nwosu, MD' }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(PENDING.userId));
    expect(row.getAllByRole('status').map((s) => s.textContent)).toContain(
      'Copied the userId of Amara Nwosu, MD to the clipboard.',
    );
  });

  it('searches as the admin types, and filters by several states, who sent them and a date range, all in the address', async () => {
    const api = routes();
    const { user } = await renderReview('/invitations?limit=50', 'Invitations');
    await screen.findByRole('table');
    const filters = screen.getByRole('search', { name: 'Find invitations' });
    await user.type(within(filters).getByRole('searchbox', { name: 'Search invitations' }), 'dubois');
    await waitFor(() => expect(address()).toBe('/invitations?limit=50&q=dubois'));
    await user.click(within(filters).getByRole('checkbox', { name: 'Expired' }));
    await waitFor(() => expect(address()).toBe('/invitations?limit=50&q=dubois&state=expired'));
    await user.click(within(filters).getByRole('checkbox', { name: 'Pending' }));
    await waitFor(() => expect(address()).toBe('/invitations?limit=50&q=dubois&state=pending%2Cexpired'));
    await user.selectOptions(await within(filters).findByLabelText('Invited by'), DANA.operatorId);
    await user.type(within(filters).getByLabelText('Sent from'), '2026-03-01');
    await user.type(within(filters).getByLabelText('Sent until'), '2026-03-31');
    await user.selectOptions(within(filters).getByLabelText('Sort by'), 'expiry');
    await waitFor(() =>
      expect(Object.fromEntries(lastQuery(api.requests, LIST))).toEqual({
        q: 'dubois',
        state: 'pending,expired',
        invitedBy: DANA.operatorId,
        invitedFrom: '2026-03-01',
        invitedTo: '2026-03-31',
        sort: 'expiry',
        limit: '50',
        page: '1',
      }),
    );
    await user.click(within(filters).getByRole('checkbox', { name: 'Pending' }));
    await waitFor(() => expect(lastQuery(api.requests, LIST).get('state')).toBe('expired'));
  });

  it('explains a date range that ends before it starts, and does not apply it', async () => {
    const api = routes();
    const { user } = await renderReview('/invitations?invitedFrom=2026-03-10', 'Invitations');
    await screen.findByRole('table');
    const until = screen.getByLabelText('Sent until');
    await user.type(until, '2026-03-01');
    expect(until).toHaveAccessibleDescription('The end date must be on or after the start date.');
    expect(lastQuery(api.requests, LIST).get('invitedTo')).toBeNull();
    expect(address()).toBe('/invitations?invitedFrom=2026-03-10');
  });

  it('shows one person’s invitations from a link, and everyone’s again', async () => {
    const api = routes();
    const { user } = await renderReview(`/invitations?userId=${PENDING.userId}`, 'Invitations');
    await screen.findByRole('table');
    expect(lastQuery(api.requests, LIST).get('userId')).toBe(PENDING.userId);
    await user.click(screen.getByRole('button', { name: 'Show everyone’s' }));
    await waitFor(() => expect(address()).toBe('/invitations'));
  });

  it('says when nothing matches, and clears the filters', async () => {
    routes({
      [`GET ${LIST}`]: (request) =>
        directoryInvitationsPage(request.path.includes('state=') ? [] : [PENDING_ROW]),
    });
    const { user } = await renderReview('/invitations?state=declined', 'Invitations');
    expect(await screen.findByText('No invitations match these filters')).toBeVisible();
    await user.click(nth(screen.getAllByRole('button', { name: 'Clear filters' }), -1));
    expect(await screen.findByRole('link', { name: 'Amara Nwosu, MD' })).toBeVisible();
    expect(address()).toBe('/invitations');
  });

  it('revokes a pending invitation after a confirmation, and refreshes the list', async () => {
    const revoked = { ...PENDING, status: 'revoked' };
    const api = routes({
      [`GET ${LIST}`]: [
        () => directoryInvitationsPage([PENDING_ROW]),
        () => directoryInvitationsPage([{ ...PENDING_ROW, invitation: revoked, state: 'revoked' }]),
      ],
      [`POST /api/invitations/${PENDING.invitationId}/revoke`]: () =>
        json({ success: true, message: 'The invitation was revoked. Its link no longer works.' }),
    });
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Revoke the invitation for Amara Nwosu, MD' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke the invitation for Amara Nwosu, MD?' });
    expect(confirm).toHaveAccessibleDescription(
      `The link in the invitation email sent to ${PENDING.email} will stop working, so Amara Nwosu, MD cannot join the clinic with it. This cannot be undone.`,
    );
    await user.click(within(confirm).getByRole('button', { name: 'Revoke invitation' }));
    const outcome = await screen.findByText(
      'Revoked the invitation for Amara Nwosu, MD. The invitation was revoked. Its link no longer works.',
    );
    await waitFor(() => expect(outcome.closest('[role="status"]')).toHaveFocus());
    expect(changes(api.requests).map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `/api/invitations/${PENDING.invitationId}/revoke`, {}],
    ]);
    expect(await rowOf('Amara Nwosu, MD').findByText('Revoked')).toBeVisible();
  });

  it('says when an invitation was no longer pending', async () => {
    routes({
      [`POST /api/invitations/${PENDING.invitationId}/revoke`]: () =>
        json({ success: false, message: 'This invitation is no longer pending.' }),
    });
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Revoke the invitation for Amara Nwosu, MD' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke invitation' }),
    );
    expect(await screen.findByText('This invitation is no longer pending.')).toBeVisible();
  });

  it('edits a pending invitation with the same form, sending only what changed', async () => {
    const api = routes({
      [`PATCH /api/invitations/${PENDING.invitationId}`]: () => json({ ...PENDING, clinicRole: 'Surgeon' }),
    });
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Edit the invitation for Amara Nwosu, MD' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit the invitation for Amara Nwosu, MD' });
    const form = within(dialog).getByRole('form', { name: 'Edit invitation' });
    expect(within(form).getByRole('textbox', { name: 'Email' })).toHaveAttribute('readonly');
    // An admin: dashboard access is on and locked.
    expect(within(form).getByRole('switch', { name: 'Dashboard access' })).toBeDisabled();
    const role = within(form).getByRole('combobox', { name: 'Clinic role' });
    await user.clear(role);
    await user.type(role, 'Surg');
    await user.keyboard('{Enter}');
    await user.click(within(form).getByRole('switch', { name: 'May manage studies' }));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The invitation for Amara Nwosu, MD was updated.')).toBeVisible();
    expect(changes(api.requests).map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'PATCH',
        `/api/invitations/${PENDING.invitationId}`,
        { clinicRole: 'Surgeon', canManageStudies: true },
      ],
    ]);
  });

  it('explains when the invitation can no longer be edited, keeping what was typed', async () => {
    routes({
      [`PATCH /api/invitations/${PENDING.invitationId}`]: () =>
        problem(409, {
          type: '/problems/conflict',
          title: 'This invitation can no longer be edited',
          detail: 'Only pending invitations can be edited.',
        }),
    });
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Edit the invitation for Amara Nwosu, MD' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: 'Suffix 2 (optional)' }), 'FACR');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('This invitation can no longer be edited.');
    expect(within(dialog).getByRole('textbox', { name: 'Suffix 2 (optional)' })).toHaveValue('FACR');
  });

  it('copies selected rows as email<TAB>userId<TAB>invitationId, and exports selected rows or all matching', async () => {
    const downloads = captureDownloads();
    try {
      const api = routes({
        [`GET ${LIST}`]: (request) =>
          request.path.includes('limit=100')
            ? request.path.includes('page=2')
              ? directoryInvitationsPage([ACCEPTED_ROW], { total: 101, page: 2, limit: 100 })
              : directoryInvitationsPage([PENDING_ROW, EXPIRED_ROW], { total: 101, limit: 100 })
            : directoryInvitationsPage([PENDING_ROW, EXPIRED_ROW, ACCEPTED_ROW], { total: 101 }),
      });
      const { user } = await renderReview('/invitations?state=pending,expired,accepted', 'Invitations');
      await screen.findByRole('table');
      await user.click(screen.getByRole('checkbox', { name: 'Select the invitation for Amara Nwosu, MD' }));
      await user.click(screen.getByRole('checkbox', { name: 'Select the invitation for Diego Ramírez' }));
      await user.click(screen.getByRole('button', { name: 'Copy as TSV' }));
      await waitFor(async () =>
        expect(await navigator.clipboard.readText()).toBe(
          `${PENDING.email}\t${PENDING.userId}\t${PENDING.invitationId}\n${ACCEPTED.email}\t${ACCEPTED.userId}\t${ACCEPTED.invitationId}`,
        ),
      );
      expect(
        screen.getByText('Copied 2 rows (email, userId and invitationId, separated by a tab).'),
      ).toBeVisible();

      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await user.click(screen.getByRole('button', { name: 'Selected rows (2)' }));
      expect(await screen.findByText(/^Exported 2 invitations to /)).toBeVisible();
      let lines = await downloadedLines(downloads);
      expect(lines.slice(1, 3).map((line) => line.split(',')[0])).toEqual([
        PENDING.invitationId,
        ACCEPTED.invitationId,
      ]);

      downloads.files.length = 0;
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await user.click(screen.getByRole('button', { name: 'All matching (101)' }));
      expect(
        await screen.findByText(/^Exported 3 invitations to invitations-\d{4}-\d{2}-\d{2}\.csv\.$/),
      ).toBeVisible();
      expect(
        api.requests
          .filter((r) => r.path.includes('limit=100'))
          .map((r) => [lastQueryOf(r.path).get('state'), lastQueryOf(r.path).get('page')]),
      ).toEqual([
        ['pending,expired,accepted', '1'],
        ['pending,expired,accepted', '2'],
      ]);
      lines = await downloadedLines(downloads);
      const header = lines[0]?.split(',') ?? [];
      expect(header.slice(0, 3)).toEqual(['invitationId', 'userId', 'email']);
      const cells = lines[2]?.split(',') ?? [];
      const cell = (name: string) => cells[header.indexOf(name)];
      expect([cell('invitationId'), cell('state'), cell('status'), cell('invitedBy')]).toEqual([
        EXPIRED.invitationId,
        'expired',
        'sent',
        'Dana Smith',
      ]);
    } finally {
      downloads.restore();
    }
  });
});

function lastQueryOf(path: string): URLSearchParams {
  return new URLSearchParams(path.split('?')[1] ?? '');
}
