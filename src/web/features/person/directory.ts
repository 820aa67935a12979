import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DirectoryFreshnessSchema } from '../../../contract/directory.ts';
import type { DirectoryFreshness, InvitedBy } from '../../../contract/directory.ts';
import { api } from '../../lib/api-client.ts';
import { directoryKeys } from '../../lib/query-keys.ts';
import { sleep } from '../../lib/sleep.ts';

/** The directory's freshness and refresh, shared by Users and Invitations. */

const POLL_MS = 1000;
/** A refresh of a large clinic takes under a minute; past this the screen stops waiting and says so. */
const POLL_LIMIT = 180;

/**
 * Refresh now: ask the BFF for a full refresh (202), follow its status until it is no longer refreshing, then load
 * the lists again. Resolves with the final freshness (its `lastError` says when the refresh failed).
 */
export function useRefreshDirectory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['directory-refresh'],
    mutationFn: async (): Promise<DirectoryFreshness> => {
      let freshness = await api.post('/api/directory/refresh', {}, DirectoryFreshnessSchema);
      queryClient.setQueryData(directoryKeys.status(), freshness);
      const stop = new AbortController();
      for (let polls = 0; freshness.refreshing && polls < POLL_LIMIT; polls += 1) {
        await sleep(POLL_MS, stop.signal);
        freshness = await api.get('/api/directory/status', DirectoryFreshnessSchema);
        queryClient.setQueryData(directoryKeys.status(), freshness);
      }
      return freshness;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: directoryKeys.all }),
  });
}

/** "Dana Smith" when sent from this dashboard, else what Avara says ("Through the API"). */
export function invitedByText(invitedBy: InvitedBy): string {
  return invitedBy.source === 'dashboard' && invitedBy.operator ? invitedBy.operator.name : invitedBy.label;
}

/** The "invited by" filter's choices besides the operators (the contract's `api` and `avara`). */
export const OTHER_INVITERS = [
  { value: 'api', label: 'Through the API' },
  { value: 'avara', label: 'From Avara’s dashboard' },
] as const;
