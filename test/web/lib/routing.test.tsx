import { lazy, Suspense, useState } from 'react';
import type { ComponentType, ReactNode } from 'react';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BrowserRouter,
  Link,
  matchPath,
  matchRoutes,
  MemoryRouter,
  NavLink,
  Routes,
  useLocation,
  useNavigate,
  useParams,
  useSearchParams,
} from '../../../src/web/lib/routing.tsx';
import type { RouteDefinition } from '../../../src/web/lib/routing.tsx';

describe('matchPath', () => {
  it('matches "/" at the root only', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/', '/users')).toBeNull();
  });

  it('matches static segments case-insensitively, with or without a trailing slash', () => {
    expect(matchPath('/users', '/users')).toEqual({});
    expect(matchPath('/users', '/users/')).toEqual({});
    expect(matchPath('/users', '/Users')).toEqual({});
    expect(matchPath('/users', '/users/7')).toBeNull();
    expect(matchPath('/users', '/usersx')).toBeNull();
  });

  it('gives each :param its one segment, decoded', () => {
    expect(matchPath('/users/:userId', '/users/usr_1')).toEqual({ userId: 'usr_1' });
    expect(matchPath('/users/:userId', '/users/a%20b/')).toEqual({ userId: 'a b' });
    expect(matchPath('/users/:userId', '/users/100%')).toEqual({ userId: '100%' });
    expect(matchPath('/users/:userId', '/users')).toBeNull();
    expect(matchPath('/users/:userId', '/users/')).toBeNull();
    expect(matchPath('/users/:userId', '/users/a/b')).toBeNull();
    expect(matchPath('/users/:userId/edit', '/users//edit')).toBeNull();
  });

  it('matches anything at "*", and the rest of the path at a trailing "*"', () => {
    expect(matchPath('*', '/')).toEqual({});
    expect(matchPath('*', '/no/such/page')).toEqual({});
    expect(matchPath('/docs/*', '/docs')).toEqual({});
    expect(matchPath('/docs/*', '/docs/a/b')).toEqual({});
    expect(matchPath('/docs/*', '/elsewhere')).toBeNull();
  });

  it('takes the first route that matches', () => {
    const routes = [{ path: '/users' }, { path: '/users/:userId' }, { path: '*' }];
    expect(matchRoutes(routes, '/users/7')).toEqual({ route: routes[1], params: { userId: '7' } });
    expect(matchRoutes(routes, '/elsewhere')?.route).toBe(routes[2]);
    expect(matchRoutes(routes.slice(0, 2), '/elsewhere')).toBeNull();
  });
});

/** What the address is, as a test reads it. */
function Address() {
  const { pathname, search, hash, state } = useLocation();
  return (
    <>
      <output aria-label="Address">{`${pathname}${search}${hash}`}</output>
      <output aria-label="State">{JSON.stringify(state)}</output>
    </>
  );
}

const address = () => screen.getByRole('status', { name: 'Address' }).textContent;
const storedState = () => screen.getByRole('status', { name: 'State' }).textContent;

function Person() {
  const { userId } = useParams();
  return <h1>{`Person ${userId ?? 'nobody'}`}</h1>;
}

function People() {
  const [search, setSearch] = useSearchParams();
  const level = search.get('level');
  const choose = (value: string, replace: boolean) => {
    const next = new URLSearchParams(search);
    next.set('level', value);
    setSearch(next, { replace });
  };
  return (
    <>
      <h1>{level ? `People: ${level}` : 'People'}</h1>
      <button type="button" onClick={() => choose('admin', false)}>
        Admins
      </button>
      <button type="button" onClick={() => choose('member', true)}>
        Members instead
      </button>
    </>
  );
}

function Navigator() {
  const navigate = useNavigate();
  return (
    <>
      <button type="button" onClick={() => navigate('/users/7', { state: { fromList: true } })}>
        Open person 7
      </button>
      <button type="button" onClick={() => navigate('/users', { replace: true })}>
        Replace with people
      </button>
      <button type="button" onClick={() => navigate(-1)}>
        Back
      </button>
    </>
  );
}

