import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import {
  BulkBatchListSchema,
  BulkBatchSchema,
  BulkBatchSummarySchema,
  BulkRowSchema,
} from '../../../contract/bulk.ts';
import type { BatchState, BulkBatch, BulkRow } from '../../../contract/bulk.ts';
import type { InviteUser } from '../../../contract/users.ts';
import { api } from '../../lib/api-client.ts';
import { bulkKeys, refreshAfterChange } from '../../lib/query-keys.ts';
import { sendChange } from '../../lib/send-change.ts';

/** Reads and changes of a sent batch: its screen and the list of recent batches. */

const batchPath = (batchId: string) => `/api/bulk-invites/${encodeURIComponent(batchId)}`;

/** The whole batch, every row. */
export const batchQueryOptions = (batchId: string) =>
  queryOptions({
    queryKey: bulkKeys.detail(batchId),
    queryFn: ({ signal }) => api.get(batchPath(batchId), BulkBatchSchema, signal),
  });

/** The batch as it is now, with only the rows changed after `version`. */
export function fetchBatchChanges(
  batchId: string,
  version: number,
  signal?: AbortSignal,
): Promise<BulkBatch> {
  return api.get(`${batchPath(batchId)}?since=${version}`, BulkBatchSchema, signal);
}

/** The most recent batches, newest first. */
export const recentBatchesQueryOptions = () =>
  queryOptions({
    queryKey: bulkKeys.lists(),
    queryFn: ({ signal }) => api.get('/api/bulk-invites', BulkBatchListSchema, signal),
  });

/** Rows can still be sent (the batch is sending, or waits for Avara): Cancel has something to stop. */
export const isSending = (state: BatchState) => state === 'running' || state === 'paused';

/** Something can still change: rows are to come, or a cancelled batch's last row is still on its way. */
export const isLive = (batch: Pick<BulkBatch, 'finishedAt'>) => batch.finishedAt === null;

/**
 * What changed, merged into what the screen has. Answers can cross (a poll and the answer to a retry): an answer older
 * than what is shown changes nothing, and a row is only ever replaced by a newer version of itself.
 */
export function mergeBatch(current: BulkBatch, changes: BulkBatch): BulkBatch {
  if (changes.batchId !== current.batchId || changes.version < current.version) return current;
  const rows = current.rows.slice();
  const positions = new Map(rows.map((row, position) => [row.index, position]));
  let added = false;
  for (const row of changes.rows) {
    const at = positions.get(row.index);
    if (at === undefined) {
      positions.set(row.index, rows.length);
      rows.push(row);
      added = true;
    } else if ((rows[at]?.version ?? -1) <= row.version) rows[at] = row;
  }
  if (added) rows.sort((a, b) => a.index - b.index);
  return { ...changes, columns: current.columns, rows };
}

/** POST …/cancel: the rows not sent yet are not sent. */
export function useCancelBatch(batchId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['cancel-batch', batchId],
    mutationFn: () => sendChange('POST', `${batchPath(batchId)}/cancel`, {}, BulkBatchSummarySchema),
    onSettled: () => refreshAfterChange(queryClient, 'batch'),
  });
}

/** POST …/rows/:index/retry: a failed row again, as the admin corrected it. */
export function useRetryRow(batchId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['retry-batch-row', batchId],
    mutationFn: ({ index, invite }: { index: number; invite: InviteUser }): Promise<BulkRow> =>
      sendChange('POST', `${batchPath(batchId)}/rows/${index}/retry`, { invite }, BulkRowSchema),
    onSettled: () => refreshAfterChange(queryClient, 'batch'),
  });
}
