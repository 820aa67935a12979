import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { toQueryString } from '../../../contract/query.ts';
import { UserPageSchema, UserSchema } from '../../../contract/users.ts';
import type { InviteUser, User } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { withIdempotencyKey } from '../../lib/idempotency.ts';
import { refreshAfterChange, userKeys } from '../../lib/query-keys.ts';
import { INVITE_SUBMISSION_SCOPE, inviteKeyStorage } from './pending-submission.ts';

/**
 * POST /api/users: invite one person. Never retried automatically (a retry is the operator's choice). Each
 * submission carries an Idempotency-Key: sending the same details again after an unclear outcome (Retry, a network
 * error, a reload) reuses it, kept in sessionStorage, so the BFF can never invite the person twice.
 */
export function useInviteUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['invite-user'],
    mutationFn: (input: InviteUser): Promise<User> =>
      withIdempotencyKey(
        INVITE_SUBMISSION_SCOPE,
        input,
        (idempotencyKey) => api.post('/api/users', input, UserSchema, { idempotencyKey }),
        inviteKeyStorage,
      ),
    // Not awaited: the success panel should not wait for other screens' data to refresh.
    onSuccess: () => void refreshAfterChange(queryClient, 'person'),
  });
}

/** Who already has this address (GET /api/users?email=…), when the refusal did not say. */
export const personWithEmailQueryOptions = (email: string) => {
  const query = { email, limit: 5 };
  return queryOptions({
    queryKey: userKeys.list(query),
    queryFn: async ({ signal }) => {
      const page = await api.get(`/api/users${toQueryString(query)}`, UserPageSchema, signal);
      const wanted = email.toLowerCase();
      return page.users.find((user) => user.email.toLowerCase() === wanted) ?? null;
    },
  });
};
