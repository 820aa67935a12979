import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN_NEEDS_DASHBOARD } from '../../../../src/contract/person.ts';
import { NOTHING_TO_CHANGE } from '../../../../src/contract/users.ts';
import { fakeApi, json, problem } from '../../fake-api.ts';
import type { SentRequest } from '../../fake-api.ts';
import {
  MODE_ROUTE,
  aUser,
  address,
  anInvitation,
  aPerson,
  invitationsPage,
  peoplePage,
  renderReview,
} from '../../review.tsx';
import type { DirectoryPerson } from '../../../../src/contract/directory.ts';
import { formatDate } from '../../../../src/web/lib/dates.ts';

const SARAH = aUser(7, {
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: 'MD',
  phoneNumber: '5551234567',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: false,
  canManageStudies: false,
  lastLoginAt: null,
});
const USER_PATH = `/api/users/${SARAH.userId}`;
const INVITATION = anInvitation(7, { email: SARAH.email, firstName: 'Sarah', lastName: 'Johnson' });

const SARAH_IN_DIRECTORY = aPerson(7, SARAH);
const DANA = { operatorId: `opr_${'d'.repeat(32)}`, name: 'Dana Smith' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** The list (the directory: Sarah found by her userId too), the person, and their invitation; extra routes on top. */
function routes(
  extra: Parameters<typeof fakeApi>[0] = {},
  inDirectory: DirectoryPerson = SARAH_IN_DIRECTORY,
) {
  return fakeApi({
    ...MODE_ROUTE,
    'GET /api/directory/people': (request) =>
      request.path.includes(`q=${SARAH.userId}`)
        ? peoplePage([inDirectory])
        : peoplePage([inDirectory, aPerson(8)]),
    [`GET ${USER_PATH}`]: () => json(SARAH),
    [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
    'GET /api/invitations': () => invitationsPage([INVITATION]),
    ...extra,
  });
}

const changes = (requests: readonly SentRequest[]) => requests.filter((r) => r.method !== 'GET');

async function openSarah() {
  return screen.findByRole('dialog', { name: 'Sarah M. Johnson, MD' }, { timeout: 5000 });
}

describe('User details', () => {
  it('opens from the row at its own address, shows every field and the copyable ids, and closes back to the list', async () => {
    routes();
    const { user } = await renderReview('/users?level=member', 'Users');
    await user.click(await screen.findByRole('link', { name: 'Sarah M. Johnson, MD' }));
    const details = await openSarah();
    expect(address()).toBe(`/users/${SARAH.userId}?level=member`);
    const values = Object.fromEntries(
      within(details)
        .getAllByRole('term')
        .map((term) => [term.textContent, term.nextElementSibling?.textContent]),
    );
    expect(values).toMatchObject({
      Name: 'Sarah M. Johnson, MD',
      'First name': 'Sarah',
      'Middle name': 'Marie',
      'Last name': 'Johnson',
      'Suffix 1': 'MD',
      'Suffix 2': 'Not set',
      Email: SARAH.email,
      Phone: '5551234567',
      'Clinic role': 'Radiologist',
      Level: 'Member',
      'Dashboard access': 'No',
      'May manage studies': 'No',
      Source: 'API',
      'Last sign-in': 'Never signed in',
      Status: 'Invited – not yet accepted (From Avara)',
      'Invited by': 'Through the API',
      State: 'Pending',
    });
    expect(values.userId).toContain(SARAH.userId);
    expect(values.invitationId).toContain(INVITATION.invitationId);
    expect(values.Expiry).toMatch(/^Expires in 3 days$/);

    await user.click(within(details).getByRole('button', { name: 'Copy invitationId' }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(INVITATION.invitationId));
    await user.click(within(details).getByRole('button', { name: 'Copy userId' }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(SARAH.userId));

    await user.click(within(details).getByRole('button', { name: 'Close details' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(address()).toBe('/users?level=member');
  });

  it('says so when the user no longer exists', async () => {
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([]),
      [`GET ${USER_PATH}`]: () =>
        problem(404, {
          type: '/problems/not-found',
          title: 'This user no longer exists',
          detail: 'They may have been removed in Avara. Reload the list to see who is there now.',
        }),
    });
    await renderReview(`/users/${SARAH.userId}`, 'Users');
    const gone = await screen.findByRole('dialog', { name: 'This user no longer exists' });
    expect(gone).toHaveTextContent('They may have been removed in Avara.');
    expect(within(gone).getByText(SARAH.userId)).toBeVisible();
  });

  it('says so when the address names no user, asking the BFF nothing about it', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/directory/people': () => peoplePage([]) });
    await renderReview('/users/usr_nope', 'Users');
    const invalid = await screen.findByRole('dialog', { name: 'There is no user at this address' });
    expect(invalid).toHaveTextContent('A userId looks like usr_');
    expect(api.requests.some((r) => r.path.includes('usr_nope'))).toBe(false);
  });

  it('edits with the invite form’s fields: email read-only, only the changed fields sent, the list refreshed', async () => {
    const updated = {
      ...SARAH,
      clinicRole: 'Cardiologist',
      middleName: undefined,
      phoneNumber: '5559876543',
    };
    const api = routes({ [`PATCH ${USER_PATH}`]: () => json(updated) });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    expect(within(form).getByRole('textbox', { name: 'First name' })).toHaveFocus();
    const email = within(form).getByRole('textbox', { name: 'Email' });
    expect(email).toHaveValue(SARAH.email);
    expect(email).toHaveAttribute('readonly');

    await user.clear(within(form).getByRole('textbox', { name: 'Middle name (optional)' }));
    await user.clear(within(form).getByRole('textbox', { name: 'Phone (optional)' }));
    await user.type(within(form).getByRole('textbox', { name: 'Phone (optional)' }), '(555) 987-6543');
    const role = within(form).getByRole('combobox', { name: 'Clinic role' });
    await user.clear(role);
    await user.type(role, 'Cardio');
    await user.keyboard('{Enter}');
    const listsBefore = api.requests.filter((r) => r.path.startsWith('/api/directory/people?')).length;
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await within(details).findByText('Changes saved.')).toBeVisible();
    const [patch, ...others] = changes(api.requests);
    expect(others).toEqual([]);
    expect(patch?.path).toBe(USER_PATH);
    expect(patch?.body).toEqual({ middleName: null, phoneNumber: '5559876543', clinicRole: 'Cardiologist' });
    expect(patch?.headers.get('x-csrf')).toBe('1');
    expect(patch?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() =>
      expect(api.requests.filter((r) => r.path.startsWith('/api/directory/people?')).length).toBeGreaterThan(
        listsBefore,
      ),
    );
  });

  it('says "Not recorded" for a creation or sending time Avara did not record', async () => {
    const untimed = { ...SARAH, createdAt: null, lastLoginAt: null };
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([aPerson(7, untimed)]),
      [`GET ${USER_PATH}`]: () => json(untimed),
      [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
      'GET /api/invitations': () =>
        invitationsPage([{ ...INVITATION, createdAt: null, updatedAt: null, expiry: null }]),
    });
    await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await within(details).findByText('Does not expire');
    const values = Object.fromEntries(
      within(details)
        .getAllByRole('term')
        .map((term) => [term.textContent, term.nextElementSibling?.textContent]),
    );
    expect(values).toMatchObject({
      Created: 'Not recorded',
      'Last sign-in': 'Never signed in',
      Expiry: 'Does not expire',
      'Sent on': 'Not recorded',
    });
  });

  it('shows the request id to quote when an edit or a revoke fails', async () => {
    routes({
      [`PATCH ${USER_PATH}`]: () =>
        problem(502, {
          type: '/problems/upstream-unavailable',
          title: 'Avara is not answering',
          requestId: 'req-edit-1',
        }),
      [`POST ${USER_PATH}/revoke-access`]: () =>
        problem(502, {
          type: '/problems/upstream-unavailable',
          title: 'Avara is not answering',
          requestId: 'req-revoke-2',
        }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    await user.type(within(form).getByRole('textbox', { name: 'Suffix 2 (optional)' }), 'FACR');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Request id to quote if you ask for help: req-edit-1',
    );
    await user.click(within(form).getByRole('button', { name: 'Cancel' }));
    await user.click(within(details).getByRole('button', { name: 'Revoke access' }));
    const confirm = await screen.findByRole('dialog', { name: /^Revoke access for/ });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke access' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(
      'Request id to quote if you ask for help: req-revoke-2',
    );
  });

  it('shows a role Avara no longer offers as it is, and edits the person without changing it', async () => {
    const pacs = { ...SARAH, clinicRole: 'PACS Administrator' };
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([aPerson(7, pacs)]),
      [`GET ${USER_PATH}`]: () => json(pacs),
      [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
      'GET /api/invitations': () => invitationsPage([INVITATION]),
      [`PATCH ${USER_PATH}`]: () => json({ ...pacs, firstName: 'Sara' }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    expect(within(details).getByText(/^PACS Administrator/)).toBeVisible();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    const role = within(form).getByRole('combobox', { name: 'Clinic role' });
    expect(role).toHaveValue('PACS Administrator');
    await user.click(within(form).getByRole('button', { name: 'Open the list of roles' }));
    const listbox = screen.getByRole('listbox');
    const current = within(listbox).getByRole('group', { name: 'Current role, no longer offered' });
    expect(within(current).getByRole('option', { name: 'PACS Administrator' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(within(listbox).getAllByRole('option')).toHaveLength(62);
    await user.keyboard('{Escape}');

    const first = within(form).getByRole('textbox', { name: 'First name' });
    await user.clear(first);
    await user.type(first, 'Sara');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(details).findByText('Changes saved.')).toBeVisible();
    expect(changes(api.requests).map((r) => r.body)).toEqual([{ firstName: 'Sara' }]);
  });

  it('moves a person off a role Avara no longer offers when another is chosen', async () => {
    const pacs = { ...SARAH, clinicRole: 'PACS Administrator' };
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([aPerson(7, pacs)]),
      [`GET ${USER_PATH}`]: () => json(pacs),
      [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
      'GET /api/invitations': () => invitationsPage([INVITATION]),
      [`PATCH ${USER_PATH}`]: () => json({ ...pacs, clinicRole: 'IT Administrator' }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    const role = within(form).getByRole('combobox', { name: 'Clinic role' });
    await user.clear(role);
    await user.type(role, 'IT Admin');
    await user.keyboard('{Enter}');
    expect(role).toHaveValue('IT Administrator');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(details).findByText('Changes saved.')).toBeVisible();
    expect(changes(api.requests).map((r) => r.body)).toEqual([{ clinicRole: 'IT Administrator' }]);
  });

  it('turns dashboard access on with admin (the merged record obeys the rule), and says when nothing changed', async () => {
    const api = routes({
      [`PATCH ${USER_PATH}`]: () => json({ ...SARAH, level: 'admin', hasDashboardAccess: true }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByText(NOTHING_TO_CHANGE)).toBeVisible();
    expect(changes(api.requests)).toEqual([]);

    await user.click(within(form).getByRole('button', { name: /^Admin / }));
    const dashboard = within(form).getByRole('switch', { name: 'Dashboard access' });
    expect(dashboard).toBeChecked();
    expect(dashboard).toBeDisabled();
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(details).findByText('Changes saved.')).toBeVisible();
    expect(changes(api.requests)[0]?.body).toEqual({ level: 'admin', hasDashboardAccess: true });
  });

  it('puts the server’s refusal on the field, keeping what was typed', async () => {
    routes({
      [`PATCH ${USER_PATH}`]: () =>
        problem(400, {
          type: '/problems/validation',
          title: 'Some details need fixing',
          errors: [{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }],
        }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    await user.type(within(form).getByRole('textbox', { name: 'Suffix 2 (optional)' }), 'FACR');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByText(ADMIN_NEEDS_DASHBOARD)).toBeVisible();
    expect(within(form).getByRole('textbox', { name: 'Suffix 2 (optional)' })).toHaveValue('FACR');
  });

  it('revokes access after a confirmation that names the person and says what happens; Cancel sends nothing', async () => {
    let revoked = false;
    const revokedHere = aPerson(7, SARAH, {
      status: 'access-revoked',
      statusSource: 'dashboard',
      accessRevoked: { by: DANA, at: '2026-03-04T10:00:00.000Z' },
    });
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([revoked ? revokedHere : SARAH_IN_DIRECTORY]),
      [`GET ${USER_PATH}`]: () => json(SARAH),
      [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
      'GET /api/invitations': () => invitationsPage([INVITATION]),
      [`POST ${USER_PATH}/revoke-access`]: () => {
        revoked = true;
        return json({
          success: true,
          message: "Access revoked. The user's data is kept and access can be restored.",
        });
      },
      [`POST ${USER_PATH}/reactivate`]: () =>
        json({ success: false, message: 'This user already has access.' }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    const revoke = await within(details).findByRole('button', { name: 'Revoke access' });
    // Avara does not say whether access is revoked: the other action stays reachable, under More actions.
    expect(within(details).queryByRole('button', { name: 'Reactivate' })).toBeNull();
    await user.click(revoke);
    let confirm = await screen.findByRole('dialog', { name: 'Revoke access for Sarah M. Johnson, MD?' });
    expect(confirm).toHaveAccessibleDescription(
      /Sarah M\. Johnson, MD \(person\.7@clinic\.example\) will no longer be able to sign in to the Avara Viewer\. Their account, role and data are kept, and you can reactivate them at any time\./,
    );
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: /^Revoke access for/ })).toBeNull());
    expect(changes(api.requests)).toEqual([]);

    await user.click(revoke);
    confirm = await screen.findByRole('dialog', { name: 'Revoke access for Sarah M. Johnson, MD?' });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke access' }));
    expect(await within(details).findByText(/^Access revoked\. The user's data is kept/)).toBeVisible();
    await waitFor(() => expect(screen.queryByRole('dialog', { name: /^Revoke access for/ })).toBeNull());
    expect(changes(api.requests).map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `${USER_PATH}/revoke-access`, {}],
    ]);

    // The directory now says so, with its source; Reactivate comes first, Revoke access under More actions.
    expect(
      await within(details).findByText(
        `Access revoked here by Dana Smith on ${formatDate('2026-03-04T10:00:00.000Z')}`,
      ),
    ).toBeVisible();
    expect(within(details).queryByRole('button', { name: 'Revoke access' })).toBeNull();
    const more = within(details).getByRole('button', { name: 'More actions' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    await user.click(more);
    expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(
      within(within(details).getByRole('group', { name: 'More actions' })).getByRole('button', {
        name: 'Revoke access',
      }),
    ).toBeVisible();

    await user.click(within(details).getByRole('button', { name: 'Reactivate' }));
    confirm = await screen.findByRole('dialog', { name: 'Reactivate Sarah M. Johnson, MD?' });
    expect(confirm).toHaveAccessibleDescription(/will be able to sign in to the Avara Viewer again/);
    await user.click(within(confirm).getByRole('button', { name: 'Reactivate' }));
    expect(await within(details).findByText('This user already has access.')).toBeVisible();
  });

  it('shows who invited them from this dashboard, and where the status comes from', async () => {
    routes(
      {},
      aPerson(7, SARAH, {
        status: 'active',
        invitedBy: { source: 'dashboard', label: 'Dana Smith', operator: DANA },
      }),
    );
    await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    const value = (term: string) =>
      within(details)
        .getAllByRole('term')
        .find((t) => t.textContent === term)?.nextElementSibling?.textContent;
    await waitFor(() => expect(value('Invited by')).toBe('Dana Smith'));
    expect(value('Status')).toBe('Active (From Avara)');
  });

  it('keeps Edit and Revoke for a pending invitation', async () => {
    const api = routes({
      [`POST /api/invitations/${INVITATION.invitationId}/revoke`]: () => json({ success: true }),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    const section = within(details).getByRole('region', { name: 'Invitation' });
    await user.click(await within(section).findByRole('button', { name: 'Revoke invitation' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke the invitation for Sarah Johnson?' });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke invitation' }));
    expect(await within(details).findByText('Revoked the invitation for Sarah Johnson.')).toBeVisible();
    expect(changes(api.requests).map((r) => r.path)).toEqual([
      `/api/invitations/${INVITATION.invitationId}/revoke`,
    ]);
    expect(within(section).getByRole('button', { name: 'Edit invitation' })).toBeVisible();
  });

  it.each([
    [
      'expired',
      { expiry: new Date(Date.now() - 2 * DAY_MS).toISOString() },
      'Expired',
      'This invitation has expired',
    ],
    ['revoked', { status: 'revoked' }, 'Revoked', 'This invitation was revoked'],
  ] as const)(
    'an %s invitation says plainly that it cannot be sent again here, and what to do instead',
    async (_, change, state, happened) => {
      routes({ 'GET /api/invitations': () => invitationsPage([{ ...INVITATION, ...change }]) });
      await renderReview(`/users/${SARAH.userId}`, 'Users');
      const details = await openSarah();
      const section = within(details).getByRole('region', { name: 'Invitation' });
      expect(await within(section).findByText(state)).toBeVisible();
      expect(within(section).queryByText('Sent')).toBeNull();
      const next = within(section)
        .getByText(new RegExp(`^${happened}`))
        .closest('[role="alert"]');
      expect(next).toHaveTextContent('It cannot be sent again from this dashboard.');
      expect(next).toHaveTextContent(
        'Avara has no way to resend or renew an invitation, and inviting the same e-mail again is refused as “already invited”.',
      );
      expect(next).toHaveTextContent(
        'ask your clinic’s Avara account owner to send one from Avara’s own dashboard, or contact Avara support.',
      );
      expect(within(section).queryByRole('button', { name: /invitation$/ })).toBeNull();
    },
  );

  it('shows a failed revoke in the dialog, and "no longer exists" when the person has gone', async () => {
    const api = routes({
      [`POST ${USER_PATH}/revoke-access`]: [
        () =>
          problem(502, {
            type: '/problems/upstream-unavailable',
            title: 'Avara cannot be reached right now',
            detail: 'The change may or may not have been made: check before trying again.',
          }),
        () => problem(404, { type: '/problems/not-found', title: 'This user no longer exists' }),
      ],
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    await user.click(within(details).getByRole('button', { name: 'Revoke access' }));
    const confirm = await screen.findByRole('dialog', { name: /^Revoke access for/ });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke access' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(
      'Avara cannot be reached right now. The change may or may not have been made',
    );
    await user.click(within(confirm).getByRole('button', { name: 'Revoke access' }));
    expect(await screen.findByRole('dialog', { name: 'This user no longer exists' })).toBeVisible();
    // The retry of a change whose outcome was unknown carries the same Idempotency-Key: it cannot happen twice.
    const keys = api.requests.filter((r) => r.method === 'POST').map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('does not offer to revoke the clinic owner, and keeps the owner’s level out of the edit form', async () => {
    const owner = { ...SARAH, level: 'owner', hasDashboardAccess: true, clinicRole: 'Veterinarian' };
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/directory/people': () => peoplePage([aPerson(7, owner)]),
      [`GET ${USER_PATH}`]: () => json(owner),
      [`GET ${USER_PATH}/timeline`]: () => json({ events: [] }),
      'GET /api/invitations': () => invitationsPage([]),
    });
    const { user } = await renderReview(`/users/${SARAH.userId}`, 'Users');
    const details = await openSarah();
    expect(within(details).queryByRole('button', { name: 'Revoke access' })).toBeNull();
    expect(within(details).getByText(/The clinic owner’s access cannot be revoked\./)).toBeVisible();
    expect(within(details).getByText('(not one of the roles this dashboard offers)')).toBeVisible();
    expect(await within(details).findByText('No invitation on record.')).toBeVisible();
    await user.click(within(details).getByRole('button', { name: 'Edit' }));
    const form = await within(details).findByRole('form', { name: 'Edit user' });
    expect(within(form).queryByRole('button', { name: /^Admin / })).toBeNull();
    expect(within(form).getByText('Owner. The clinic owner’s level cannot be changed here.')).toBeVisible();
    expect(
      within(form).getByText(/Their current role, “Veterinarian”, is not one this dashboard offers/),
    ).toBeVisible();
  });
});
