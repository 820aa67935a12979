import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { AuditPageSchema } from '../../../contract/audit.ts';
import type { AuditAction } from '../../../contract/audit.ts';
import { toQueryString } from '../../../contract/query.ts';
import { ApiError, NETWORK_PROBLEM_TYPE, api } from '../../lib/api-client.ts';

export type ActivityFilters = {
  operatorId?: string | undefined;
  action?: AuditAction | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: ActivityFilters) => [...auditKeys.all, 'list', filters] as const,
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
  let response: Response;
  try {
    response = await fetch(`/api/audit.csv${toQueryString(filters)}`, {
      headers: { Accept: 'text/csv', 'X-CSRF': '1' },
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, {
      type: NETWORK_PROBLEM_TYPE,
      title: 'The dashboard server could not be reached.',
      status: 0,
      detail: 'Check the network connection, then try again.',
    });
  }
  if (!response.ok) {
    throw new ApiError(response.status, {
      type: 'about:blank',
      title: `The export did not work (the server answered ${response.status}).`,
      status: response.status,
    });
  }
  const blob = await response.blob();
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'activity.csv';
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
