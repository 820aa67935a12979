import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppProviders } from '../../src/web/app/providers.tsx';
import { AppRoutes } from '../../src/web/app/router.tsx';
import { createQueryClient } from '../../src/web/lib/query-client.ts';
import { MemoryRouter } from '../../src/web/lib/routing.tsx';
import { testEmotionCache } from './emotion.ts';

/** Render the whole app (providers, layout, lazy routes) at a path, as the browser would. */
export function renderApp(path = '/') {
  const user = userEvent.setup();
  const queryClient = createQueryClient();
  const view = render(
    <AppProviders queryClient={queryClient} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
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
