import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AccountMenu } from '../../../../src/web/features/session/session-menu.tsx';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { DANA_SESSION, renderGated } from '../../signed-in.tsx';

async function openChangePassword(user: ReturnType<typeof renderGated>['user']) {
  await user.click(await screen.findByRole('button', { name: 'Account' }));
  const menu = await screen.findByRole('menu', { name: 'Account' }, { timeout: 10_000 });
  expect(within(menu).getByText('dana@clinic.org')).toBeVisible();
  await user.click(within(menu).getByRole('menuitem', { name: 'Change password' }));
  return screen.findByRole('dialog', { name: 'Change your password' });
}

describe('account menu: change your own password', () => {
  it('checks the fields, sends the change, says other sessions were signed out and focuses Done', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'POST /api/session/password': () => json(DANA_SESSION),
    });
    const { user } = renderGated(<AccountMenu />);
    const dialog = await openChangePassword(user);
    const current = within(dialog).getByLabelText(/Current password/);
    expect(current).toHaveFocus();
    expect(current).toHaveAttribute('type', 'password');
    await user.type(current, 'my old password');
    await user.type(within(dialog).getByLabelText(/^New password \*/), 'short');
    await user.type(within(dialog).getByLabelText(/New password again/), 'different');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await within(dialog).findByText(/Use at least 12 characters/)).toBeVisible();
    expect(within(dialog).getByText('This does not match the new password.')).toBeVisible();
    expect(api.requests.some((r) => r.path === '/api/session/password')).toBe(false);

    await user.clear(within(dialog).getByLabelText(/^New password \*/));
    await user.type(within(dialog).getByLabelText(/^New password \*/), 'my very own password');
    await user.clear(within(dialog).getByLabelText(/New password again/));
    await user.type(within(dialog).getByLabelText(/New password again/), 'my very own password');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));

    expect(await within(dialog).findByRole('status')).toHaveTextContent(
      'Password changed. Other sessions were signed out.',
    );
    const done = within(dialog).getByRole('button', { name: 'Done' });
    await waitFor(() => expect(done).toHaveFocus());
    const sent = api.requests.find((r) => r.path === '/api/session/password');
    expect(sent?.body).toEqual({ currentPassword: 'my old password', newPassword: 'my very own password' });
    expect(sent?.headers.get('x-csrf')).toBe('1');
    await user.click(done);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Account' })).toHaveFocus();
  });

  it('puts a wrong current password on its field and keeps the dialog open', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'POST /api/session/password': () =>
        problem(400, {
          type: '/problems/validation',
          title: 'Some details need attention',
          errors: [{ path: 'currentPassword', message: 'That is not your current password.' }],
        }),
    });
    const { user } = renderGated(<AccountMenu />);
    const dialog = await openChangePassword(user);
    await user.type(within(dialog).getByLabelText(/Current password/), 'not it at all');
    await user.type(within(dialog).getByLabelText(/^New password \*/), 'my very own password');
    await user.type(within(dialog).getByLabelText(/New password again/), 'my very own password');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await within(dialog).findByText('That is not your current password.')).toBeVisible();
    expect(within(dialog).getByLabelText(/Current password/)).toHaveFocus();
    expect(within(dialog).queryByRole('status')).not.toBeInTheDocument();
  });

  it('says why when signing in is paused (429), on the form', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'POST /api/session/password': () =>
        problem(429, {
          type: '/problems/rate-limited',
          title: 'Too many sign-in attempts',
          detail:
            'Signing in to this account is paused after several wrong passwords. Try again in 15 minutes.',
          retryAfter: 900,
        }),
    });
    const { user } = renderGated(<AccountMenu />);
    const dialog = await openChangePassword(user);
    await user.type(within(dialog).getByLabelText(/Current password/), 'not it at all');
    await user.type(within(dialog).getByLabelText(/^New password \*/), 'my very own password');
    await user.type(within(dialog).getByLabelText(/New password again/), 'my very own password');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /paused after several wrong passwords/,
    );
  });
});