/** A frame that stays mounted across screens, with a count that a page load would reset. */
function Frame({ children }: { children: ReactNode }) {
  const [count, setCount] = useState(0);
  return (
    <>
      <nav aria-label="Main">
        <NavLink to="/" end>
          Home
        </NavLink>
        <NavLink to="/users">Users</NavLink>
        <NavLink to="/users/7" end>
          Person 7
        </NavLink>
      </nav>
      <button type="button" onClick={() => setCount(count + 1)}>{`Counted ${count}`}</button>
      <Link to={{ pathname: '/users', search: 'level=owner' }} state={{ from: 'frame' }}>
        Owners
      </Link>
      <Link to="/users" replace>
        People in place
      </Link>
      <Link to="/elsewhere" target="_blank">
        In a new tab
      </Link>
      <Navigator />
      <Address />
      {children}
    </>
  );
}

const ROUTES: readonly RouteDefinition[] = [
  { path: '/', element: <h1>Home</h1> },
  { path: '/users', element: <People /> },
  { path: '/users/:userId', element: <Person /> },
  { path: '*', element: <h1>Not found</h1> },
];

function App() {
  return (
    <Frame>
      <Routes routes={ROUTES} />
    </Frame>
  );
}

const heading = () => screen.getByRole('heading', { level: 1 });

describe('MemoryRouter', () => {
  const renderInMemory = (initialEntries?: readonly string[]) => {
    const user = userEvent.setup();
    render(
      <MemoryRouter initialEntries={initialEntries}>
        <App />
      </MemoryRouter>,
    );
    return user;
  };

  it('opens at the last of its initial entries, the earlier ones behind it', async () => {
    const user = renderInMemory(['/users?level=admin', '/users/usr_1']);
    expect(heading()).toHaveTextContent('Person usr_1');
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(heading()).toHaveTextContent('People: admin');
    expect(address()).toBe('/users?level=admin');
  });

  it('opens at "/" without initial entries', async () => {
    const user = renderInMemory();
    expect(heading()).toHaveTextContent('Home');
    await user.click(screen.getByRole('button', { name: 'Open person 7' }));
    expect(heading()).toHaveTextContent('Person 7');
    expect(storedState()).toBe('{"fromList":true}');
  });

  it('shows the "*" route at an unknown address, and nothing when no route matches', () => {
    const { unmount } = render(
      <MemoryRouter initialEntries={['/no/such/page']}>
        <Routes routes={ROUTES} />
      </MemoryRouter>,
    );
    expect(heading()).toHaveTextContent('Not found');
    unmount();
    const { container } = render(
      <MemoryRouter initialEntries={['/no/such/page']}>
        <Routes routes={ROUTES.slice(0, 3)} />
      </MemoryRouter>,
    );
    expect(container).toBeEmptyDOMElement();
  });
});

