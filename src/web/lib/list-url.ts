/**
 * Paged lists keep their whole view in the address, so it can be bookmarked and shared and Back works:
 * the filters and sort (each screen its own), `limit` (page size) and `page` (1-based; absent on the first page).
 * Changing a filter, the sort or the page size starts again from the first page.
 */

export const PAGE_SIZES = [20, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 20;

const PAGE = 'page';
const LIMIT = 'limit';
/** The directory's bound on page numbers (the contract's). */
const PAGE_MAX = 100_000;

export interface Paging {
  limit: PageSize;
  /** 1 for the first page. */
  page: number;
}

function isPageSize(value: number): value is PageSize {
  return (PAGE_SIZES as readonly number[]).includes(value);
}

export function readPaging(search: URLSearchParams): Paging {
  const limit = Number(search.get(LIMIT));
  const raw = search.get(PAGE) ?? '';
  const page = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
  return { limit: isPageSize(limit) ? limit : DEFAULT_PAGE_SIZE, page: Math.min(page, PAGE_MAX) };
}

/** The address of page `page` (the first page has no `page`). */
export function pageSearch(search: URLSearchParams, page: number): URLSearchParams {
  const next = new URLSearchParams(search);
  if (page <= 1) next.delete(PAGE);
  else next.set(PAGE, String(Math.min(page, PAGE_MAX)));
  return next;
}

/** Back to the first page, filters and page size kept. */
export function firstPageSearch(search: URLSearchParams): URLSearchParams {
  return pageSearch(search, 1);
}

export function withPageSize(search: URLSearchParams, limit: PageSize): URLSearchParams {
  const next = firstPageSearch(search);
  if (limit === DEFAULT_PAGE_SIZE) next.delete(LIMIT);
  else next.set(LIMIT, String(limit));
  return next;
}

/** New filter values (undefined or '' removes one), from the first page; the page size is kept. */
export function withFilters(
  search: URLSearchParams,
  filters: Readonly<Record<string, string | undefined>>,
): URLSearchParams {
  const next = firstPageSearch(search);
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === '') next.delete(name);
    else next.set(name, value);
  }
  return next;
}

/** Every filter gone; the page size is kept. */
export function clearedSearch(search: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams();
  const limit = search.get(LIMIT);
  if (limit !== null) next.set(LIMIT, limit);
  return next;
}

/**
 * Read one filter from the address with its contract schema: a value the schema refuses is ignored (a hand-edited
 * or outdated link still opens, unfiltered on that point).
 */
export function readFilter<T>(
  search: URLSearchParams,
  name: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  const raw = search.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
