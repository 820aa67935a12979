import { Suspense } from 'react';
import type { ReactNode } from 'react';
import { Route, Routes } from 'react-router';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { AppLayout } from './layout.tsx';
import { lazyScreen } from './lazy-screen.tsx';
import { RouteErrorBoundary } from './route-error.tsx';

// Every screen is its own chunk, downloaded when first visited. (Declarative routes: this app uses no loaders or
// actions, and React Router's data router would cost about 15 kB gzip of the first-load budget; README explains.)
const invite = lazyScreen(async () => (await import('../features/invite/invite-page.tsx')).InvitePage);
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
const notFound = lazyScreen(async () => (await import('./not-found-page.tsx')).NotFoundPage);

/** Fetch the code of the screen at this address before the first render (see lazyScreen). */
export async function preloadScreenFor(pathname: string): Promise<void> {
  const screen =
    pathname === '/'
      ? invite
      : pathname.startsWith('/users')
        ? users
        : pathname === '/invitations'
          ? invitations
          : pathname === '/operators'
            ? operators
            : pathname === '/activity'
              ? activity
              : notFound;
  await screen.preload();
}

export function PageLoading() {
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }} role="status">
      <CircularProgress size={24} aria-hidden />
      <Typography>Loading…</Typography>
    </Stack>
  );
}

function Screen({ children }: { children: ReactNode }) {
  return (
    <RouteErrorBoundary>
      <Suspense fallback={<PageLoading />}>{children}</Suspense>
    </RouteErrorBoundary>
  );
}

/** The app's routes: Invite is home; Users, Invitations, Operators, Activity; anything else is 404. */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route
          index
          element={
            <Screen>
              <invite.Screen />
            </Screen>
          }
        />
        <Route
          path="users"
          element={
            <Screen>
              <users.Screen />
            </Screen>
          }
        />
        <Route
          path="users/:userId"
          element={
            <Screen>
              <users.Screen />
            </Screen>
          }
        />
        <Route
          path="invitations"
          element={
            <Screen>
              <invitations.Screen />
            </Screen>
          }
        />
        <Route
          path="operators"
          element={
            <Screen>
              <operators.Screen />
            </Screen>
          }
        />
        <Route
          path="activity"
          element={
            <Screen>
              <activity.Screen />
            </Screen>
          }
        />
        <Route
          path="*"
          element={
            <Screen>
              <notFound.Screen />
            </Screen>
          }
        />
      </Route>
    </Routes>
  );
}
