import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Session } from '../../src/contract/session.ts';
import { AppProviders } from '../../src/web/app/providers.tsx';
import { SessionGate } from '../../src/web/features/session/session-gate.tsx';
import { createQueryClient } from '../../src/web/lib/query-client.ts';
import { MemoryRouter, Routes } from '../../src/web/lib/routing.tsx';
import { testEmotionCache } from './emotion.ts';

export const DANA_SESSION: Session = {
  operator: {
    id: `opr_${'a'.repeat(32)}`,
    email: 'dana@clinic.org',
    displayName: 'Dana Scully',
    role: 'administrator',
  },
  mustChangePassword: false,
  expiresAt: '2026-03-02T16:00:00.000Z',
  idleTimeoutMinutes: 30,
};

/** Render one screen behind the session gate, at a path, as main.tsx does for the whole app. */
export function renderGated(
  element: ReactNode,
  { path = '/', route = '*' }: { path?: string; route?: string } = {},
) {
  const user = userEvent.setup();
  const queryClient = createQueryClient();
  const view = render(
    <AppProviders queryClient={queryClient} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={[path]}>
        <SessionGate>
          <Routes routes={[{ path: route, element }]} />
        </SessionGate>
      </MemoryRouter>
    </AppProviders>,
  );
  return { user, queryClient, ...view };
}
