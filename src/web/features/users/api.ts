import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { InvitationPageSchema } from '../../../contract/invitations.ts';
import { toQueryString } from '../../../contract/query.ts';
import { PeoplePageSchema } from '../../../contract/directory.ts';
import type { PeoplePage, PeopleQuery } from '../../../contract/directory.ts';
import { ActionResultSchema, UserSchema } from '../../../contract/users.ts';
import type { ActionResult, UpdateUser, User } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { directoryKeys, invitationKeys, refreshAfterChange, userKeys } from '../../lib/query-keys.ts';
import { sendChange } from '../../lib/send-change.ts';

/** Reads and changes for the Users screen. */

/** A page of the directory's people (search, filters, sort). */
export function listPeople(query: PeopleQuery, signal?: AbortSignal): Promise<PeoplePage> {
  return api.get(`/api/directory/people${toQueryString(query)}`, PeoplePageSchema, signal);
}

/** The person as the directory knows them (status with its source, invited by): found by their userId. */
export const directoryEntryQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: directoryKeys.people({ q: userId, limit: 1 }),
    queryFn: async ({ signal }) => {
      const page = await listPeople({ q: userId, limit: 1 }, signal);
      return page.people.find((person) => person.user.userId === userId) ?? null;
    },
  });

/** The person's invitations (newest first): the details view shows the latest. */
export const invitationsOfUserQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: invitationKeys.list({ userId, limit: 5 }),
    queryFn: ({ signal }) =>
      api.get(`/api/invitations${toQueryString({ userId, limit: 5 })}`, InvitationPageSchema, signal),
  });

/** PATCH /api/users/:userId with only the changed fields. */
export function useUpdateUser(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['update-user', userId],
    mutationFn: (patch: UpdateUser): Promise<User> =>
      sendChange('PATCH', `/api/users/${encodeURIComponent(userId)}`, patch, UserSchema),
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(userId), user);
      void refreshAfterChange(queryClient, 'person');
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
    onSettled: () => refreshAfterChange(queryClient, 'person'),
  });
}
