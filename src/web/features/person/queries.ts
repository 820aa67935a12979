import { queryOptions, useQuery } from '@tanstack/react-query';
import { OperatorListSchema, OperatorNameListSchema } from '../../../contract/operators.ts';
import { UserSchema } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { operatorKeys, userKeys } from '../../lib/query-keys.ts';

/** Reads that more than one screen makes. */

/** One user's record: their details in Users, the senders of invitations in Invitations. */
export const userQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: userKeys.detail(userId),
    queryFn: ({ signal }) => api.get(`/api/users/${encodeURIComponent(userId)}`, UserSchema, signal),
  });

/** Everyone who can sign in to Viewer Admin: the Operators screen, and Activity's operator filter. */
export const operatorsQueryOptions = () =>
  queryOptions({
    queryKey: operatorKeys.list(),
    queryFn: ({ signal }) => api.get('/api/operators', OperatorListSchema, signal),
  });

export function useOperators() {
  return useQuery(operatorsQueryOptions());
}

/** Every operator's name, for the "Invited by" filter (any role may read it; the full list is for Administrators). */
export function useOperatorNames() {
  return useQuery({
    queryKey: operatorKeys.names(),
    queryFn: ({ signal }) => api.get('/api/operators/names', OperatorNameListSchema, signal),
  });
}
