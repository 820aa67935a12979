import { renderToString } from 'react-dom/server';
import type { ShellBootstrap } from '../../contract/session.ts';
import { InvitePage } from '../features/invite/invite-page.tsx';
import { startSessionQueries } from '../features/session/bootstrap.ts';
import { SessionGate } from '../features/session/session-gate.tsx';
import { createQueryClient } from '../lib/query-client.ts';
import { MemoryRouter } from '../lib/routing.tsx';
import { createEmotionCache } from './emotion-cache.ts';
import { AppShell } from './layout.tsx';
import { AppProviders } from './providers.tsx';

/**
 * Build time only (vite.config.ts runs it in Node; no browser code imports it): the CSS MUI generates for the home
 * screen as a signed-in operator first sees it (light scheme, sandbox mode, an empty invite form), and the emotion
 * names of those styles. The build writes the CSS as a stylesheet and the names into index.html; the browser's emotion
 * cache then counts them as already inserted, so the first render skips compiling and inserting them. Anything this
 * render did not produce (the dark scheme, an error state, other screens) is inserted at run time as usual.
 */
export interface FirstScreenStyles {
  css: string;
  names: string[];
}

/** Who the render is for: any signed-in operator looks the same. */
const SAMPLE: ShellBootstrap = {
  session: {
    operator: {
      id: 'opr_00000000000000000000000000000000',
      email: 'operator@clinic.example',
      displayName: 'Clinic Operator',
    },
    mustChangePassword: false,
    expiresAt: '2026-01-01T00:00:00.000Z',
    idleTimeoutMinutes: 30,
  },
  mode: { mode: 'sandbox' },
};

export function renderFirstScreenStyles(): FirstScreenStyles {
  const cache = createEmotionCache({});
  // Outside a browser, a "compat" cache keeps each style's CSS text under its name instead of writing <style> elements
  // into the rendered HTML (how @emotion/server collects critical CSS).
  cache.compat = true;
  const queryClient = createQueryClient();
  startSessionQueries(queryClient, SAMPLE);
  renderToString(
    <AppProviders queryClient={queryClient} emotionCache={cache}>
      <MemoryRouter>
        <SessionGate>
          <AppShell>
            <InvitePage />
          </AppShell>
        </SessionGate>
      </MemoryRouter>
    </AppProviders>,
  );
  const styles = Object.entries(cache.inserted).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
  );
  return { css: styles.map(([, css]) => css).join('\n'), names: styles.map(([name]) => name) };
}
