import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../../../src/contract/audit.ts';
import { ActivityPage } from '../../../../src/web/features/activity/activity-page.tsx';
import { SARAH, fakeApi, json, problem } from '../../fake-api.ts';
import { DANA_SESSION, renderGated } from '../../signed-in.tsx';

const USER_ID = 'usr_1234567890abcdef1234567890abcdef';
const INVITE: AuditRecord = {
  id: '2',
  at: '2026-03-02T09:15:00.000Z',
  operatorId: DANA_SESSION.operator.id,
  operatorEmail: 'dana@clinic.org',
  action: 'user.invite',
  targetUserId: USER_ID,
  targetInvitationId: null,
  targetOperatorId: null,
  targetEmail: 'new.person@clinic.org',
  requestId: 'req-2',
  outcome: 'success',
  upstreamStatus: 201,
  detail: null,
  clientAddress: null,
  changes: [],
  targetName: null,
};
const SIGN_IN: AuditRecord = {
  ...INVITE,
  id: '1',
  at: '2026-03-02T09:00:00.000Z',
  action: 'session.sign-in',
  targetUserId: null,
  targetEmail: null,
  upstreamStatus: null,
  outcome: 'failure',
  detail: 'Wrong password.',
  clientAddress: '192.0.2.7',
  changes: [],
  targetName: null,
};

const operators = () => json({ operators: [] });

