/**
 * Where the app is, as a store the router reads and subscribes to: the browser's own history (History API) for the
 * app, or a list in memory for tests and the build-time render in Node, where there is no `window`. See
 * lib/routing.tsx for the React side.
 */

/** The parts of the address the screens read, plus what was stored with this history entry. */
export interface Location {
  pathname: string;
  /** '' or '?…' */
  search: string;
  /** '' or '#…' */
  hash: string;
  /** What the navigation stored with the entry (`null` when nothing was). */
  state: unknown;
  /** Tells entries apart ('default' for the one the app opened on). */
  key: string;
}

/** Where to go: an absolute path ('/users?limit=50') or its parts (search and hash with or without '?' and '#'). */
export type To = string | { pathname: string; search?: string; hash?: string };

/** How the app got to where it is: opened there, a new entry, the entry replaced, or Back/Forward (and go). */
export type NavigationType = 'initial' | 'push' | 'replace' | 'pop';

export interface RouterHistory {
  /** The current location: the same object until the address or the entry changes. */
  getLocation: () => Location;
  subscribe: (onChange: (type: NavigationType) => void) => () => void;
  push: (to: To, state?: unknown) => void;
  replace: (to: To, state?: unknown) => void;
  /** Back (-1) or forward through the entries. */
  go: (delta: number) => void;
  /** How far down the page was when the app last left the entry with this key (browser history only). */
  scrollPositionOf?: (key: string) => number | undefined;
}

type Path = Pick<Location, 'pathname' | 'search' | 'hash'>;

const prefixed = (mark: '?' | '#', part = '') =>
  part === '' || part === mark ? '' : part.startsWith(mark) ? part : `${mark}${part}`;

export function parsePath(to: To): Path {
  if (typeof to !== 'string') {
    return { pathname: to.pathname, search: prefixed('?', to.search), hash: prefixed('#', to.hash) };
  }
  const hashAt = to.indexOf('#');
  const beforeHash = hashAt === -1 ? to : to.slice(0, hashAt);
  const searchAt = beforeHash.indexOf('?');
  return {
    pathname: searchAt === -1 ? beforeHash : beforeHash.slice(0, searchAt),
    search: prefixed('?', searchAt === -1 ? '' : beforeHash.slice(searchAt)),
    hash: prefixed('#', hashAt === -1 ? '' : to.slice(hashAt)),
  };
}

/** The address a link points at. */
export function createHref(to: To): string {
  const { pathname, search, hash } = parsePath(to);
  return `${pathname}${search}${hash}`;
}

const newKey = () => Math.random().toString(36).slice(2, 10);

/** What the router keeps in `history.state`: the entry's key and the navigation's own state. */
type Entry = { key: string; state: unknown };

function readEntry(value: unknown): Entry | null {
  if (typeof value !== 'object' || value === null) return null;
  const key: unknown = Reflect.get(value, 'key');
  return typeof key === 'string' ? { key, state: Reflect.get(value, 'state') ?? null } : null;
}

/**
 * The browser's history. The location is read from `window.location` and `history.state` each time (so it is never
 * stale, whoever changed the address), and the object kept while they stay the same. Back and Forward (popstate),
 * and the router's own pushes and replaces, tell subscribers.
 */
export function createBrowserHistory(win: Window = window): RouterHistory {
  const listeners = new Set<(type: NavigationType) => void>();
  let current: Location | undefined;
  // Where the page was in each entry when the app left it, for Back and Forward to return to (Chromium does not
  // restore it by itself for an entry the app added). Read before the location moves on.
  const scrollPositions = new Map<string, number>();
  const leaving = () => {
    if (current) scrollPositions.set(current.key, win.scrollY);
  };

  const getLocation = (): Location => {
    const { pathname, search, hash } = win.location;
    const entry = readEntry(win.history.state);
    const key = entry?.key ?? 'default';
    if (
      current?.pathname !== pathname ||
      current.search !== search ||
      current.hash !== hash ||
      current.key !== key
    ) {
      current = { pathname, search, hash, state: entry?.state ?? null, key };
    }
    return current;
  };

  const write = (method: 'pushState' | 'replaceState') => (to: To, state: unknown) => {
    const entry: Entry = { key: newKey(), state: state ?? null };
    leaving();
    win.history[method](entry, '', createHref(to));
    listeners.forEach((listener) => listener(method === 'pushState' ? 'push' : 'replace'));
  };

  return {
    getLocation,
    subscribe(onChange) {
      const onPop = () => {
        leaving();
        onChange('pop');
      };
      listeners.add(onChange);
      win.addEventListener('popstate', onPop);
      return () => {
        listeners.delete(onChange);
        win.removeEventListener('popstate', onPop);
      };
    },
    push: write('pushState'),
    replace: write('replaceState'),
    go: (delta) => win.history.go(delta),
    scrollPositionOf: (key) => scrollPositions.get(key),
  };
}

/** History kept in memory, starting at the last of `initialEntries` (tests, and rendering in Node). */
export function createMemoryHistory(initialEntries: readonly To[] = ['/']): RouterHistory {
  const listeners = new Set<(type: NavigationType) => void>();
  const locate = (to: To, state: unknown, key: string): Location => ({
    ...parsePath(to),
    state: state ?? null,
    key,
  });
  const [first = '/', ...others] = initialEntries;
  const opening = locate(first, null, 'default');
  let entries = [opening, ...others.map((to) => locate(to, null, newKey()))];
  let index = entries.length - 1;
  let current = entries[index] ?? opening;
  const moveTo = (next: number, type: NavigationType) => {
    index = next;
    current = entries[index] ?? current;
    listeners.forEach((listener) => listener(type));
  };

  return {
    getLocation: () => current,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
      };
    },
    push(to, state) {
      entries = [...entries.slice(0, index + 1), locate(to, state, newKey())];
      moveTo(entries.length - 1, 'push');
    },
    replace(to, state) {
      entries = entries.map((entry, at) => (at === index ? locate(to, state, newKey()) : entry));
      moveTo(index, 'replace');
    },
    go(delta) {
      const next = Math.min(Math.max(index + delta, 0), entries.length - 1);
      if (next !== index) moveTo(next, 'pop');
    },
  };
}
