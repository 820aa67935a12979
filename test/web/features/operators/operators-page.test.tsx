import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../../../../src/contract/operators.ts';
import { OperatorsPage } from '../../../../src/web/features/operators/operators-page.tsx';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { DANA_SESSION, renderGated } from '../../signed-in.tsx';

const DANA: Operator = {
  id: DANA_SESSION.operator.id,
  email: 'dana@clinic.org',
  displayName: 'Dana Scully',
  role: 'administrator',
  disabled: false,
  mustChangePassword: false,
  createdAt: '2026-01-01T09:00:00.000Z',
  lastSignInAt: '2026-03-01T09:00:00.000Z',
};
const FOX: Operator = {
  ...DANA,
  id: `opr_${'b'.repeat(32)}`,
  email: 'fox@clinic.org',
  displayName: 'Fox Mulder',
  lastSignInAt: null,
};

describe('Operators screen', () => {
  it('lists operators with their state, and marks who you are', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': () => json({ operators: [DANA, { ...FOX, disabled: true }] }),
    });
    renderGated(<OperatorsPage />);
    const me = (await screen.findByRole('heading', { name: 'Dana Scully (you)' })).closest('li');
    expect(me).not.toBeNull();
    expect(within(me as HTMLElement).getByText('You cannot disable yourself.')).toBeVisible();
    expect(within(me as HTMLElement).queryByRole('button')).not.toBeInTheDocument();
    const fox = screen.getByRole('heading', { name: 'Fox Mulder' }).closest('li') as HTMLElement;
    expect(within(fox).getByText('Disabled')).toBeVisible();
    expect(within(fox).getByText(/Last sign-in: never/)).toBeVisible();
    expect(within(fox).getByRole('button', { name: 'Enable Fox Mulder' })).toBeEnabled();
  });

  it('adds an operator and shows their first password once, with a copy button', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': () => json({ operators: [DANA] }),
      'POST /api/operators': () =>
        json(
          {
            operator: { ...FOX, mustChangePassword: true },
            initialPassword: 'abcd-efgh-jkmn-pqrs-tuvw-xyz2',
          },
          201,
        ),
    });
    const { user } = renderGated(<OperatorsPage />);
    await user.type(await screen.findByLabelText(/^Name/), 'Fox Mulder');
    await user.type(screen.getByLabelText(/^Email/), 'Fox@Clinic.org');
    await user.click(screen.getByRole('button', { name: 'Add operator' }));
    expect(await screen.findByText('abcd-efgh-jkmn-pqrs-tuvw-xyz2')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Copy first password' })).toBeVisible();
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({
      email: 'fox@clinic.org',
      displayName: 'Fox Mulder',
      role: 'viewer',
    });
    expect(screen.getByLabelText(/^Email/)).toHaveValue('');
  });

  it('puts a taken email on the email field', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': () => json({ operators: [DANA] }),
      'POST /api/operators': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'Taken',
          errors: [{ path: 'email', message: 'An operator with this email address already exists.' }],
        }),
    });
    const { user } = renderGated(<OperatorsPage />);
    await user.type(await screen.findByLabelText(/^Name/), 'Dana Again');
    await user.type(screen.getByLabelText(/^Email/), 'dana@clinic.org');
    await user.click(screen.getByRole('button', { name: 'Add operator' }));
    expect(await screen.findByText('An operator with this email address already exists.')).toBeVisible();
    expect(screen.getByLabelText(/^Email/)).toHaveFocus();
  });

  it('asks before disabling someone, and can be cancelled', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': [
        () => json({ operators: [DANA, FOX] }),
        () => json({ operators: [DANA, { ...FOX, disabled: true }] }),
      ],
      [`POST /api/operators/${FOX.id}/disable`]: () => json({ ...FOX, disabled: true }),
    });
    const { user } = renderGated(<OperatorsPage />);
    await user.click(await screen.findByRole('button', { name: 'Disable Fox Mulder' }));
    const dialog = await screen.findByRole('dialog', { name: 'Disable Fox Mulder?' });
    expect(within(dialog).getByText(/signed out everywhere at once/)).toBeVisible();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.requests.some((r) => r.path.endsWith('/disable'))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Disable Fox Mulder' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByRole('button', { name: 'Enable Fox Mulder' })).toBeVisible();
    const sent = api.requests.find((r) => r.path.endsWith('/disable'));
    expect(sent?.headers.get('x-csrf')).toBe('1');
  });

  it('resets another operator’s password after asking, and shows the one-time password once with Copy', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': () => json({ operators: [DANA, FOX] }),
      [`POST /api/operators/${FOX.id}/reset-password`]: () =>
        json({ operator: { ...FOX, mustChangePassword: true }, oneTimePassword: 'mnpq-rstu-vwxy-z234-5678' }),
    });
    const { user } = renderGated(<OperatorsPage />);
    const me = (await screen.findByRole('heading', { name: 'Dana Scully (you)' })).closest(
      'li',
    ) as HTMLElement;
    expect(within(me).queryByRole('button', { name: /Reset password/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Reset password for Fox Mulder' }));
    const confirm = await screen.findByRole('dialog', { name: 'Reset the password of Fox Mulder?' });
    expect(within(confirm).getByText(/signed out everywhere at once/)).toBeVisible();
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.requests.some((r) => r.path.endsWith('/reset-password'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Reset password for Fox Mulder' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Reset password' }),
    );
    const shown = await screen.findByRole('dialog', { name: 'New one-time password for Fox Mulder' });
    expect(within(shown).getByText('mnpq-rstu-vwxy-z234-5678')).toBeVisible();
    expect(within(shown).getByRole('button', { name: 'Copy one-time password' })).toBeVisible();
    const sent = api.requests.filter((r) => r.path.endsWith('/reset-password'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({});
    expect(sent[0]?.headers.get('x-csrf')).toBe('1');

    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByText('mnpq-rstu-vwxy-z234-5678')).not.toBeInTheDocument();
  });

  it('keeps the confirmation open with the reason when a reset is refused', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/operators': () => json({ operators: [DANA, FOX] }),
      [`POST /api/operators/${FOX.id}/reset-password`]: () =>
        problem(503, {
          type: '/problems/audit-unavailable',
          title: 'The activity log cannot be written right now',
          detail: 'Nothing was done, because every change must be recorded.',
        }),
    });
    const { user } = renderGated(<OperatorsPage />);
    await user.click(await screen.findByRole('button', { name: 'Reset password for Fox Mulder' }));
    const confirm = await screen.findByRole('dialog', { name: 'Reset the password of Fox Mulder?' });
    await user.click(within(confirm).getByRole('button', { name: 'Reset password' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(/Nothing was done/);
    expect(screen.queryByRole('dialog', { name: /one-time password/ })).not.toBeInTheDocument();
  });
});
