import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../../fake-api.ts';
import type { SentRequest } from '../../fake-api.ts';
import {
  MODE_ROUTE,
  aUser,
  address,
  anInvitation,
  captureDownloads,
  downloadedLines,
  nth,
  invitationsPage,
  lastQuery,
  renderReview,
} from '../../review.tsx';

const DAY_MS = 24 * 60 * 60 * 1000;
const INVITER = aUser(90, { firstName: 'Margaret', lastName: 'Okafor', level: 'owner' });
const PENDING = anInvitation(1, { firstName: 'Amara', lastName: 'Nwosu', suffix1: 'MD', level: 'admin' });
const EXPIRED = anInvitation(2, {
  firstName: 'Chloe',
  lastName: 'Dubois',
  invitedSource: 'dashboard',
  inviterId: INVITER.userId,
  expiry: new Date(Date.now() - 2 * DAY_MS - 60_000).toISOString(),
});
const ACCEPTED = anInvitation(3, { firstName: 'Diego', lastName: 'Ramírez', status: 'accepted' });
const ODD = anInvitation(4, {
  firstName: 'Odd',
  lastName: 'One',
  status: 'on-hold',
  clinicRole: 'Veterinarian',
});

function routes(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    ...MODE_ROUTE,
    'GET /api/invitations': () => invitationsPage([PENDING, EXPIRED, ACCEPTED, ODD]),
    [`GET /api/users/${INVITER.userId}`]: () => json(INVITER),
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
  it('shows status chips, relative expiry with the exact time on focus, who sent it, and actions only when pending', async () => {
    routes();
    const { user } = await renderReview('/invitations', 'Invitations');
    await screen.findByRole('table', { name: 'Invitations, newest first' });

    const pending = rowOf('Amara Nwosu, MD');
    expect(pending.getByText('Sent')).toBeVisible();
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
    expect(expired.getByText('Expired 2 days ago')).toBeVisible();
    expect(await expired.findByRole('link', { name: 'Margaret Okafor' })).toHaveAttribute(
      'href',
      `/users/${INVITER.userId}`,
    );
    expect(expired.getByText('None (not pending)')).toBeVisible();
    expect(expired.queryByRole('button', { name: /^Revoke/ })).toBeNull();

    const accepted = rowOf('Diego Ramírez');
    expect(accepted.getByText('Accepted')).toBeVisible();
    expect(accepted.getByText('No longer applies')).toBeVisible();

    const odd = rowOf('Odd One');
    expect(odd.getByText('on-hold')).toBeVisible();
    expect(odd.getByText('Veterinarian')).toBeVisible();
  });

  it('shows an invitation whose times Avara did not record, and exports them as empty cells', async () => {
    const downloads = captureDownloads();
    try {
      const untimed = anInvitation(6, {
        firstName: 'Ingrid',
        lastName: 'Holm',
        clinicRole: 'PACS Administrator',
        createdAt: null,
        updatedAt: null,
        expiry: null,
      });
      routes({ 'GET /api/invitations': () => invitationsPage([untimed, PENDING]) });
      const { user } = await renderReview('/invitations', 'Invitations');
      await screen.findByRole('table');
      const ingrid = rowOf('Ingrid Holm');
      expect(ingrid.getByText('Does not expire')).toBeVisible();
      expect(ingrid.getAllByText('Not recorded')).toHaveLength(2);
      expect(ingrid.getByText(/^Created/)).toHaveTextContent('Created Not recorded');
      expect(ingrid.getByText(/^Updated/)).toHaveTextContent('Updated Not recorded');
      expect(ingrid.getByText('PACS Administrator')).toBeVisible();
      // No expiry: still pending, so it can be edited and revoked.
      expect(ingrid.getByRole('button', { name: /^Edit/ })).toBeVisible();

      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await screen.findByText(/^Exported 2 invitations to /);
      const lines = await downloadedLines(downloads);
      const header = lines[0]?.split(',') ?? [];
      const cells = lines[1]?.split(',') ?? [];
      const cell = (name: string) => cells[header.indexOf(name)];
      expect([cell('expired'), cell('expiry'), cell('createdAt'), cell('updatedAt')]).toEqual([
        'false',
        '',
        '',
        '',
      ]);
    } finally {
      downloads.restore();
    }
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

  it('filters by several statuses, expiry and a date range, all in the address', async () => {
    const api = routes();
    const { user } = await renderReview('/invitations?limit=50', 'Invitations');
    await screen.findByRole('table');
    const filters = screen.getByRole('search', { name: 'Filter invitations' });
    await user.click(within(filters).getByRole('checkbox', { name: 'Sent' }));
    await waitFor(() => expect(address()).toBe('/invitations?limit=50&status=sent'));
    await user.click(within(filters).getByRole('checkbox', { name: 'Revoked' }));
    await waitFor(() => expect(address()).toBe('/invitations?limit=50&status=sent%2Crevoked'));
    await user.selectOptions(within(filters).getByLabelText('Expiry'), 'not-expired');
    await user.type(within(filters).getByLabelText('Created from'), '2026-03-01');
    await user.type(within(filters).getByLabelText('Created until'), '2026-03-31');
    await waitFor(() =>
      expect(Object.fromEntries(lastQuery(api.requests, '/api/invitations'))).toEqual({
        status: 'sent,revoked',
        expired: 'not-expired',
        startDate: '2026-03-01',
        endDate: '2026-03-31',
        limit: '50',
      }),
    );
    await user.click(within(filters).getByRole('checkbox', { name: 'Sent' }));
    await waitFor(() => expect(lastQuery(api.requests, '/api/invitations').get('status')).toBe('revoked'));
  });

  it('explains a date range that ends before it starts, and does not apply it', async () => {
    const api = routes();
    const { user } = await renderReview('/invitations?startDate=2026-03-10', 'Invitations');
    await screen.findByRole('table');
    const until = screen.getByLabelText('Created until');
    await user.type(until, '2026-03-01');
    expect(until).toHaveAccessibleDescription('The end date must be on or after the start date.');
    expect(lastQuery(api.requests, '/api/invitations').get('endDate')).toBeNull();
    expect(address()).toBe('/invitations?startDate=2026-03-10');
  });

  it('shows one person’s invitations from a link, and everyone’s again', async () => {
    const api = routes();
    const { user } = await renderReview(`/invitations?userId=${PENDING.userId}`, 'Invitations');
    await screen.findByRole('table');
    expect(lastQuery(api.requests, '/api/invitations').get('userId')).toBe(PENDING.userId);
    await user.click(screen.getByRole('button', { name: 'Show everyone’s' }));
    await waitFor(() => expect(address()).toBe('/invitations'));
  });

  it('says when nothing matches, and clears the filters', async () => {
    routes({
      'GET /api/invitations': (request) => invitationsPage(request.path.includes('status=') ? [] : [PENDING]),
    });
    const { user } = await renderReview('/invitations?status=rejected', 'Invitations');
    expect(await screen.findByText('No invitations match these filters')).toBeVisible();
    await user.click(nth(screen.getAllByRole('button', { name: 'Clear filters' }), -1));
    expect(await screen.findByRole('link', { name: 'Amara Nwosu, MD' })).toBeVisible();
    expect(address()).toBe('/invitations');
  });

  it('revokes a pending invitation after a confirmation, and refreshes the list', async () => {
    const revoked = { ...PENDING, status: 'revoked' };
    const api = routes({
      'GET /api/invitations': [() => invitationsPage([PENDING]), () => invitationsPage([revoked])],
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

  it('copies selected rows as email<TAB>userId and exports the filter as CSV', async () => {
    const downloads = captureDownloads();
    try {
      const api = routes({
        'GET /api/invitations': (request) =>
          request.path.includes('limit=100')
            ? request.path.includes('cursor=n2')
              ? invitationsPage([ACCEPTED])
              : invitationsPage([PENDING, EXPIRED], 'n2')
            : invitationsPage([PENDING, EXPIRED, ACCEPTED]),
      });
      const { user } = await renderReview('/invitations?status=sent,accepted', 'Invitations');
      await screen.findByRole('table');
      await user.click(screen.getByRole('checkbox', { name: 'Select the invitation for Amara Nwosu, MD' }));
      await user.click(screen.getByRole('checkbox', { name: 'Select the invitation for Diego Ramírez' }));
      await user.click(screen.getByRole('button', { name: 'Copy as TSV' }));
      await waitFor(async () =>
        expect(await navigator.clipboard.readText()).toBe(
          `${PENDING.email}\t${PENDING.userId}\n${ACCEPTED.email}\t${ACCEPTED.userId}`,
        ),
      );

      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(
        await screen.findByText(/^Exported 3 invitations to invitations-\d{4}-\d{2}-\d{2}\.csv\.$/),
      ).toBeVisible();
      expect(
        api.requests
          .filter((r) => r.path.includes('limit=100'))
          .map((r) => lastQueryOf(r.path).get('status')),
      ).toEqual(['sent,accepted', 'sent,accepted']);
      const lines = await downloadedLines(downloads);
      expect(lines[0]?.split(',').slice(0, 3)).toEqual(['invitationId', 'userId', 'email']);
      expect(lines.slice(1, 4).map((line) => line.split(',')[0])).toEqual([
        PENDING.invitationId,
        EXPIRED.invitationId,
        ACCEPTED.invitationId,
      ]);
      expect(lines[2]).toContain(',sent,true,');
    } finally {
      downloads.restore();
    }
  });
});

function lastQueryOf(path: string): URLSearchParams {
  return new URLSearchParams(path.split('?')[1] ?? '');
}
