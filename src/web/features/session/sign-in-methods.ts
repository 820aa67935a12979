import { queryOptions } from '@tanstack/react-query';
import { SignInMethodsSchema } from '../../../contract/session.ts';
import { api } from '../../lib/api-client.ts';
import { sessionKeys } from '../../lib/query-keys.ts';

/** How one signs in here: from the page shell, else GET /api/session/methods. Kept apart from the lazy sign-in screen. */
export const signInMethodsQueryOptions = () =>
  queryOptions({
    queryKey: [...sessionKeys.all, 'methods'] as const,
    queryFn: ({ signal }) => api.get('/api/session/methods', SignInMethodsSchema, signal),
    staleTime: Infinity,
  });
