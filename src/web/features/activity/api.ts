import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { AuditPageSchema } from '../../../contract/audit.ts';
import type { AuditAction } from '../../../contract/audit.ts';
import { toQueryString } from '../../../contract/query.ts';
import { api, apiFile } from '../../lib/api-client.ts';
import { downloadBlob } from '../../lib/download.ts';
import { auditKeys } from '../../lib/query-keys.ts';

export type ActivityFilters = {
  /** The person the records are about. */
  userId?: string | undefined;
  operatorId?: string | undefined;
  action?: AuditAction | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export const PAGE_SIZE = 50;

export const activityQueryOptions = (filters: ActivityFilters) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `/api/audit${toQueryString({ ...filters, cursor: pageParam, limit: PAGE_SIZE })}`,
        AuditPageSchema,
        signal,
      ),
    getNextPageParam: (page) => (page.hasMore && page.cursor ? page.cursor : undefined),
  });

export function useActivity(filters: ActivityFilters) {
  return useInfiniteQuery(activityQueryOptions(filters));
}

/**
 * GET /api/audit.csv with the same filters. Fetched (not a plain link) because every /api call needs the X-CSRF
 * header; the answer is handed to the browser as a download.
 */
export async function downloadActivityCsv(filters: ActivityFilters): Promise<void> {
  const file = await apiFile(`/api/audit.csv${toQueryString(filters)}`, 'text/csv');
  downloadBlob(file.fileName ?? 'activity.csv', file.blob);
}
