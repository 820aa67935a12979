import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../../fake-api.ts';
import { renderGated } from '../../signed-in.tsx';

const UNAUTHENTICATED = () => problem(401, { type: '/problems/unauthenticated', title: 'Please sign in' });

afterEach(() => {
  window.history.replaceState(null, '', '/');
});

describe('sign-in screen with single sign-on', () => {
  it('offers "Sign in with <provider>" beside the password form when both are allowed', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'GET /api/session/methods': () =>
        json({ password: true, sso: { providerName: 'Okta', providerSignOut: true } }),
    });
    renderGated(<p>Screen</p>);
    // The sign-in screen is loaded lazily: its first import may take more than the default second.
    const button = await screen.findByRole('link', { name: 'Sign in with Okta' }, { timeout: 10_000 });
    expect(button).toHaveAttribute('href', '/auth/sso/start');
    expect(screen.getByLabelText(/Password/)).toBeInTheDocument();
    // Not signed out just now: no offer to sign out of the provider.
    expect(screen.queryByRole('link', { name: /Also sign out/ })).not.toBeInTheDocument();
  });

  it('shows only the provider when passwords are off, and explains why it sent the browser back', async () => {
    window.history.replaceState(null, '', '/?sso=group');
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'GET /api/session/methods': () =>
        json({ password: false, sso: { providerName: 'Microsoft', providerSignOut: false } }),
    });
    renderGated(<p>Screen</p>);
    expect(
      await screen.findByRole('link', { name: 'Sign in with Microsoft' }, { timeout: 10_000 }),
    ).toBeVisible();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Your account is not in a group allowed to use Viewer Admin.',
    );
    expect(screen.queryByLabelText(/Password/)).not.toBeInTheDocument();
    expect(screen.getByText('Sign in with your Microsoft account.')).toBeVisible();
    // Taken out of the address, so a reload does not say it again.
    expect(window.location.search).toBe('');
  });

  it('says so when too many sign-ins were started from here', async () => {
    window.history.replaceState(null, '', '/?sso=busy');
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'GET /api/session/methods': () =>
        json({ password: true, sso: { providerName: 'Okta', providerSignOut: false } }),
    });
    renderGated(<p>Screen</p>);
    await screen.findByRole('link', { name: 'Sign in with Okta' }, { timeout: 10_000 });
    expect(screen.getByText('Too many sign-ins were started from here.')).toBeVisible();
    expect(screen.getByText('Wait a minute, then start again with "Sign in with Okta".')).toBeVisible();
  });

  it('keeps the password form alone when the server says nothing of single sign-on', async () => {
    fakeApi({
      'GET /api/session': UNAUTHENTICATED,
      'GET /api/session/methods': () => json({ password: true, sso: null }),
    });
    renderGated(<p>Screen</p>);
    expect(await screen.findByLabelText(/Password/, {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Sign in with/ })).not.toBeInTheDocument();
  });
});
