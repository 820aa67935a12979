import { useMutation, useQueryClient } from '@tanstack/react-query';
import { UserSchema } from '../../../contract/users.ts';
import type { InviteUser, User } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { invitationKeys } from '../invitations/api.ts';
import { userKeys } from '../users/api.ts';

/** POST /api/users: invite one person. Never retried automatically (a retry is the operator's choice). */
export function useInviteUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['invite-user'],
    mutationFn: (input: InviteUser): Promise<User> => api.post('/api/users', input, UserSchema),
    onSuccess: () => {
      // Not awaited: the success panel should not wait for other screens' data to refresh.
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      void queryClient.invalidateQueries({ queryKey: invitationKeys.all });
    },
  });
}
