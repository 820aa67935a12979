/**
 * Paged lists keep their whole view in the address, so it can be bookmarked and shared and Back works:
 * the filters (each screen its own), `limit` (page size), `cursor` (the page being shown; absent on the first page)
 * and `prev` (repeated: the cursors of the pages before it, oldest first, the first page not included).
 * Next pushes the current cursor on `prev`; Previous pops it. Changing a filter or the page size starts again
 * from the first page.
 */

export const PAGE_SIZES = [20, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 20;

const CURSOR = 'cursor';
const PREVIOUS = 'prev';
const LIMIT = 'limit';
/** Cursors are opaque and at most 1024 characters (the contract's bound). */
const CURSOR_MAX = 1024;

export interface Paging {
  limit: PageSize;
  cursor: string | undefined;
  previous: string[];
  /** 1 for the first page. */
  page: number;
}

function isPageSize(value: number): value is PageSize {
  return (PAGE_SIZES as readonly number[]).includes(value);
}

const validCursor = (value: string) => value !== '' && value.length <= CURSOR_MAX;

export function readPaging(search: URLSearchParams): Paging {
  const limit = Number(search.get(LIMIT));
  const rawCursor = search.get(CURSOR);
  const cursor = rawCursor !== null && validCursor(rawCursor) ? rawCursor : undefined;
  const previous = cursor === undefined ? [] : search.getAll(PREVIOUS).filter(validCursor);
  return {
    limit: isPageSize(limit) ? limit : DEFAULT_PAGE_SIZE,
    cursor,
    previous,
    page: cursor === undefined ? 1 : previous.length + 2,
  };
}

function withPage(search: URLSearchParams, cursor: string | undefined, previous: readonly string[]) {
  const next = new URLSearchParams(search);
  next.delete(CURSOR);
  next.delete(PREVIOUS);
  for (const value of previous) next.append(PREVIOUS, value);
  if (cursor !== undefined) next.set(CURSOR, cursor);
  return next;
}

/** The address of the page after this one (`nextCursor` is what the list answered). */
export function nextPageSearch(search: URLSearchParams, nextCursor: string): URLSearchParams {
  const { cursor, previous } = readPaging(search);
  return withPage(search, nextCursor, cursor === undefined ? [] : [...previous, cursor]);
}

/** The address of the page before this one (the first page has no cursor). */
export function previousPageSearch(search: URLSearchParams): URLSearchParams {
  const { previous } = readPaging(search);
  return withPage(search, previous.at(-1), previous.slice(0, -1));
}

/** Back to the first page, filters and page size kept. */
export function firstPageSearch(search: URLSearchParams): URLSearchParams {
  return withPage(search, undefined, []);
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
