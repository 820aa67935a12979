import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppProviders } from '../../src/web/app/providers.tsx';
import { AppRoutes } from '../../src/web/app/router.tsx';
import { createQueryClient } from '../../src/web/lib/query-client.ts';
import { MemoryRouter } from '../../src/web/lib/routing.tsx';
import type { Session } from '../../src/contract/session.ts';
import { SessionContext } from '../../src/web/lib/session-context.ts';
import { testEmotionCache } from './emotion.ts';
import { DANA_SESSION } from './signed-in.tsx';

/**
 * Render the whole app (providers, layout, lazy routes) at a path, as the browser would, for a signed-in operator
 * (an Administrator unless another session is given).
 */
export function renderApp(path = '/', session: Session = DANA_SESSION) {
  const user = userEvent.setup();
  const queryClient = createQueryClient();
  const view = render(
    <AppProviders queryClient={queryClient} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={[path]}>
        <SessionContext.Provider value={session}>
          <AppRoutes />
        </SessionContext.Provider>
      </MemoryRouter>
    </AppProviders>,
  );
  return { user, queryClient, ...view };
}

/** Render the app at the invite screen and wait for its lazily loaded form. */
export async function renderInvite() {
  const app = renderApp('/');
  // The first import of the lazy route is transformed on demand: allow it more than the default second.
  await screen.findByRole('button', { name: 'Send invitation' }, { timeout: 10_000 });
  return app;
}
