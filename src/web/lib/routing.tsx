import {
  createContext,
  startTransition,
  useCallback,
  useContext,
  useLayoutEffect,
  useMemo,
  useState,
} from 'react';
import type { ComponentPropsWithRef, Context, MouseEvent, ReactNode } from 'react';
import { createBrowserHistory, createHref, createMemoryHistory, parsePath } from './history.ts';
import type { Location, NavigationType, RouterHistory, To } from './history.ts';

/**
 * The app's router: the part of React Router's API the app uses, and no more (README, "A small first load"). A router
 * renders from a history (lib/history.ts); Routes shows the first route whose path matches; Link and NavLink are real
 * links that navigate in place on a plain click; the hooks read and change the address.
 */

export type { Location, To } from './history.ts';

export type Params = Readonly<Record<string, string | undefined>>;
export type NavigateOptions = { replace?: boolean; state?: unknown };
/** Go to an address (pushed, or replacing the current entry), or back (-1) and forward through the history. */
export type Navigate = (to: To | number, options?: NavigateOptions) => void;

const LocationContext = createContext<Location | null>(null);
const NavigationTypeContext = createContext<NavigationType>('initial');
const NavigateContext = createContext<Navigate | null>(null);
const ParamsContext = createContext<Params>({});

/**
 * Renders from the history's location, each change as a transition (as React Router did). The current screen stays
 * until the next one can render, so a screen whose code is still downloading does not replace it with a spinner; and
 * React renders a transition started by Back or Forward (popstate) within that event, so the page matches the address
 * before the browser restores its scroll position. useSyncExternalStore cannot do either: its updates are always
 * urgent, and deferring them (useDeferredValue) left Back about 30 ms behind the address.
 */
function Router({ history, children }: { history: RouterHistory; children: ReactNode }) {
  const [{ location, type }, setShown] = useState(() => ({
    location: history.getLocation(),
    type: 'initial' as NavigationType,
  }));
  useLayoutEffect(() => {
    const update = (next?: NavigationType) =>
      startTransition(() =>
        setShown((shown) => {
          const current = history.getLocation();
          return current === shown.location ? shown : { location: current, type: next ?? shown.type };
        }),
      );
    // Anything that changed between the first render and now, then every change.
    update();
    return history.subscribe(update);
  }, [history]);
  // Back and Forward return to where the page was in that entry, once the entry's screen is drawn.
  useLayoutEffect(() => {
    const position = type === 'pop' ? history.scrollPositionOf?.(location.key) : undefined;
    if (position !== undefined) window.scrollTo(0, position);
  }, [history, location, type]);
  const navigate = useMemo<Navigate>(
    () => (to, options) => {
      if (typeof to === 'number') history.go(to);
      else if (options?.replace) history.replace(to, options.state);
      else history.push(to, options?.state);
    },
    [history],
  );
  return (
    <NavigateContext.Provider value={navigate}>
      <NavigationTypeContext.Provider value={type}>
        <LocationContext.Provider value={location}>{children}</LocationContext.Provider>
      </NavigationTypeContext.Provider>
    </NavigateContext.Provider>
  );
}

/** The router of the app in the browser: the address bar, Back and Forward. */
export function BrowserRouter({ children }: { children: ReactNode }) {
  const [history] = useState(() => createBrowserHistory());
  return <Router history={history}>{children}</Router>;
}

/** A router with its history in memory (tests, and the build's render in Node), at the last of `initialEntries`. */
export function MemoryRouter({
  initialEntries,
  children,
}: {
  initialEntries?: readonly To[];
  children: ReactNode;
}) {
  const [history] = useState(() => createMemoryHistory(initialEntries));
  return <Router history={history}>{children}</Router>;
}

function useRouterContext<T>(context: Context<T | null>, hook: string): T {
  const value = useContext(context);
  if (value === null) throw new Error(`${hook} is only for components inside a router.`);
  return value;
}

export function useLocation(): Location {
  return useRouterContext(LocationContext, 'useLocation');
}

export function useNavigate(): Navigate {
  return useRouterContext(NavigateContext, 'useNavigate');
}

/** How the app got to the location shown: 'initial' until the first navigation, then push, replace or pop. */
export function useNavigationType(): NavigationType {
  return useContext(NavigationTypeContext);
}

