import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/contract/session.ts';
import { fakeApi, json, problem } from '../fake-api.ts';
import { renderApp } from '../render-app.tsx';
import { DANA_SESSION } from '../signed-in.tsx';

const as = (role: Session['operator']['role']): Session => ({
  ...DANA_SESSION,
  operator: { ...DANA_SESSION.operator, role },
});

const navLinks = () =>
  within(screen.getByRole('navigation', { name: 'Main' }))
    .getAllByRole('link')
    .map((link) => link.textContent);

describe('the app follows the role', () => {
  it('a Viewer is offered only what a Viewer can do, and /invite names the role it needs', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/invite', as('viewer'));
    expect(
      await screen.findByText('This needs the Inviter role; ask an administrator.', {}, { timeout: 10_000 }),
    ).toBeVisible();
    expect(screen.getByText('You are signed in as Viewer.')).toBeVisible();
    expect(navLinks()).toEqual(['Users', 'Invitations']);
    expect(screen.queryByRole('button', { name: 'Send invitation' })).not.toBeInTheDocument();
  });

  it('an Inviter gets Invite and Invite many, not Operators or Activity', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/operators', as('inviter'));
    expect(
      await screen.findByText(
        'This needs the Administrator role; ask an administrator.',
        {},
        { timeout: 10_000 },
      ),
    ).toBeVisible();
    expect(navLinks()).toEqual(['Invite', 'Invite many', 'Users', 'Invitations']);
  });

  it('an Administrator gets every screen', async () => {
    fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/operators': () => json({ operators: [] }),
    });
    renderApp('/operators', as('administrator'));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Operators' }, { timeout: 10_000 }),
    ).toBeVisible();
    expect(navLinks()).toEqual(['Invite', 'Invite many', 'Users', 'Invitations', 'Operators', 'Activity']);
  });

  it('changing a role asks first, and shows the last-Administrator refusal in the dialog', async () => {
    const me = {
      id: DANA_SESSION.operator.id,
      email: DANA_SESSION.operator.email,
      displayName: DANA_SESSION.operator.displayName,
      role: 'administrator' as const,
      disabled: false,
      mustChangePassword: false,
      createdAt: '2026-01-01T09:00:00.000Z',
      lastSignInAt: null,
    };
    const api = fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/operators': () => json({ operators: [me] }),
      [`POST /api/operators/${me.id}/role`]: () =>
        problem(409, {
          type: '/problems/last-administrator',
          title: 'Viewer Admin needs at least one active Administrator',
          detail: 'This is the last active Administrator: make another operator an Administrator first.',
        }),
    });
    const { user } = renderApp('/operators', as('administrator'));
    const select = await screen.findByRole('combobox', { name: 'Role of Dana Scully' }, { timeout: 10_000 });
    await user.selectOptions(select, 'viewer');
    const dialog = await screen.findByRole('dialog', { name: 'Make Dana Scully Viewer?' });
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Change role' }));
    expect(
      await within(dialog).findByText(
        /needs at least one active Administrator\. This is the last active Administrator/,
      ),
    ).toBeVisible();
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ role: 'viewer' }]);
  });
});
