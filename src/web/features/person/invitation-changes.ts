import { useMutation, useQueryClient } from '@tanstack/react-query';
import { InvitationSchema } from '../../../contract/invitations.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { ActionResultSchema } from '../../../contract/users.ts';
import type { ActionResult, UpdateUser } from '../../../contract/users.ts';
import { refreshAfterChange } from '../../lib/query-keys.ts';
import { sendChange } from '../../lib/send-change.ts';

/** Changes to a pending invitation: from the Invitations screen and from a person's details. */

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
