import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useQuery } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { AppProviders } from '../../../../src/web/app/providers.tsx';
import { AppRoutes } from '../../../../src/web/app/router.tsx';
import { SessionGate } from '../../../../src/web/features/session/session-gate.tsx';
import { SignOutButton, SignedInAs } from '../../../../src/web/features/session/session-menu.tsx';
import { api } from '../../../../src/web/lib/api-client.ts';
import { createQueryClient } from '../../../../src/web/lib/query-client.ts';
import { MemoryRouter, useLocation } from '../../../../src/web/lib/routing.tsx';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { DANA_SESSION, renderGated } from '../../signed-in.tsx';
import { testEmotionCache } from '../../emotion.ts';

const UNAUTHENTICATED = () => problem(401, { type: '/problems/unauthenticated', title: 'Please sign in' });

function Where() {
  const location = useLocation();
  return <p>{`Screen at ${location.pathname}`}</p>;
}

function DataScreen() {
  const data = useQuery({
    queryKey: ['thing'],
    queryFn: () => api.get('/api/thing', z.object({ ok: z.boolean() })),
  });
  return <p>{data.isSuccess ? 'Data loaded' : data.isError ? 'Data failed' : 'Loading data'}</p>;
}

describe('session gate', () => {
  it('shows sign-in in place of the screen, then the screen the operator asked for', async () => {
    const api = fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': () => json(DANA_SESSION),
    });
    const { user } = renderGated(<Where />, { path: '/users/usr_1' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    expect(screen.queryByText(/Screen at/)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText(/Email/), 'Dana@Clinic.org');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Screen at /users/usr_1')).toBeVisible();
    const sent = api.requests.find((r) => r.method === 'POST' && r.path === '/api/session');
    expect(sent?.body).toEqual({ email: 'dana@clinic.org', password: 'correct horse battery staple' });
    expect(sent?.headers.get('x-csrf')).toBe('1');
  });

  it('says so when the email or password is wrong, and keeps the email', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': UNAUTHENTICATED,
    });
    const { user } = renderGated(<Where />);
    await user.type(await screen.findByLabelText(/Email/), 'dana@clinic.org');
    await user.type(screen.getByLabelText(/Password/), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right.');
    expect(screen.getByLabelText(/Email/)).toHaveValue('dana@clinic.org');
  });

  it('explains a pause after too many tries', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': () =>
        problem(
          429,
          { type: '/problems/rate-limited', title: 'Too many', retryAfter: 600 },
          { 'retry-after': '600' },
        ),
    });
    const { user } = renderGated(<Where />);
    await user.type(await screen.findByLabelText(/Email/), 'dana@clinic.org');
    await user.type(screen.getByLabelText(/Password/), 'whatever it is');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/paused.*Try again in 10 minutes/);
  });

  it('checks the fields before sending anything', async () => {
    const api = fakeApi({ 'GET /api/session': UNAUTHENTICATED });
    const { user } = renderGated(<Where />);
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter an email address.')).toBeVisible();
    expect(screen.getByText('Enter your password.')).toBeVisible();
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('asks for a new password first when the password was set by someone else', async () => {
    const api = fakeApi({
      'GET /api/session': () => json({ ...DANA_SESSION, mustChangePassword: true }),
      'POST /api/session/password': () => json(DANA_SESSION),
    });
    const { user } = renderGated(<Where />, { path: '/operators' });
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    await user.type(screen.getByLabelText(/Current password/), 'the first password');
    await user.type(screen.getByLabelText(/^New password \*/), 'short');
    await user.type(screen.getByLabelText(/New password again/), 'different');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    expect(await screen.findByText(/Use at least 12 characters/)).toBeVisible();
    expect(screen.getByText('This does not match the new password.')).toBeVisible();
    await user.clear(screen.getByLabelText(/^New password \*/));
    await user.type(screen.getByLabelText(/^New password \*/), 'my very own password');
    await user.clear(screen.getByLabelText(/New password again/));
    await user.type(screen.getByLabelText(/New password again/), 'my very own password');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    expect(await screen.findByText('Screen at /operators')).toBeVisible();
    expect(api.requests.find((r) => r.path === '/api/session/password')?.body).toEqual({
      currentPassword: 'the first password',
      newPassword: 'my very own password',
    });
  });

  it('puts a wrong current password on its field', async () => {
    fakeApi({
      'GET /api/session': () => json({ ...DANA_SESSION, mustChangePassword: true }),
      'POST /api/session/password': () =>
        problem(400, {
          type: '/problems/validation',
          title: 'Some details need attention',
          errors: [{ path: 'currentPassword', message: 'That is not your current password.' }],
        }),
    });
    const { user } = renderGated(<Where />);
    await user.type(await screen.findByLabelText(/Current password/), 'not it at all');
    await user.type(screen.getByLabelText(/^New password \*/), 'my very own password');
    await user.type(screen.getByLabelText(/New password again/), 'my very own password');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    expect(await screen.findByText('That is not your current password.')).toBeVisible();
    expect(screen.getByLabelText(/Current password/)).toHaveFocus();
  });

  it('a 401 from any call while working brings sign-in back, saying the session ended', async () => {
    fakeApi({
      'GET /api/session': [() => json(DANA_SESSION), UNAUTHENTICATED],
      'GET /api/thing': UNAUTHENTICATED,
    });
    renderGated(<DataScreen />);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(screen.getByText(/Your session has ended/)).toBeVisible();
  });

  it('shows who is signed in and signs out', async () => {
    const api = fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    const { user } = renderGated(
      <>
        <SignedInAs />
        <SignOutButton />
      </>,
    );
    expect(await screen.findByText('Dana Scully')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(screen.getByRole('status')).toHaveTextContent(/^You have signed out\./);
    expect(screen.queryByText(/Your session has ended/)).not.toBeInTheDocument();
    await waitFor(() => expect(api.requests.some((r) => r.method === 'DELETE')).toBe(true));
  });

  it('a sign-out the server never heard of says so: signed out of this screen only', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'DELETE /api/session': () => Promise.reject(new TypeError('Failed to fetch')),
    });
    const { user } = renderGated(<SignOutButton />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(screen.getByRole('status')).toHaveTextContent(/Signed out of this screen only\./);
    expect(screen.queryByText(/You have signed out/)).not.toBeInTheDocument();
  });

  it('a sign-out whose session had already ended (401) is a sign-out all the same', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'DELETE /api/session': UNAUTHENTICATED,
    });
    const { user } = renderGated(<SignOutButton />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(screen.getByRole('status')).toHaveTextContent(/^You have signed out\./);
    expect(screen.queryByText(/Your session has ended/)).not.toBeInTheDocument();
  });

  it('offers Retry when the server cannot be reached', async () => {
    fakeApi({
      'GET /api/session': [
        ...Array.from({ length: 3 }, () => () => Promise.reject(new TypeError('Failed to fetch'))),
        () => json(DANA_SESSION),
      ],
    });
    const { user } = renderGated(<Where />);
    await user.click(await screen.findByRole('button', { name: 'Retry' }, { timeout: 10_000 }));
    expect(await screen.findByText('Screen at /')).toBeVisible();
  });

  it('in the whole app: the app bar says who is signed in, and lists Operators and Activity', async () => {
    fakeApi({
      'GET /api/session': () => json(DANA_SESSION),
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/operators': () => json({ operators: [] }),
    });
    const user = userEvent.setup();
    render(
      <AppProviders queryClient={createQueryClient()} emotionCache={testEmotionCache()}>
        <MemoryRouter initialEntries={['/']}>
          <SessionGate>
            <AppRoutes />
          </SessionGate>
        </MemoryRouter>
      </AppProviders>,
    );
    const banner = await screen.findByRole('banner');
    expect(await within(banner).findByText('Dana Scully')).toBeVisible();
    expect(within(banner).getByRole('button', { name: 'Sign out' })).toBeVisible();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Operators' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Operators' }, { timeout: 10_000 }),
    ).toBeVisible();
    expect(within(nav).getByRole('link', { name: 'Operators' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Activity' })).toBeVisible();
  });
});