/** The `:name` segments of the route being shown, decoded. */
export function useParams(): Params {
  return useContext(ParamsContext);
}

/** The query of the address, and a setter that navigates to the same path with another query. */
export function useSearchParams(): [
  URLSearchParams,
  (next: URLSearchParams, options?: { replace?: boolean }) => void,
] {
  const { pathname, search } = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const setParams = useCallback(
    (next: URLSearchParams, options?: { replace?: boolean }) =>
      navigate({ pathname, search: next.toString() }, options),
    [navigate, pathname],
  );
  return [params, setParams];
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const segmentsOf = (path: string) => path.replace(/^\/+|\/+$/g, '').split('/');

/**
 * Whether `pattern` matches `pathname`, and its parameters. A pattern is an absolute path of static segments
 * (matched case-insensitively), `:name` segments (any one non-empty segment) and, last, `*` (anything from there on,
 * or nothing); '/' matches the root alone. Trailing slashes in the address are ignored.
 */
export function matchPath(pattern: string, pathname: string): Params | null {
  const wanted = segmentsOf(pattern);
  const given = segmentsOf(pathname);
  const params: Record<string, string> = {};
  for (const [index, segment] of wanted.entries()) {
    if (segment === '*') return params;
    const part = given[index];
    if (part === undefined || (part === '' && segment !== '')) return null;
    if (segment.startsWith(':')) params[segment.slice(1)] = decode(part);
    else if (decode(part).toLowerCase() !== segment.toLowerCase()) return null;
  }
  return given.length === wanted.length ? params : null;
}

/** The first of `routes` whose path matches `pathname`. */
export function matchRoutes<Route extends { path: string }>(
  routes: readonly Route[],
  pathname: string,
): { route: Route; params: Params } | null {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

export interface RouteDefinition {
  path: string;
  element: ReactNode;
}

/**
 * The element of the first route that matches the address (list `*` last), with its parameters for useParams.
 * It renders in the same place whichever route matches, so an element that two routes share stays mounted.
 */
export function Routes({ routes }: { routes: readonly RouteDefinition[] }) {
  const { pathname } = useLocation();
  const match = matchRoutes(routes, pathname);
  if (!match) return null;
  return <ParamsContext.Provider value={match.params}>{match.route.element}</ParamsContext.Provider>;
}

export type LinkProps = Omit<ComponentPropsWithRef<'a'>, 'href'> & {
  to: To;
  /** Replace the current history entry instead of adding one (the default when the link is to where the app is). */
  replace?: boolean;
  /** Kept with the new history entry (useLocation().state). */
  state?: unknown;
};

/** A click the browser should handle itself: another button, a modifier key (new tab, window), another target. */
function isForTheBrowser(event: MouseEvent<HTMLAnchorElement>, target: string | undefined): boolean {
  return (
    event.button !== 0 ||
    event.metaKey ||
    event.altKey ||
    event.ctrlKey ||
    event.shiftKey ||
    (target !== undefined && target !== '_self')
  );
}

/** A real link (`<a href>`) that navigates in place on a plain left click. */
export function Link({ to, replace, state, onClick, target, ...anchor }: LinkProps) {
  const navigate = useNavigate();
  const location = useLocation();
  const href = createHref(to);
  const navigateInPlace = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || isForTheBrowser(event, target)) return;
    event.preventDefault();
    navigate(to, { replace: replace ?? createHref(location) === href, state });
  };
  return <a {...anchor} href={href} target={target} onClick={navigateInPlace} />;
}

/** A path as routes compare it: case-insensitively, trailing slashes ignored. */
const comparable = (pathname: string) => pathname.replace(/(.)\/+$/, '$1').toLowerCase();

/** A link in the navigation: `aria-current="page"` while the app is at its path or (without `end`) below it. */
export function NavLink({ end = false, ...link }: LinkProps & { end?: boolean }) {
  const here = comparable(useLocation().pathname);
  const there = comparable(parsePath(link.to).pathname);
  const current = here === there || (!end && here.startsWith(`${there}/`));
  return <Link {...link} aria-current={current ? 'page' : undefined} />;
}