describe('BrowserRouter', () => {
  /** Whether the app handled each click itself (the browser would otherwise have followed the link). */
  let handled: boolean[] = [];
  const stopDocumentNavigation = (event: MouseEvent) => {
    handled.push(event.defaultPrevented);
    // jsdom cannot load another document; a real browser would have.
    event.preventDefault();
  };

  beforeEach(() => {
    window.history.replaceState(null, '', '/');
    handled = [];
    window.addEventListener('click', stopDocumentNavigation);
  });

  afterEach(() => {
    window.removeEventListener('click', stopDocumentNavigation);
  });

  /** Back and Forward land a moment later (popstate): wait for that, as React's act wants. */
  const traverse = async (go: () => unknown) => {
    const landed = new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
    await go();
    await act(async () => {
      await landed;
    });
  };

  const renderBrowser = () => {
    const user = userEvent.setup();
    render(
      <BrowserRouter>
        <App />
      </BrowserRouter>,
    );
    return user;
  };

  it('follows a link in place: a new history entry, the state kept with it, nothing reloaded', async () => {
    const user = renderBrowser();
    await user.click(screen.getByRole('button', { name: 'Counted 0' }));
    await user.click(screen.getByRole('link', { name: 'Owners' }));
    expect(handled).toEqual([false, true]);
    expect(heading()).toHaveTextContent('People: owner');
    expect(window.location.pathname + window.location.search).toBe('/users?level=owner');
    expect(storedState()).toBe('{"from":"frame"}');
    // Still the same page: what was on it is still there.
    expect(screen.getByRole('button', { name: 'Counted 1' })).toBeVisible();
    await traverse(() => window.history.back());
    expect(heading()).toHaveTextContent('Home');
  });

  it('renders real links, and leaves clicks with a modifier key or another target to the browser', async () => {
    const user = renderBrowser();
    const owners = screen.getByRole('link', { name: 'Owners' });
    expect(owners).toHaveAttribute('href', '/users?level=owner');
    for (const key of ['Control', 'Meta', 'Shift', 'Alt']) {
      await user.keyboard(`{${key}>}`);
      await user.click(owners);
      await user.keyboard(`{/${key}}`);
    }
    await user.click(screen.getByRole('link', { name: 'In a new tab' }));
    expect(handled).toEqual([false, false, false, false, false]);
    expect(heading()).toHaveTextContent('Home');
    expect(address()).toBe('/');
  });

  it('replaces the entry for a `replace` link, and for a link to where the app already is', async () => {
    const user = renderBrowser();
    await user.click(screen.getByRole('button', { name: 'Open person 7' }));
    await user.click(screen.getByRole('link', { name: 'People in place' }));
    expect(heading()).toHaveTextContent('People');
    await user.click(screen.getByRole('link', { name: 'Users' }));
    expect(handled).toEqual([false, true, true]);
    expect(address()).toBe('/users');
    // Person 7's entry was replaced, and so was the one that replaced it: Back goes to the entry before.
    await traverse(() => window.history.back());
    expect(heading()).toHaveTextContent('Home');
  });

  it('marks the current navigation link with aria-current="page", below it too unless `end`', async () => {
    const user = renderBrowser();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const current = () => [...nav.querySelectorAll('a[aria-current="page"]')].map((link) => link.textContent);
    expect(current()).toEqual(['Home']);
    await user.click(screen.getByRole('button', { name: 'Open person 7' }));
    expect(current()).toEqual(['Users', 'Person 7']);
    await user.click(screen.getByRole('link', { name: 'Users' }));
    expect(current()).toEqual(['Users']);
    expect(screen.getByRole('link', { name: 'Home' })).not.toHaveAttribute('aria-current');
  });

  it('reads the query, and sets it by a new entry or in place', async () => {
    window.history.replaceState(null, '', '/users?level=owner#top');
    const user = renderBrowser();
    expect(heading()).toHaveTextContent('People: owner');
    await user.click(screen.getByRole('button', { name: 'Admins' }));
    expect(address()).toBe('/users?level=admin');
    await user.click(screen.getByRole('button', { name: 'Members instead' }));
    expect(heading()).toHaveTextContent('People: member');
    // Admins was a new entry, and Members took its place.
    await traverse(() => window.history.back());
    expect(heading()).toHaveTextContent('People: owner');
    expect(address()).toBe('/users?level=owner#top');
  });

  it('navigates with state, in place with `replace`, and back', async () => {
    const user = renderBrowser();
    await user.click(screen.getByRole('button', { name: 'Open person 7' }));
    expect(heading()).toHaveTextContent('Person 7');
    expect(storedState()).toBe('{"fromList":true}');
    await user.click(screen.getByRole('button', { name: 'Replace with people' }));
    expect(heading()).toHaveTextContent('People');
    expect(storedState()).toBe('null');
    await traverse(() => user.click(screen.getByRole('button', { name: 'Back' })));
    expect(heading()).toHaveTextContent('Home');
  });

  it('shows the screen of the entry Back and Forward lead to, with its state', async () => {
    const user = renderBrowser();
    await user.click(screen.getByRole('button', { name: 'Open person 7' }));
    await traverse(() => window.history.back());
    expect(heading()).toHaveTextContent('Home');
    expect(storedState()).toBe('null');
    await traverse(() => window.history.forward());
    expect(heading()).toHaveTextContent('Person 7');
    expect(storedState()).toBe('{"fromList":true}');
  });
});

describe('Routes with lazily loaded screens', () => {
  it('keeps the current screen until the next one has loaded, without a loading state in between', async () => {
    let arrive: (screen: { default: ComponentType }) => void = () => undefined;
    const Later = lazy(
      () =>
        new Promise<{ default: ComponentType }>((resolve) => {
          arrive = resolve;
        }),
    );
    const routes: RouteDefinition[] = [
      { path: '/', element: <h1>Home</h1> },
      { path: '/later', element: <Later /> },
    ];
    const user = userEvent.setup();
    render(
      <MemoryRouter>
        <Link to="/later">Later</Link>
        <Suspense fallback={<p>Loading…</p>}>
          <Routes routes={routes} />
        </Suspense>
      </MemoryRouter>,
    );
    await user.click(screen.getByRole('link', { name: 'Later' }));
    expect(heading()).toHaveTextContent('Home');
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
    await act(async () => arrive({ default: () => <h1>Later screen</h1> }));
    expect(await screen.findByRole('heading', { name: 'Later screen' })).toBeVisible();
  });
});
