import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AppProviders } from '../../../src/web/app/providers.tsx';
import { AppRoutes } from '../../../src/web/app/router.tsx';
import { createQueryClient } from '../../../src/web/lib/query-client.ts';
import { BrowserRouter } from '../../../src/web/lib/routing.tsx';
import { fakeApi, json } from '../fake-api.ts';
import { testEmotionCache } from '../emotion.ts';
import { SessionContext } from '../../../src/web/lib/session-context.ts';
import { DANA_SESSION } from '../signed-in.tsx';

describe('arriving at a screen', () => {
  it('focuses the new screen’s heading and starts at the top; Back focuses it too and returns to where it was', async () => {
    fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'GET /api/operators': () => json({ operators: [] }),
      'GET /api/operators/names': () => json({ operators: [] }),
      'GET /api/audit': () => json({ records: [], cursor: null, hasMore: false }),
    });
    window.history.replaceState(null, '', '/');
    Object.defineProperty(window, 'scrollY', { value: 0, configurable: true });
    const scrollTo = vi.spyOn(window, 'scrollTo');
    const user = userEvent.setup();
    render(
      <AppProviders queryClient={createQueryClient()} emotionCache={testEmotionCache()}>
        <BrowserRouter>
          <SessionContext.Provider value={DANA_SESSION}>
            <AppRoutes />
          </SessionContext.Provider>
        </BrowserRouter>
      </AppProviders>,
    );
    await screen.findByRole('button', { name: 'Send invitation' }, { timeout: 10_000 });
    // The screen the app opens on is left as the browser shows it.
    expect(document.body).toHaveFocus();
    expect(scrollTo).not.toHaveBeenCalled();

    // Down the page (jsdom has no layout: the position is stated), then to Activity.
    Object.defineProperty(window, 'scrollY', { value: 321, configurable: true });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Activity' }));
    const activity = await screen.findByRole('heading', { level: 1, name: 'Activity' }, { timeout: 10_000 });
    await waitFor(() => expect(activity).toHaveFocus());
    expect(scrollTo).toHaveBeenCalledWith(0, 0);
    Object.defineProperty(window, 'scrollY', { value: 0, configurable: true });

    // A change within the screen (a filter) is not an arrival: the focus stays on the control.
    scrollTo.mockClear();
    const action = screen.getByRole('combobox', { name: 'Action' });
    await user.selectOptions(action, 'user.invite');
    await waitFor(() => expect(window.location.search).toBe('?action=user.invite'));
    expect(action).toHaveFocus();
    expect(scrollTo).not.toHaveBeenCalled();

    // Back to Invite: its heading has the focus, and the page returns to where it was.
    window.history.back();
    const invite = await screen.findByRole('heading', { level: 1, name: 'Invite a colleague' });
    await waitFor(() => expect(invite).toHaveFocus());
    expect(window.location.pathname).toBe('/');
    expect(scrollTo.mock.calls).toEqual([[0, 321]]);
  });
});
