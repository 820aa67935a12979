import { Suspense } from 'react';
import type { ReactNode } from 'react';
import { PageLoading } from '../components/page-loading.tsx';
import { matchRoutes, Routes } from '../lib/routing.tsx';
import { AppLayout } from './layout.tsx';
import { lazyScreen } from './lazy-screen.tsx';
import type { LazyScreen } from './lazy-screen.tsx';
import type { OperatorRole } from '../../contract/session.ts';
import { RoleGate } from './role-gate.tsx';
import { RouteErrorBoundary } from './route-error.tsx';
import { ScreenArrival } from './screen-arrival.tsx';

// Every screen is its own chunk, downloaded when first visited.
const invite = lazyScreen(async () => (await import('../features/invite/invite-page.tsx')).InvitePage);
const inviteMany = lazyScreen(
  async () => (await import('../features/bulk-invite/invite-many-page.tsx')).InviteManyPage,
);
const users = lazyScreen(async () => (await import('../features/users/users-page.tsx')).UsersPage);
const invitations = lazyScreen(
  async () => (await import('../features/invitations/invitations-page.tsx')).InvitationsPage,
);
const operators = lazyScreen(
  async () => (await import('../features/operators/operators-page.tsx')).OperatorsPage,
);
const activity = lazyScreen(
  async () => (await import('../features/activity/activity-page.tsx')).ActivityPage,
);
const bulkBatch = lazyScreen(async () => (await import('../features/bulk-invite/batch-page.tsx')).BatchPage);
const notFound = lazyScreen(async () => (await import('./not-found-page.tsx')).NotFoundPage);

function Screen({ children }: { children: ReactNode }) {
  return (
    <RouteErrorBoundary>
      <Suspense fallback={<PageLoading />}>
        {children}
        <ScreenArrival />
      </Suspense>
    </RouteErrorBoundary>
  );
}

/**
 * A route to a screen. The element is keyed by the screen's name: going to another screen starts it afresh (a screen
 * that could not be shown does not stay in the way of the next one), while the routes of one screen share it (a
 * person's details open over the Users list without reloading it).
 */
const route = (
  path: string,
  name: string,
  screen: LazyScreen,
  only?: { role: OperatorRole; elseGoTo?: string },
) => ({
  path,
  screen,
  element: (
    <Screen key={name}>
      {only === undefined ? (
        <screen.Screen />
      ) : (
        <RoleGate role={only.role} elseGoTo={only.elseGoTo}>
          <screen.Screen />
        </RoleGate>
      )}
    </Screen>
  ),
});

/**
 * Invite is home (a Viewer's home is Users); Users (a person's details over the list), Invitations, Operators,
 * Activity; anything else is 404. A screen beyond the operator's role says which role it needs.
 */
const ROUTES = [
  route('/', 'invite', invite, { role: 'inviter', elseGoTo: '/users' }),
  route('/invite', 'invite', invite, { role: 'inviter' }),
  route('/invite-many', 'invite-many', inviteMany, { role: 'inviter' }),
  route('/users', 'users', users),
  route('/users/:userId', 'users', users),
  route('/invitations', 'invitations', invitations),
  route('/operators', 'operators', operators, { role: 'administrator' }),
  route('/activity', 'activity', activity, { role: 'administrator' }),
  route('/invite-many/:batchId', 'invite-many-batch', bulkBatch, { role: 'inviter' }),
  route('*', 'not-found', notFound),
];

/** Fetch the code of the screen at this address before the first render (see lazyScreen). */
export async function preloadScreenFor(pathname: string): Promise<void> {
  await (matchRoutes(ROUTES, pathname)?.route.screen ?? notFound).preload();
}

/** The app's screens inside its layout. */
export function AppRoutes() {
  return (
    <AppLayout>
      <Routes routes={ROUTES} />
    </AppLayout>
  );
}
