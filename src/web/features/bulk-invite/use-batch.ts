import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { BulkBatch } from '../../../contract/bulk.ts';
import { ApiError } from '../../lib/api-client.ts';
import { bulkKeys } from '../../lib/query-keys.ts';
import { batchQueryOptions, fetchBatchChanges, isLive, mergeBatch } from './batch-api.ts';
import { addSample, batchProgress } from './batch-results.ts';
import type { ProgressSample } from './batch-results.ts';
import { sleep } from '../../lib/sleep.ts';

/** How often a live batch is asked what changed. */
export const POLL_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 15_000;

function subscribeVisibility(onChange: () => void) {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

/** Whether the page is visible (a hidden tab asks nothing: the batch goes on in the BFF regardless). */
function usePageVisible(): boolean {
  return useSyncExternalStore(
    subscribeVisibility,
    () => document.visibilityState !== 'hidden',
    () => true,
  );
}

/**
 * A batch, kept up to date while it is live: about once a second (while the page is visible) the BFF is asked for
 * what changed since the version shown, and the changed rows are merged in. Polling stops once the batch has ended
 * (finished, or cancelled and its last row back). A failed poll is retried with a growing wait (or the wait a 429 asks for), the batch staying shown.
 */
export function useBatch(batchId: string) {
  const queryClient = useQueryClient();
  const query = useQuery({ ...batchQueryOptions(batchId), staleTime: Infinity });
  const live = query.data !== undefined && isLive(query.data);
  const visible = usePageVisible();
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const [samples, setSamples] = useState<ProgressSample[]>([]);

  /** Ask what changed now and merge it; the answer of a change (cancel, retry) is followed up this way. */
  const refresh = useCallback(
    async (signal?: AbortSignal): Promise<BulkBatch | undefined> => {
      const key = bulkKeys.detail(batchId);
      const shown = queryClient.getQueryData<BulkBatch>(key);
      if (!shown) return undefined;
      const changes = await fetchBatchChanges(batchId, shown.version, signal);
      const latest = queryClient.getQueryData<BulkBatch>(key) ?? shown;
      const merged = mergeBatch(latest, changes);
      queryClient.setQueryData(key, merged);
      setSamples((known) => addSample(known, { at: Date.now(), done: batchProgress(merged).done }));
      if (merged.state !== latest.state) void queryClient.invalidateQueries({ queryKey: bulkKeys.lists() });
      return merged;
    },
    [batchId, queryClient],
  );

  useEffect(() => {
    if (!live || !visible) return;
    const abort = new AbortController();
    const poll = async () => {
      let wait = POLL_INTERVAL_MS;
      let failures = 0;
      for (;;) {
        await sleep(wait, abort.signal);
        if (abort.signal.aborted) return;
        try {
          const merged = await refresh(abort.signal);
          setPollError(null);
          failures = 0;
          wait = POLL_INTERVAL_MS;
          if (!merged || !isLive(merged)) return;
        } catch (error) {
          if (abort.signal.aborted) return;
          failures += 1;
          setPollError(error instanceof ApiError ? error : null);
          const asked =
            error instanceof ApiError && error.status === 429 ? error.problem.retryAfter : undefined;
          wait =
            asked === undefined
              ? Math.min(POLL_INTERVAL_MS * 2 ** failures, MAX_BACKOFF_MS)
              : Math.min(asked * 1000, 60_000);
        }
      }
    };
    void poll();
    return () => abort.abort();
  }, [live, visible, refresh]);

  return { query, pollError, samples, refresh };
}
