import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, problem } from '../../fake-api.ts';
import { renderGated } from '../../signed-in.tsx';

const UNAUTHENTICATED = () => problem(401, { type: '/problems/unauthenticated', title: 'Please sign in' });

function Screen() {
  return <p>Signed in</p>;
}

describe('sign-in: a disabled account', () => {
  it('says the account is disabled and to ask an administrator, and stays on sign-in', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': () =>
        problem(403, {
          type: '/problems/account-disabled',
          title: 'This account is disabled; ask an administrator',
          detail: 'An administrator can enable it again on the Operators screen.',
          requestId: 'req-1',
        }),
    });
    const { user } = renderGated(<Screen />);
    await user.type(await screen.findByLabelText(/Email/), 'fox@clinic.org');
    await user.type(screen.getByLabelText(/Password/), 'the right password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This account is disabled; ask an administrator.');
    expect(alert).toHaveTextContent('enable it again on the Operators screen');
    expect(alert).not.toHaveTextContent('The email or password is not right');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    expect(screen.queryByText('Signed in')).not.toBeInTheDocument();
  });

  it('any other 403 at sign-in is not mistaken for a disabled account', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': () => problem(403, { type: '/problems/forbidden', title: 'Forbidden' }),
    });
    const { user } = renderGated(<Screen />);
    await user.type(await screen.findByLabelText(/Email/), 'fox@clinic.org');
    await user.type(screen.getByLabelText(/Password/), 'some password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).not.toHaveTextContent(/disabled/);
  });
});
