import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type * as z from 'zod/mini';
import { InvitationPageSchema } from '../../../contract/invitations.ts';
import { toQueryString } from '../../../contract/query.ts';
import { ActionResultSchema, UserPageSchema, UserSchema } from '../../../contract/users.ts';
import type { ActionResult, ListUsersQuery, UpdateUser, User, UserPage } from '../../../contract/users.ts';
import { api, apiRequest } from '../../lib/api-client.ts';
import { withIdempotencyKey } from '../../lib/idempotency.ts';
import { auditKeys } from '../activity/api.ts';
import { invitationKeys } from '../invitations/api.ts';
import { userKeys } from './api.ts';

/**
 * Reads and changes for the Users screen. (The query-key factory stays in api.ts, which the invite screen imports:
 * keeping these here keeps them out of the invite screen's first load.)
 */

export function listUsers(query: ListUsersQuery, signal?: AbortSignal): Promise<UserPage> {
  return api.get(`/api/users${toQueryString(query)}`, UserPageSchema, signal);
}

export const usersQueryOptions = (query: ListUsersQuery) =>
  queryOptions({
    queryKey: userKeys.list(query),
    queryFn: ({ signal }) => listUsers(query, signal),
    // The page on screen stays while the next one loads (no flash of the skeleton between pages).
    placeholderData: keepPreviousData,
  });

export const userQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: userKeys.detail(userId),
    queryFn: ({ signal }) => api.get(`/api/users/${encodeURIComponent(userId)}`, UserSchema, signal),
  });

/** The person's invitations (newest first): the details view shows the latest. */
export const invitationsOfUserQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: invitationKeys.list({ userId, limit: 5 }),
    queryFn: ({ signal }) =>
      api.get(`/api/invitations${toQueryString({ userId, limit: 5 })}`, InvitationPageSchema, signal),
  });

type ChangeMethod = 'POST' | 'PATCH';

/**
 * Every change the review screens make goes through here: the one place the Idempotency-Key of a submission is
 * chosen (a retry of the same change reuses its key, see lib/idempotency.ts) and attached to the request.
 */
export function sendChange<Schema extends z.ZodMiniType>(
  method: ChangeMethod,
  path: string,
  body: unknown,
  schema: Schema,
): Promise<z.output<Schema>> {
  return withIdempotencyKey(`${method} ${path}`, body ?? null, (idempotencyKey) =>
    apiRequest(path, schema, { method, body, idempotencyKey }),
  );
}

/** After any change to a person: every list and detail of users and invitations, and the activity trail. */
export function refreshAfterChange(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: userKeys.all });
  void queryClient.invalidateQueries({ queryKey: invitationKeys.all });
  void queryClient.invalidateQueries({ queryKey: auditKeys.all });
}

/** PATCH /api/users/:userId with only the changed fields. */
export function useUpdateUser(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['update-user', userId],
    mutationFn: (patch: UpdateUser): Promise<User> =>
      sendChange('PATCH', `/api/users/${encodeURIComponent(userId)}`, patch, UserSchema),
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(userId), user);
      refreshAfterChange(queryClient);
    },
  });
}

export type AccessAction = 'revoke-access' | 'reactivate';

/** POST /api/users/:userId/revoke-access or /reactivate. Avara answers `success: false` when nothing changed. */
export function useUserAccessAction(userId: string, action: AccessAction) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: [action, userId],
    mutationFn: (): Promise<ActionResult> =>
      sendChange('POST', `/api/users/${encodeURIComponent(userId)}/${action}`, {}, ActionResultSchema),
    onSettled: () => refreshAfterChange(queryClient),
  });
}
