import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { InvitationPageSchema, InvitationSchema } from '../../../contract/invitations.ts';
import type { Invitation, InvitationPage, ListInvitationsQuery } from '../../../contract/invitations.ts';
import { toQueryString } from '../../../contract/query.ts';
import { ActionResultSchema } from '../../../contract/users.ts';
import type { ActionResult, UpdateUser } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { refreshAfterChange } from '../../lib/query-keys.ts';
import { sendChange } from '../../lib/send-change.ts';
import { userQueryOptions } from '../person/queries.ts';

/** Reads and changes for the Invitations screen. */

export function listInvitations(query: ListInvitationsQuery, signal?: AbortSignal): Promise<InvitationPage> {
  return api.get(`/api/invitations${toQueryString(query)}`, InvitationPageSchema, signal);
}

/** PATCH /api/invitations/:invitationId with only the changed fields (pending invitations only). */
export function useUpdateInvitation(invitationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['update-invitation', invitationId],
    mutationFn: (patch: UpdateUser): Promise<Invitation> =>
      sendChange('PATCH', `/api/invitations/${encodeURIComponent(invitationId)}`, patch, InvitationSchema),
    onSuccess: () => refreshAfterChange(queryClient, 'person'),
  });
}

/** POST /api/invitations/:invitationId/revoke. Avara answers `success: false` when it was no longer pending. */
export function useRevokeInvitation(invitationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['revoke-invitation', invitationId],
    mutationFn: (): Promise<ActionResult> =>
      sendChange(
        'POST',
        `/api/invitations/${encodeURIComponent(invitationId)}/revoke`,
        {},
        ActionResultSchema,
      ),
    onSettled: () => refreshAfterChange(queryClient, 'person'),
  });
}

/** The people who sent the invitations on this page (dashboard invitations name their inviter's userId). */
export function useInviters(inviterIds: readonly string[]) {
  return useQueries({
    queries: inviterIds.map((userId) => ({
      ...userQueryOptions(userId),
      staleTime: 5 * 60_000,
      retry: false,
    })),
    combine: (results) =>
      new Map(
        inviterIds.flatMap((userId, index) => {
          const data = results[index]?.data;
          return data ? [[userId, data] as const] : [];
        }),
      ),
  });
}
