import { queryOptions, useQuery } from '@tanstack/react-query';
import { ModeSchema } from '../../../contract/mode.ts';
import { api } from '../../lib/api-client.ts';

/** Query keys for what the BFF says about this session and deployment. */
export const sessionKeys = {
  all: ['session'] as const,
  mode: () => [...sessionKeys.all, 'mode'] as const,
};

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
