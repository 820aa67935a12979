import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../fake-api.ts';
import { renderApp } from '../render-app.tsx';

describe('app shell', () => {
  it('shows the product name, the Sandbox badge and the navigation with the current page marked', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/');
    expect(screen.getByText('Viewer Admin')).toBeVisible();
    expect(await screen.findByText('Sandbox')).toBeVisible();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Invite' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Users' })).not.toHaveAttribute('aria-current');
    expect(within(nav).getByRole('link', { name: 'Invitations' })).not.toHaveAttribute('aria-current');
    expect(await screen.findByRole('heading', { level: 1, name: 'Invite a colleague' })).toBeVisible();
    await waitFor(() => expect(document.title).toBe('Invite a colleague · Viewer Admin'));
  });

  it('shows a Live badge when the BFF talks to the real Avara', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'live' }) });
    renderApp('/');
    expect(await screen.findByText('Live')).toBeVisible();
    expect(screen.queryByText('Sandbox')).not.toBeInTheDocument();
  });

  it('says the mode is unknown rather than guessing when /api/mode fails', async () => {
    fakeApi({ 'GET /api/mode': () => problem(403, { type: '/problems/forbidden', title: 'Forbidden' }) });
    renderApp('/');
    expect(await screen.findByText('Mode unknown')).toBeVisible();
  });

  it('sends X-CSRF and asks for JSON on every /api call', async () => {
    const api = fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/');
    await screen.findByText('Sandbox');
    const modeRequest = api.requests.find((r) => r.path === '/api/mode');
    expect(modeRequest?.headers.get('x-csrf')).toBe('1');
    expect(modeRequest?.headers.get('accept')).toBe('application/json');
  });

  it('has a skip link to the main content', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    const { user } = renderApp('/');
    await user.tab();
    const skip = screen.getByRole('link', { name: 'Skip to main content' });
    expect(skip).toHaveFocus();
    const main = screen.getByRole('main');
    expect(skip).toHaveAttribute('href', `#${main.id}`);
  });

  it('navigates between screens on the client and titles each one', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    const { user } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Invite a colleague' });
    await user.click(screen.getByRole('link', { name: 'Users' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
    expect(screen.getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page');
    await waitFor(() => expect(document.title).toBe('Users · Viewer Admin'));
    await user.click(screen.getByRole('link', { name: 'Invitations' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Invitations' })).toBeVisible();
    await waitFor(() => expect(document.title).toBe('Invitations · Viewer Admin'));
  });

  it('opens a user link on the Users screen, with that person’s details over the list', async () => {
    const userId = 'usr_1234567890abcdef1234567890abcdef';
    const person = {
      userId,
      email: 'sarah@clinic.org',
      firstName: 'Sarah',
      lastName: 'Johnson',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: false,
      invitedSource: 'api',
      createdAt: '2026-03-01T09:00:00.000Z',
      lastLoginAt: null,
    };
    fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/directory/people': () =>
        json({
          people: [],
          total: 0,
          neverSignedIn: 0,
          page: 1,
          limit: 20,
          freshness: { asOf: null, refreshing: true, lastError: null },
        }),
      'GET /api/operators': () => json({ operators: [] }),
      'GET /api/operators/names': () => json({ operators: [] }),
      [`GET /api/users/${userId}`]: () => json(person),
      'GET /api/invitations': () => json({ invitations: [], cursor: null, hasMore: false }),
    });
    renderApp(`/users/${userId}`);
    // The details are a modal over the list, so the list's heading is hidden from assistive technology meanwhile.
    expect(await screen.findByRole('heading', { level: 1, name: 'Users', hidden: true })).toBeInTheDocument();
    const details = await screen.findByRole('dialog', { name: 'Sarah Johnson' });
    expect(within(details).getByText(userId)).toBeVisible();
  });

  it('shows a 404 page for an unknown address, with a way back', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    expect(screen.getByRole('link', { name: 'Go to Invite' })).toHaveAttribute('href', '/');
    await waitFor(() => expect(document.title).toBe('Page not found · Viewer Admin'));
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { current: 'page' })).not.toBeInTheDocument();
  });
});
