import { useEffect, useLayoutEffect, useRef } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { QueryKey } from '@tanstack/react-query';
import {
  clearedSearch,
  firstPageSearch,
  pageSearch,
  readPaging,
  withFilters,
  withPageSize,
} from './list-url.ts';
import type { PageSize } from './list-url.ts';
import { useLocation, useNavigate, useSearchParams } from './routing.tsx';
import { useSelection } from './use-selection.ts';

/** What a paged list asks the BFF for: its filters and sort, a page size and a page number. */
type PageQuery<Filters> = Filters & { limit: PageSize; page: number };

/** One page as the directory answers it: the rows are the caller's, plus how many match in all and how fresh. */
interface ListPage {
  total: number;
  freshness: { refreshing: boolean };
}

/** While the directory is being filled or refreshed from Avara, the page on screen is asked for again this often. */
const REFRESHING_POLL_MS = 2_000;

interface PagedListOptions<Filters, Page extends ListPage, Row> {
  /** The filters and sort in the address (values the contract refuses are ignored). */
  readFilters: (search: URLSearchParams) => Filters;
  hasFilters: (filters: Filters) => boolean;
  queryKey: (query: PageQuery<Filters>) => QueryKey;
  fetchPage: (query: PageQuery<Filters>, signal?: AbortSignal) => Promise<Page>;
  rowsOf: (page: Page) => readonly Row[];
  rowKey: (row: Row) => string;
  /** The list's own path, when the screen also has addresses below it (a person's details over the list). */
  pathname?: string;
}

/**
 * How long a move waits for its rows before the address changes anyway (and the list shows that it is loading).
 * Waiting lets the screen render once, with the new rows, instead of once with the old rows and again with the new.
 */
const ROWS_WAIT_MS = 400;

/** The largest page the BFF serves: fewest requests for an export. */
const EXPORT_PAGE_SIZE = 100;

/**
 * A paged list whose whole view is in the address (filters, sort, page size, page number): the page's query, the
 * rows chosen across pages, and every way of moving the address. Each move is a new history entry (Back returns to
 * the previous view), except where the caller asks to replace it (a search box while the admin is typing).
 */
export function usePagedList<Filters, Page extends ListPage, Row>(
  options: PagedListOptions<Filters, Page, Row>,
) {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const filters = options.readFilters(search);
  const paging = readPaging(search);
  const query: PageQuery<Filters> = { ...filters, limit: paging.limit, page: paging.page };
  const result = useQuery({
    queryKey: options.queryKey(query),
    queryFn: ({ signal }) => options.fetchPage(query, signal),
    // The page on screen stays while the next one loads (no flash of the skeleton between pages or searches).
    placeholderData: keepPreviousData,
    // A refresh under way (at start, on the timer, or another operator's Refresh now): the list follows it.
    refetchInterval: (current) => (current.state.data?.freshness.refreshing ? REFRESHING_POLL_MS : false),
  });
  // The selection keeps whole rows: a CSV of the selected rows needs no new request.
  const selection = useSelection<Row, Row>(JSON.stringify(filters), options.rowKey, (row) => row);
  const queryClient = useQueryClient();
  // A move waiting for its rows is dropped when another move follows (the admin typed on), when the app goes to
  // another path meanwhile (a person's details opened, Back to another screen) or when the screen goes.
  const latestMove = useRef(0);
  const shownPath = useRef(location.pathname);
  useLayoutEffect(() => {
    shownPath.current = location.pathname;
  }, [location.pathname]);
  useEffect(
    () => () => {
      latestMove.current += 1;
    },
    [],
  );
  const go = (next: URLSearchParams, replace = false) => {
    const move = ++latestMove.current;
    const from = location.pathname;
    const show = () => {
      if (move !== latestMove.current || shownPath.current !== from) return;
      navigate({ pathname: options.pathname ?? from, search: next.toString() }, { replace });
    };
    const nextQuery: PageQuery<Filters> = { ...options.readFilters(next), ...readPaging(next) };
    const queryKey = options.queryKey(nextQuery);
    // Rows already here (an earlier search, Back to a page): shown at once, and refreshed if old.
    if (queryClient.getQueryData(queryKey) !== undefined) return show();
    const rows = queryClient.prefetchQuery({
      queryKey,
      queryFn: ({ signal }) => options.fetchPage(nextQuery, signal),
    });
    const slow = new Promise((ready) => setTimeout(ready, ROWS_WAIT_MS));
    void Promise.race([rows, slow]).then(show);
  };
  const total = result.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / paging.limit));

  return {
    search,
    filters,
    /** Identifies the filters (not the page): what a message about the current rows belongs to. */
    scope: JSON.stringify(filters),
    filtered: options.hasFilters(filters),
    paging,
    result,
    rows: result.data ? options.rowsOf(result.data) : [],
    total,
    pageCount,
    selection,
    setFilters: (changes: Readonly<Record<string, string | undefined>>, { replace = false } = {}) =>
      go(withFilters(search, changes), replace),
    clearFilters: () => go(clearedSearch(search)),
    firstPage: () => go(firstPageSearch(search)),
    goToPage: (page: number) => go(pageSearch(search, Math.max(1, Math.min(page, pageCount)))),
    setPageSize: (limit: PageSize) => go(withPageSize(search, limit)),
    /** Everything the current filters match, a page at a time (for the CSV export). */
    exportPage: async (page: number, signal: AbortSignal) => {
      const answer = await options.fetchPage({ ...filters, limit: EXPORT_PAGE_SIZE, page }, signal);
      return { rows: options.rowsOf(answer), hasMore: page * EXPORT_PAGE_SIZE < answer.total };
    },
  };
}

export type PagedList<Row> = ReturnType<typeof usePagedList<unknown, ListPage, Row>>;
