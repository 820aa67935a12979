import { lazy, Suspense, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import { PageLoading } from '../../components/page-loading.tsx';
import { RequestIdNote } from '../../components/request-id.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { SessionContext } from '../../lib/session-context.ts';
import { currentSessionKey, useCurrentSession } from './api.ts';
import type { SignInReason } from './sign-in-page.tsx';

// Lazy: an operator who is already signed in never downloads the sign-in or password screens.
const SignInPage = lazy(async () => ({ default: (await import('./sign-in-page.tsx')).SignInPage }));
const ChangePasswordPage = lazy(async () => ({
  default: (await import('./change-password-page.tsx')).ChangePasswordPage,
}));

/**
 * Any 401 from any /api call means the session has ended: forget it, so the gate shows sign-in in place. A 403
 * `password-change-required` means the server wants a new password first: ask the server for the session again.
 * A sign-out is confirmed on the sign-in screen that follows (or, if the server could not be told, said so).
 */
function useSignInReason(): SignInReason | null {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState<SignInReason | null>(null);
  useEffect(() => {
    const sessionHash = JSON.stringify(currentSessionKey());
    const seen = (error: unknown, fromSession: boolean) => {
      if (!(error instanceof ApiError)) return;
      if (error.status === 401 && !fromSession && queryClient.getQueryData(currentSessionKey())) {
        queryClient.setQueryData(currentSessionKey(), null);
        setReason('session-ended');
      }
      if (error.code === 'password-change-required') {
        void queryClient.invalidateQueries({ queryKey: currentSessionKey() });
      }
    };
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated') return;
      const fromSession = event.query.queryHash === sessionHash;
      if (event.action.type === 'error') seen(event.action.error, fromSession);
      // Signed in again: the note about how the last session ended no longer applies.
      if (fromSession && event.action.type === 'success' && event.action.manual === true) {
        if (event.action.data) setReason(null);
      }
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type !== 'updated') return;
      const name = event.mutation.options.mutationKey?.[0];
      if (name === 'sign-out') {
        if (event.action.type === 'success') setReason('signed-out');
        // A 401 means the session had already ended on the server: signed out all the same.
        if (event.action.type === 'error') {
          const error = event.action.error;
          setReason(
            error instanceof ApiError && error.status === 401 ? 'signed-out' : 'sign-out-unconfirmed',
          );
        }
        return;
      }
      // A failed sign-in (401) is not the end of a session.
      if (event.action.type === 'error') seen(event.action.error, name === 'sign-in');
    });
    return () => {
      unsubscribeQueries();
      unsubscribeMutations();
    };
  }, [queryClient]);
  return reason;
}

/**
 * Nothing of the app is shown until the server says who is signed in. Nobody: the sign-in screen, at the same address,
 * so the operator lands where they were going. A password set by someone else: the password screen first.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const session = useCurrentSession();
  const reason = useSignInReason();

  if (session.isPending) {
    return (
      <Container sx={{ py: 4 }}>
        <PageLoading />
      </Container>
    );
  }
  if (session.isError) {
    return (
      <Container maxWidth="sm" sx={{ py: 4 }}>
        <Alert
          severity="error"
          action={
            <Button color="inherit" variant="outlined" size="small" onClick={() => void session.refetch()}>
              Retry
            </Button>
          }
        >
          <AlertTitle>Viewer Admin could not be reached.</AlertTitle>
          {session.error.problem.detail ?? session.error.problem.title}
          <RequestIdNote requestId={session.error.requestId} />
        </Alert>
      </Container>
    );
  }
  const loading = (
    <Container sx={{ py: 4 }}>
      <PageLoading />
    </Container>
  );
  if (session.data === null) {
    return (
      <Suspense fallback={loading}>
        <SignInPage reason={reason} />
      </Suspense>
    );
  }
  if (session.data.mustChangePassword) {
    return (
      <Suspense fallback={loading}>
        <ChangePasswordPage displayName={session.data.operator.displayName} />
      </Suspense>
    );
  }
  return (
    // A different operator signing in on the same workstation starts from a clean slate.
    <SessionContext.Provider value={session.data} key={session.data.operator.id}>
      {children}
    </SessionContext.Provider>
  );
}