describe('Activity screen', () => {
  it('lists the trail newest first, with what happened, whom (named, linked) and copyable ids', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () =>
        json({
          records: [{ ...INVITE, targetName: 'Priya Natarajan' }, SIGN_IN],
          cursor: null,
          hasMore: false,
        }),
    });
    const { user } = renderGated(<ActivityPage />);
    const table = await screen.findByRole('table', { name: 'Activity, newest first' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const invite = rows[0] as HTMLElement;
    expect(within(invite).getByText('Invited a user')).toBeVisible();
    expect(within(invite).getByRole('link', { name: 'Priya Natarajan' })).toHaveAttribute(
      'href',
      `/users/${USER_ID}`,
    );
    expect(within(invite).getByText(USER_ID)).toBeVisible();
    expect(within(invite).getByRole('button', { name: 'Copy userId of Priya Natarajan' })).toBeVisible();
    expect(within(invite).getByText('Done')).toBeVisible();
    // The technical facts one click away.
    expect(within(invite).getByText('Avara answered HTTP 201')).not.toBeVisible();
    await user.click(within(invite).getByRole('button', { name: 'Technical detail' }));
    expect(within(invite).getByText('Avara answered HTTP 201')).toBeVisible();
    expect(within(invite).getByText('req-2')).toBeVisible();
    const signIn = rows[1] as HTMLElement;
    expect(within(signIn).getByText('Signed in')).toBeVisible();
    expect(within(signIn).getByText('Not done: wrong password')).toBeVisible();
    expect(within(signIn).getByText('Wrong password.')).not.toBeVisible();
    await user.click(within(signIn).getByRole('button', { name: 'Technical detail' }));
    expect(within(signIn).getByText('Wrong password.')).toBeVisible();
    expect(within(signIn).getByText('From address 192.0.2.7')).toBeVisible();
  });

  it('writes outcomes for an administrator, from the action, outcome, status and detail', async () => {
    const failed = (id: string, overrides: Partial<AuditRecord>): AuditRecord => ({
      ...INVITE,
      id,
      outcome: 'failure',
      ...overrides,
    });
    const records: AuditRecord[] = [
      failed('10', { upstreamStatus: 409, detail: 'This person has already been invited (http)' }),
      failed('11', { outcome: 'pending', upstreamStatus: null }),
      failed('12', {
        action: 'user.update',
        upstreamStatus: null,
        detail: 'Avara took too long to answer (timeout)',
      }),
      failed('13', {
        action: 'user.update',
        outcome: 'refused',
        upstreamStatus: null,
        detail: 'Some details need attention',
      }),
      failed('14', { action: 'invitation.revoke', upstreamStatus: 409, detail: 'x (http)' }),
      failed('15', { action: 'user.revoke-access', upstreamStatus: 404, detail: 'x (http)' }),
      failed('16', { action: 'user.update', upstreamStatus: 503, detail: 'x (http)' }),
    ];
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records, cursor: null, hasMore: false }),
    });
    renderGated(<ActivityPage />);
    const table = await screen.findByRole('table', { name: 'Activity, newest first' });
    const outcomes = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.querySelectorAll('td')[4]?.querySelector('p')?.textContent);
    expect(outcomes).toEqual([
      'Not sent: this person was already invited',
      'Not known yet: Avara did not answer in time',
      'Not known yet: Avara did not answer in time',
      'Refused: some details need attention',
      'Not done: the invitation is no longer pending',
      'Not done: this person no longer exists in Avara',
      'Not done: Avara had a problem on its side',
    ]);
  });

  it('shows what an edit changed', async () => {
    const edit: AuditRecord = {
      ...INVITE,
      id: '20',
      action: 'user.update',
      changes: [
        { field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' },
        { field: 'phoneNumber', from: '+15555550100', to: null },
      ],
    };
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records: [edit], cursor: null, hasMore: false }),
    });
    renderGated(<ActivityPage />);
    const changed = await screen.findByRole('list', { name: 'What changed' });
    expect(
      within(changed)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Role: Radiologist → Cardiologist', 'Phone: +15555550100 → (empty)']);
  });

  it('filters by person from the address, shows them as a chip with their name, and the chip removes the filter', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      [`GET /api/users/${USER_ID}`]: () =>
        json({
          ...SARAH,
          userId: USER_ID,
          firstName: 'Priya',
          middleName: null,
          lastName: 'Natarajan',
          suffix1: null,
          suffix2: null,
        }),
      'GET /api/audit': () => json({ records: [INVITE], cursor: null, hasMore: false }),
    });
    const { user } = renderGated(<ActivityPage />, {
      path: `/activity?userId=${USER_ID}&action=user.invite`,
    });
    await screen.findByRole('table');
    const chip = await screen.findByRole('button', { name: 'Person: Priya Natarajan. Remove this filter' });
    expect(api.requests.find((r) => r.path.startsWith('/api/audit'))?.path).toBe(
      `/api/audit?userId=${USER_ID}&action=user.invite&limit=50`,
    );
    chip.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(api.requests.at(-1)?.path).toBe('/api/audit?action=user.invite&limit=50'));
    expect(screen.queryByRole('button', { name: /^Person:/ })).toBeNull();
  });

  it('ignores a malformed userId in the address', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records: [], cursor: null, hasMore: false }),
    });
    renderGated(<ActivityPage />, { path: '/activity?userId=usr_nope' });
    await screen.findByText('Nothing recorded matches these filters.', {}, { timeout: 5000 });
    expect(api.requests.find((r) => r.path.startsWith('/api/audit'))?.path).toBe('/api/audit?limit=50');
    expect(screen.queryByRole('button', { name: /^Person:/ })).toBeNull();
  });

  it('filters by action and date through the address, and pages with "Show older"', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': (request) =>
        request.path.includes('cursor=')
          ? json({ records: [SIGN_IN], cursor: null, hasMore: false })
          : json({ records: [INVITE], cursor: 'next-page', hasMore: true }),
    });
    const { user } = renderGated(<ActivityPage />, { path: '/activity?from=2026-03-01' });
    await screen.findByRole('table');
    expect(api.requests.find((r) => r.path.startsWith('/api/audit'))?.path).toBe(
      '/api/audit?from=2026-03-01&limit=50',
    );
    await user.selectOptions(screen.getByLabelText('Action'), 'Invited a user');
    await waitFor(() =>
      expect(api.requests.at(-1)?.path).toBe('/api/audit?action=user.invite&from=2026-03-01&limit=50'),
    );
    await user.click(await screen.findByRole('button', { name: 'Show older activity' }));
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(3));
    expect(api.requests.at(-1)?.path).toBe(
      '/api/audit?action=user.invite&from=2026-03-01&cursor=next-page&limit=50',
    );
  });

  it("shows and filters a bulk invite's batch record", async () => {
    const batch: AuditRecord = {
      ...INVITE,
      id: '3',
      action: 'bulk.invite',
      targetUserId: null,
      targetEmail: null,
      upstreamStatus: null,
      detail: `Batch bat_${'a'.repeat(32)}: 30 rows, 27 sent, 3 skipped, 0 failed, 0 cancelled.`,
    };
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records: [batch], cursor: null, hasMore: false }),
    });
    const { user } = renderGated(<ActivityPage />);
    const table = await screen.findByRole('table', { name: 'Activity, newest first' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('Invited many people (a batch)')).toBeVisible();
    expect(within(row).getByText(batch.detail ?? '')).toBeVisible();
    await user.selectOptions(screen.getByLabelText('Action'), 'Invited many people (a batch)');
    await waitFor(() => expect(api.requests.at(-1)?.path).toBe('/api/audit?action=bulk.invite&limit=50'));
  });

  it('exports the filtered trail as CSV with the X-CSRF header', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records: [INVITE], cursor: null, hasMore: false }),
      'GET /api/audit.csv': () =>
        new Response('"time"\r\n', {
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename="activity.csv"',
          },
        }),
    });
    const createObjectURL = vi.fn(() => 'blob:activity');
    vi.stubGlobal(
      'URL',
      class extends URL {
        static override createObjectURL = createObjectURL;
        static override revokeObjectURL = vi.fn();
      },
    );
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const { user } = renderGated(<ActivityPage />, { path: '/activity?action=user.invite' });
    await user.click(await screen.findByRole('button', { name: 'Export as CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const sent = api.requests.find((r) => r.path.startsWith('/api/audit.csv'));
    expect(sent?.path).toBe('/api/audit.csv?action=user.invite');
    expect(sent?.headers.get('x-csrf')).toBe('1');
    expect(createObjectURL).toHaveBeenCalled();
  });

  it('says why an export failed, in the words of the server (through the one fetch path)', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': operators,
      'GET /api/audit': () => json({ records: [INVITE], cursor: null, hasMore: false }),
      'GET /api/audit.csv': () =>
        problem(400, {
          type: '/problems/validation',
          title: 'The start date must be on or before the end date.',
        }),
    });
    const { user } = renderGated(<ActivityPage />, { path: '/activity' });
    await user.click(await screen.findByRole('button', { name: 'Export as CSV' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The start date must be on or before the end date.',
    );
    const sent = api.requests.find((r) => r.path.startsWith('/api/audit.csv'));
    expect(sent?.headers.get('accept')).toBe('text/csv');
    expect(sent?.headers.get('x-csrf')).toBe('1');
  });
});
