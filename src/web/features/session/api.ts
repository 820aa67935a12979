import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { ModeSchema } from '../../../contract/mode.ts';
import { SessionSchema } from '../../../contract/session.ts';
import type { ChangePasswordInput, Session, SignInInput } from '../../../contract/session.ts';
import { ApiError, api, apiRequest } from '../../lib/api-client.ts';
import { refreshAfterChange, sessionKeys } from '../../lib/query-keys.ts';

export const modeQueryOptions = () =>
  queryOptions({
    queryKey: sessionKeys.mode(),
    queryFn: ({ signal }) => api.get('/api/mode', ModeSchema, signal),
    staleTime: Infinity,
  });

/** Sandbox or live, from GET /api/mode. */
export function useMode() {
  return useQuery(modeQueryOptions());
}

/** The signed-in operator's session: GET /api/session, or null when nobody is signed in (401). */
export const currentSessionKey = () => sessionKeys.current();

export const currentSessionQueryOptions = () =>
  queryOptions({
    queryKey: currentSessionKey(),
    queryFn: async ({ signal }): Promise<Session | null> => {
      try {
        return await api.get('/api/session', SessionSchema, signal);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
  });

export function useCurrentSession() {
  return useQuery(currentSessionQueryOptions());
}

/** Whatever the last operator saw is dropped; the new session is all that is cached. */
function useStartFresh() {
  const queryClient = useQueryClient();
  return (session: Session | null) => {
    // Everything but the session query itself, which the gate is watching.
    const sessionHash = JSON.stringify(currentSessionKey());
    queryClient.removeQueries({ predicate: (query) => query.queryHash !== sessionHash });
    queryClient.setQueryData(currentSessionKey(), session);
  };
}

export function useSignIn() {
  const startFresh = useStartFresh();
  return useMutation({
    mutationKey: ['sign-in'],
    mutationFn: (input: SignInInput) => api.post('/api/session', input, SessionSchema),
    onSuccess: (session) => startFresh(session),
  });
}

export function useSignOut() {
  const startFresh = useStartFresh();
  return useMutation({
    mutationKey: ['sign-out'],
    mutationFn: () => apiRequest('/api/session', z.unknown(), { method: 'DELETE' }),
    // Signed out either way: if the session had already ended, the server says 401, which means the same.
    onSettled: () => startFresh(null),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['change-password'],
    mutationFn: (input: ChangePasswordInput) => api.post('/api/session/password', input, SessionSchema),
    onSuccess: (session) => {
      queryClient.setQueryData(currentSessionKey(), session);
      void refreshAfterChange(queryClient, 'password');
    },
  });
}
