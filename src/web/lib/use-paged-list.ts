import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { QueryKey } from '@tanstack/react-query';
import {
  clearedSearch,
  firstPageSearch,
  nextPageSearch,
  previousPageSearch,
  readPaging,
  withFilters,
  withPageSize,
} from './list-url.ts';
import type { PageSize } from './list-url.ts';
import { useLocation, useNavigate, useSearchParams } from './routing.tsx';
import { useSelection } from './use-selection.ts';

/** What a paged list asks the BFF for: its filters, a page size, and the page (its cursor; none for the first). */
type PageQuery<Filters> = Filters & { limit: PageSize; cursor?: string };

/** One page as the BFF answers it. */
interface ListPage {
  cursor?: string | null | undefined;
  hasMore: boolean;
}

interface PagedListOptions<Filters, Page extends ListPage, Row, Copied> {
  /** The filters in the address (values the contract refuses are ignored). */
  readFilters: (search: URLSearchParams) => Filters;
  hasFilters: (filters: Filters) => boolean;
  queryKey: (query: PageQuery<Filters>) => QueryKey;
  fetchPage: (query: PageQuery<Filters>, signal?: AbortSignal) => Promise<Page>;
  rowsOf: (page: Page) => readonly Row[];
  rowKey: (row: Row) => string;
  /** What a selected row keeps, to be copied later from whatever page is shown. */
  copy: (row: Row) => Copied;
  /** The list's own path, when the screen also has addresses below it (a person's details over the list). */
  pathname?: string;
}

/** The largest page the BFF serves: fewest requests for an export. */
const EXPORT_PAGE_SIZE = 100;

/**
 * A paged list whose whole view is in the address (filters, page size, page): the page's query, the rows chosen
 * across pages, a page link that is no longer valid, and every way of moving the address. Each move is a new history
 * entry, so Back returns to the previous view.
 */
export function usePagedList<Filters, Page extends ListPage, Row, Copied>(
  options: PagedListOptions<Filters, Page, Row, Copied>,
) {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const filters = options.readFilters(search);
  const paging = readPaging(search);
  const query: PageQuery<Filters> = {
    ...filters,
    limit: paging.limit,
    ...(paging.cursor === undefined ? {} : { cursor: paging.cursor }),
  };
  const result = useQuery({
    queryKey: options.queryKey(query),
    queryFn: ({ signal }) => options.fetchPage(query, signal),
    // The page on screen stays while the next one loads (no flash of the skeleton between pages).
    placeholderData: keepPreviousData,
  });
  const selection = useSelection<Row, Copied>(JSON.stringify(filters), options.rowKey, options.copy);
  const go = (next: URLSearchParams) =>
    navigate({ pathname: options.pathname ?? pathname, search: next.toString() });
  const nextCursor = result.data?.cursor;

  return {
    search,
    filters,
    filtered: options.hasFilters(filters),
    paging,
    result,
    rows: result.data ? options.rowsOf(result.data) : [],
    hasNext: result.data?.hasMore === true && Boolean(nextCursor),
    selection,
    /** The page link (its cursor) is no longer valid: the list can only start again from the first page. */
    staleCursor:
      result.isError &&
      result.error.status === 400 &&
      (result.error.problem.errors ?? []).some((error) => error.path === 'cursor'),
    setFilters: (changes: Readonly<Record<string, string | undefined>>) => go(withFilters(search, changes)),
    clearFilters: () => go(clearedSearch(search)),
    firstPage: () => go(firstPageSearch(search)),
    previousPage: () => go(previousPageSearch(search)),
    nextPage: () => {
      if (nextCursor) go(nextPageSearch(search, nextCursor));
    },
    setPageSize: (limit: PageSize) => go(withPageSize(search, limit)),
    /** Everything the current filters match, a page at a time (for the CSV export). */
    exportPage: async (cursor: string | undefined, signal: AbortSignal) => {
      const page = await options.fetchPage(
        { ...filters, limit: EXPORT_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
        signal,
      );
      return { rows: options.rowsOf(page), cursor: page.cursor, hasMore: page.hasMore };
    },
  };
}

export type PagedList<Row, Copied> = ReturnType<typeof usePagedList<unknown, ListPage, Row, Copied>>;
