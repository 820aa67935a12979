import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createdUser, fakeApi, json } from '../../fake-api.ts';
import { renderInvite } from '../../render-app.tsx';

const USER_ID = 'usr_0123456789abcdef0123456789abcdef';
const field = (name: string) => screen.getByRole('textbox', { name });
const role = () => screen.getByRole('combobox', { name: 'Clinic role' });

async function inviteAdmin(user: UserEvent) {
  await user.type(field('First name'), 'Omar');
  await user.type(field('Last name'), 'Haddad');
  await user.type(field('Email'), 'omar.haddad@clinic.org');
  await user.click(role());
  await user.keyboard('IT Admin{Enter}');
  await user.click(screen.getByRole('button', { name: /^Admin / }));
  await user.click(screen.getByRole('switch', { name: 'May manage studies' }));
  await user.click(screen.getByRole('button', { name: 'Send invitation' }));
  return screen.findByRole('heading', { name: 'Invitation sent to Omar Haddad' });
}

function renderWithApi() {
  fakeApi({
    'GET /api/mode': () => json({ mode: 'sandbox' }),
    'POST /api/users': (r) => createdUser(r.body, USER_ID),
  });
  return renderInvite();
}

describe('after a successful invite', () => {
  it('shows who was invited, moves focus to the panel heading and links to the user', async () => {
    const { user } = await renderWithApi();
    const heading = await inviteAdmin(user);
    await waitFor(() => expect(heading).toHaveFocus());

    const panel = screen.getByRole('region', { name: 'Invitation sent to Omar Haddad' });
    const details = within(panel);
    expect(details.getByText('omar.haddad@clinic.org', { selector: 'dd' })).toBeVisible();
    expect(details.getByText('IT Administrator')).toBeVisible();
    expect(details.getByText('Admin')).toBeVisible();
    const userId = details.getByText(USER_ID);
    expect(userId.tagName).toBe('CODE');
    expect(details.getByRole('link', { name: 'See Omar Haddad in Users' })).toHaveAttribute(
      'href',
      `/users/${USER_ID}`,
    );
    expect(screen.queryByRole('button', { name: 'Send invitation' })).not.toBeInTheDocument();
  });

  it('copies the userId, with a visible confirmation announced politely', async () => {
    const { user } = await renderWithApi();
    await inviteAdmin(user);
    const status = screen.getByRole('status');
    expect(status).toHaveAttribute('aria-live', 'polite');
    expect(status).toBeEmptyDOMElement();

    await user.click(screen.getByRole('button', { name: 'Copy userId' }));
    await waitFor(() => expect(status).toHaveTextContent('Copied to the clipboard.'));
    expect(status).toBeVisible();
    expect(await navigator.clipboard.readText()).toBe(USER_ID);
  });

  it('"Invite another" starts afresh with least-privilege defaults', async () => {
    const { user } = await renderWithApi();
    await inviteAdmin(user);
    await user.click(screen.getByRole('button', { name: 'Invite another' }));

    await waitFor(() => expect(field('First name')).toHaveFocus());
    expect(field('First name')).toHaveValue('');
    expect(field('Last name')).toHaveValue('');
    expect(field('Email')).toHaveValue('');
    expect(role()).toHaveValue('');
    expect(screen.getByRole('button', { name: /^Member / })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('switch', { name: 'Dashboard access' })).not.toBeChecked();
    expect(screen.getByRole('switch', { name: 'May manage studies' })).not.toBeChecked();
  });

  it('"keep these settings" carries role, level and access over, but never the person', async () => {
    const { user } = await renderWithApi();
    await inviteAdmin(user);
    await user.click(screen.getByRole('checkbox', { name: /Keep these settings/ }));
    await user.click(screen.getByRole('button', { name: 'Invite another' }));

    await waitFor(() => expect(field('First name')).toHaveFocus());
    expect(field('First name')).toHaveValue('');
    expect(field('Email')).toHaveValue('');
    expect(role()).toHaveValue('IT Administrator');
    expect(screen.getByRole('button', { name: /^Admin / })).toHaveAttribute('aria-pressed', 'true');
    const dashboard = screen.getByRole('switch', { name: 'Dashboard access' });
    expect(dashboard).toBeChecked();
    expect(dashboard).toBeDisabled();
    expect(screen.getByRole('switch', { name: 'May manage studies' })).toBeChecked();
  });
});
