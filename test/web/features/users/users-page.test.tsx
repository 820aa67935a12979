import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, json, problem } from '../../fake-api.ts';
import type { SentRequest } from '../../fake-api.ts';
import {
  FRESH,
  MODE_ROUTE,
  aPerson,
  address,
  captureDownloads,
  downloadedLines,
  lastQuery,
  nth,
  peoplePage,
  renderReview,
} from '../../review.tsx';

const DANA = { operatorId: `opr_${'d'.repeat(32)}`, name: 'Dana Smith' };
const OPERATORS_ROUTE = {
  'GET /api/operators/names': () =>
    json({
      operators: [
        {
          id: DANA.operatorId,
          email: 'dana@clinic.example',
          displayName: 'Dana Smith',
          role: 'administrator',
          disabled: false,
          mustChangePassword: false,
          createdAt: '2026-01-01T00:00:00.000Z',
          lastSignInAt: null,
        },
      ],
    }),
};

const OWNER = aPerson(
  1,
  {
    firstName: 'Margaret',
    middleName: 'Anne',
    lastName: 'Okafor',
    level: 'owner',
    invitedSource: 'dashboard',
  },
  { invitedAt: null, invitedBy: { source: 'avara', label: 'From Avara’s dashboard', operator: null } },
);
const NEW_HIRE = aPerson(
  2,
  {
    firstName: 'Sarah',
    middleName: 'Marie',
    lastName: 'Johnson',
    suffix1: 'MD',
    suffix2: 'FACR',
    lastLoginAt: null,
    canManageStudies: true,
    email: 'sarah.marie.johnson.radiology.department@a-very-long-hospital-name.example',
  },
  { invitedBy: { source: 'dashboard', label: 'Dana Smith', operator: DANA } },
);
const REVOKED = aPerson(
  3,
  { firstName: 'Priya', lastName: 'Natarajan', clinicRole: 'Veterinarian' },
  {
    status: 'access-revoked',
    statusSource: 'dashboard',
    accessRevoked: { by: DANA, at: '2026-03-04T10:00:00.000Z' },
  },
);

const PEOPLE = '/api/directory/people';
const peopleRequests = (requests: readonly SentRequest[]) =>
  requests.filter((r) => r.method === 'GET' && r.path.split('?')[0] === PEOPLE);

function routes(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    ...MODE_ROUTE,
    ...OPERATORS_ROUTE,
    [`GET ${PEOPLE}`]: () => peoplePage([NEW_HIRE, OWNER, REVOKED], { total: 27 }),
    ...extra,
  });
}

const rowOf = (name: RegExp | string) => {
  const link = screen.getByRole('link', { name });
  const row = link.closest('tr');
  if (!row) throw new Error('The link is not in a table row.');
  return within(row);
};

describe('Users screen: the directory table', () => {
  it('lists name, e-mail, role, status with its source, invited by, last sign-in and userId', async () => {
    const api = routes();
    await renderReview('/users', 'Users');
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['', 'Name', 'E-mail', 'Role and level', 'Status', 'Invited by', 'Last sign-in', 'userId']);

    const sarah = rowOf('Sarah M. Johnson, MD, FACR');
    expect(sarah.getByText('Never signed in')).toBeVisible();
    expect(sarah.getByText('Invited – not yet accepted')).toBeVisible();
    expect(sarah.getByText('Dana Smith')).toBeVisible();
    expect(sarah.getByText(NEW_HIRE.user.email)).toBeVisible();

    expect(
      sarah.getByText(
        (_, el) => el?.tagName === 'TIME' && el.getAttribute('dateTime') === NEW_HIRE.invitedAt,
      ),
    ).toBeVisible();

    const priya = rowOf('Priya Natarajan');
    expect(priya.getByText('Access revoked here by Dana Smith')).toBeVisible();
    expect(priya.getByText('Veterinarian')).toBeVisible();
    expect(priya.getByText('Through the API')).toBeVisible();

    const owner = rowOf('Margaret A. Okafor');
    expect(owner.getAllByText('Owner')).toHaveLength(2);
    // A time Avara did not record.
    expect(owner.getByText('Not recorded')).toBeVisible();
    expect(lastQuery(api.requests, PEOPLE).toString()).toBe('limit=20&page=1');
  });

  it('shows the totals and how fresh the directory is', async () => {
    routes();
    await renderReview('/users', 'Users');
    expect(await screen.findByText('27 people · 1 never signed in')).toBeVisible();
    const asOf = screen.getByText(/^As of /);
    expect(asOf.closest('time')).toHaveAttribute('dateTime', FRESH.asOf);
    expect(screen.getByRole('button', { name: 'Refresh now' })).toBeEnabled();
  });

  it('never breaks an e-mail or an id mid-string: one line, the full value on hover and on keyboard focus', async () => {
    routes();
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const email = rowOf('Sarah M. Johnson, MD, FACR').getByText(NEW_HIRE.user.email);
    expect(email).toHaveStyle({ whiteSpace: 'nowrap', textOverflow: 'ellipsis', overflow: 'hidden' });
    expect(email).not.toHaveStyle({ overflowWrap: 'anywhere' });
    expect(email.querySelector('wbr')).toBeNull();
    email.focus();
    expect(email).toHaveFocus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent(NEW_HIRE.user.email);
    await user.keyboard('{Escape}');

    const id = rowOf('Margaret A. Okafor').getByText(OWNER.user.userId);
    expect(id).toHaveStyle({ whiteSpace: 'nowrap', textOverflow: 'ellipsis' });
    await user.hover(id);
    await waitFor(() =>
      expect(screen.getAllByRole('tooltip').some((t) => t.textContent === OWNER.user.userId)).toBe(true),
    );
  });

  it('copies a row’s userId exactly, says so visibly and through a live region, from the keyboard too', async () => {
    routes();
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const button = rowOf('Margaret A. Okafor').getByRole('button', {
      name: 'Copy userId of Margaret A. Okafor',
    });
    button.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(button).toHaveTextContent('Copied'));
    expect(button).toHaveAccessibleName('Copied userId of Margaret A. Okafor');
    expect(await navigator.clipboard.readText()).toBe(OWNER.user.userId);
    const status = rowOf('Margaret A. Okafor')
      .getAllByRole('status')
      .find((s) => s.getAttribute('aria-live') === 'polite' && s.textContent !== '');
    expect(status).toHaveTextContent('Copied the userId of Margaret A. Okafor to the clipboard.');
  });

  it('shows a skeleton while loading, then the rows', async () => {
    let answer: (response: Response) => void = () => undefined;
    routes({ [`GET ${PEOPLE}`]: () => new Promise<Response>((resolve) => (answer = resolve)) });
    await renderReview('/users', 'Users');
    expect(await screen.findByText('Loading users…')).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    answer(peoplePage([OWNER]).clone());
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(screen.queryByText('Loading users…')).toBeNull();
  });

  it('explains a failure with the request id, and loads again with Retry', async () => {
    const api = routes({
      [`GET ${PEOPLE}`]: [
        () =>
          problem(400, {
            type: '/problems/upstream-key-rejected',
            title: 'Avara rejected the dashboard’s API key',
            detail: 'Ask whoever set up Viewer Admin to check its Avara API key.',
            requestId: 'req-list-42',
          }),
        () => peoplePage([OWNER]),
      ],
    });
    const { user } = await renderReview('/users', 'Users');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The users could not be loaded.');
    expect(alert).toHaveTextContent('Ask whoever set up Viewer Admin to check its Avara API key.');
    expect(alert).toHaveTextContent('Request id to quote if you ask for help: req-list-42');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(peopleRequests(api.requests)).toHaveLength(2);
  });

  it('says when no one matches, and clears the search and filters', async () => {
    const api = routes({
      [`GET ${PEOPLE}`]: (request) => peoplePage(request.path.includes('q=') ? [] : [OWNER]),
    });
    const { user } = await renderReview('/users?q=nobody&level=admin&limit=50', 'Users');
    expect(await screen.findByText('No one matches')).toBeVisible();
    const clearButtons = screen.getAllByRole('button', { name: 'Clear filters' });
    expect(clearButtons).toHaveLength(2);
    await user.click(nth(clearButtons, 1));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(address()).toBe('/users?limit=50');
    expect(lastQuery(api.requests, PEOPLE).toString()).toBe('limit=50&page=1');
    expect(screen.getByRole('searchbox', { name: 'Search people' })).toHaveValue('');
  });
});

describe('Users screen: search, filters, sort and pages in the address', () => {
  it('sends the search, filters and sort from the address, and ignores values the contract refuses', async () => {
    const api = routes();
    await renderReview(
      `/users?q=natarajan%20p&role=Radiologist,PACS%20Administrator&level=admin&dashboard=yes&studies=no&status=access-revoked,invited,bogus&invitedBy=${DANA.operatorId}&invitedFrom=2026-01-01&invitedTo=2026-03-31&sort=name&page=2&limit=50&junk=1`,
      'Users',
    );
    await screen.findByRole('table');
    expect(Object.fromEntries(lastQuery(api.requests, PEOPLE))).toEqual({
      q: 'natarajan p',
      role: 'Radiologist,PACS Administrator',
      level: 'admin',
      dashboard: 'yes',
      studies: 'no',
      status: 'access-revoked,invited',
      invitedBy: DANA.operatorId,
      invitedFrom: '2026-01-01',
      invitedTo: '2026-03-31',
      sort: 'name',
      limit: '50',
      page: '2',
    });
    expect(screen.getByRole('searchbox', { name: 'Search people' })).toHaveValue('natarajan p');
    expect(screen.getByLabelText('Level')).toHaveValue('admin');
    expect(screen.getByLabelText('Dashboard access')).toHaveValue('yes');
    expect(screen.getByLabelText('Can manage studies')).toHaveValue('no');
    await waitFor(() => expect(screen.getByLabelText('Invited by')).toHaveValue(DANA.operatorId));
    expect(screen.getByLabelText('Sort by')).toHaveValue('name');
    expect(screen.getByRole('checkbox', { name: 'Access revoked here' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Active' })).not.toBeChecked();
    expect(screen.getByRole('button', { name: 'PACS Administrator' })).toBeVisible();
  });

  it('ignores a level, date range, page or page size the address cannot mean', async () => {
    const api = routes();
    await renderReview(
      '/users?level=superuser&limit=7&page=0x2&invitedFrom=2026-03-31&invitedTo=2026-01-01&invitedBy=someone&dashboard=maybe',
      'Users',
    );
    await screen.findByRole('table');
    expect(lastQuery(api.requests, PEOPLE).toString()).toBe('invitedFrom=2026-03-31&limit=20&page=1');
  });

  it('searches as the admin types (once typing pauses), replacing the address rather than adding to the history', async () => {
    const api = routes();
    const { user } = await renderReview('/users?level=member&page=3', 'Users', ['/invitations']);
    await screen.findByRole('table');
    const before = peopleRequests(api.requests).length;
    await user.type(screen.getByRole('searchbox', { name: 'Search people' }), 'Natarajan P');
    await waitFor(() => expect(address()).toBe('/users?level=member&q=Natarajan+P'));
    await waitFor(() => expect(lastQuery(api.requests, PEOPLE).get('q')).toBe('Natarajan P'));
    // One search for the pause, not one per letter.
    const searches = peopleRequests(api.requests)
      .slice(before)
      .map((r) => new URLSearchParams(r.path.split('?')[1]).get('q'));
    expect(searches).toEqual(['Natarajan P']);
    // Back leaves the screen for where the admin came from: typing added no history entries.
    await user.click(screen.getByRole('button', { name: 'Browser back', hidden: true }));
    await waitFor(() => expect(address()).toBe('/invitations'));
  });

  it('shows a search’s address with its rows, never the old rows under it; a slow answer changes the address and shows it loads', async () => {
    const answers = new Map<string, () => void>();
    const api = routes({
      [`GET ${PEOPLE}`]: async (request) => {
        const q = new URLSearchParams(request.path.split('?')[1]).get('q');
        if (q === null) return peoplePage([NEW_HIRE, OWNER, REVOKED], { total: 27 });
        await new Promise<void>((answer) => answers.set(q, answer));
        return peoplePage([REVOKED], { total: 1 });
      },
    });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const names = () =>
      within(screen.getByRole('table'))
        .getAllByRole('link')
        .map((link) => link.textContent);
    // What the table shows each time the address changes.
    const seen: { address: string; names: (string | null)[] }[] = [];
    const observer = new MutationObserver(() => {
      if (seen.at(-1)?.address !== address()) seen.push({ address: address(), names: names() });
    });
    observer.observe(screen.getByTestId('address'), { childList: true, subtree: true, characterData: true });

    await user.type(screen.getByRole('searchbox', { name: 'Search people' }), 'Natarajan');
    await waitFor(() => expect(answers.has('Natarajan')).toBe(true));
    expect(address()).toBe('/users');
    answers.get('Natarajan')?.();
    await waitFor(() => expect(address()).toBe('/users?q=Natarajan'));
    expect(seen).toEqual([{ address: '/users?q=Natarajan', names: ['Priya Natarajan'] }]);
    observer.disconnect();

    // No answer within 400 ms: the address follows the search and the list says it is loading.
    await user.clear(screen.getByRole('searchbox', { name: 'Search people' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search people' }), 'Okafor');
    await waitFor(() => expect(address()).toBe('/users?q=Okafor'));
    expect(answers.has('Okafor')).toBe(true);
    expect(screen.getByRole('progressbar', { name: 'Loading users' })).toBeInTheDocument();
    expect(screen.getByRole('table')).toHaveAttribute('aria-busy', 'true');
    answers.get('Okafor')?.();
    await waitFor(() => expect(screen.queryByRole('progressbar', { name: 'Loading users' })).toBeNull());
    expect(peopleRequests(api.requests).filter((r) => r.path.includes('q=Okafor'))).toHaveLength(1);
  });

  it('a search still waiting for its rows does not pull the admin back from a person they opened meanwhile', async () => {
    const answers = new Map<string, () => void>();
    routes({
      [`GET ${PEOPLE}`]: async (request) => {
        const q = new URLSearchParams(request.path.split('?')[1]).get('q');
        if (q === null) return peoplePage([NEW_HIRE, OWNER, REVOKED], { total: 27 });
        await new Promise<void>((answer) => answers.set(q, answer));
        return peoplePage([REVOKED], { total: 1 });
      },
    });
    const { user } = await renderReview('/users', 'Users', ['/invitations']);
    await screen.findByRole('table');
    const box = screen.getByRole('searchbox', { name: 'Search people' });

    await user.type(box, 'Okafor');
    await waitFor(() => expect(answers.has('Okafor')).toBe(true));
    await user.click(rowOf('Margaret A. Okafor').getByRole('link', { name: 'Margaret A. Okafor' }));
    await waitFor(() => expect(address()).toBe(`/users/${OWNER.user.userId}`));
    answers.get('Okafor')?.();
    await new Promise((done) => setTimeout(done, 500));
    expect(address()).toBe(`/users/${OWNER.user.userId}`);
  });

  it('says what is wrong with a search it cannot send, and sends nothing', async () => {
    const api = routes();
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const before = peopleRequests(api.requests).length;
    const box = screen.getByRole('searchbox', { name: 'Search people' });
    await user.click(box);
    await user.paste('x'.repeat(101));
    await waitFor(() => expect(box).toHaveAccessibleDescription(/100 characters or fewer/));
    expect(address()).toBe('/users');
    expect(peopleRequests(api.requests)).toHaveLength(before);
  });

  it('applies each filter as it is chosen, from the first page, each a new history entry', async () => {
    const api = routes();
    const { user } = await renderReview('/users?page=4&limit=50', 'Users');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Level'), 'admin');
    await waitFor(() => expect(address()).toBe('/users?limit=50&level=admin'));
    await user.click(screen.getByRole('checkbox', { name: 'Access revoked here' }));
    await waitFor(() => expect(address()).toBe('/users?limit=50&level=admin&status=access-revoked'));
    await user.selectOptions(await screen.findByLabelText('Invited by'), 'api');
    await waitFor(() => expect(address()).toContain('invitedBy=api'));
    await user.selectOptions(screen.getByLabelText('Sort by'), '-last-sign-in');
    await waitFor(() => expect(address()).toContain('sort=-last-sign-in'));
    await waitFor(() =>
      expect(Object.fromEntries(lastQuery(api.requests, PEOPLE))).toEqual({
        level: 'admin',
        status: 'access-revoked',
        invitedBy: 'api',
        sort: '-last-sign-in',
        limit: '50',
        page: '1',
      }),
    );
    await user.click(screen.getByRole('button', { name: 'Browser back', hidden: true }));
    await waitFor(() => expect(address()).not.toContain('sort='));
    expect(screen.getByLabelText('Sort by')).toHaveValue('-invited');
  });

  it('offers the invite picker’s roles, grouped, and takes a role outside the list', async () => {
    routes();
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const roles = screen.getByRole('combobox', { name: 'Role' });
    await user.click(roles);
    const listbox = await screen.findByRole('listbox');
    expect(within(listbox).getAllByRole('option').length).toBeGreaterThan(50);
    await user.type(roles, 'Radiol');
    await user.click(await screen.findByRole('option', { name: 'Radiologist' }));
    await waitFor(() => expect(address()).toBe('/users?role=Radiologist'));
    await user.type(roles, 'PACS Administrator{Enter}');
    await waitFor(() => expect(address()).toBe('/users?role=Radiologist%2CPACS+Administrator'));
  });

  it('explains a date range that ends before it starts, and does not send it', async () => {
    routes();
    const { user } = await renderReview('/users?invitedFrom=2026-03-10', 'Users');
    await screen.findByRole('table');
    const until = screen.getByLabelText('Invited until');
    await user.type(until, '2026-03-01');
    expect(until).toHaveAccessibleDescription('The end date must be on or after the start date.');
    expect(address()).toBe('/users?invitedFrom=2026-03-10');
  });

  it('pages by number: every page reachable, Next and Previous, this page marked, never more rows than a page', async () => {
    const api = routes({
      [`GET ${PEOPLE}`]: (request) => {
        const page = Number(new URLSearchParams(request.path.split('?')[1]).get('page'));
        return peoplePage([aPerson(100 + page)], { total: 10_000, page, limit: 20 });
      },
    });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('link', { name: 'Person Number101' });
    expect(screen.getByText('10,000 people · 0 never signed in')).toBeVisible();
    const pages = screen.getByRole('navigation', { name: 'Pages of users' });
    expect(within(pages).getByText('Page 1 of 500')).toBeVisible();
    expect(within(pages).getByRole('button', { name: 'Previous page' })).toBeDisabled();
    expect(within(pages).getByRole('button', { name: 'Page 1' })).toHaveAttribute('aria-current', 'page');

    await user.click(within(pages).getByRole('button', { name: 'Page 500' }));
    expect(await screen.findByRole('link', { name: 'Person Number600' })).toBeVisible();
    expect(address()).toBe('/users?page=500');
    expect(within(pages).getByRole('button', { name: 'Next page' })).toBeDisabled();
    await user.click(within(pages).getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('link', { name: 'Person Number599' })).toBeVisible();
    expect(address()).toBe('/users?page=499');
    await user.click(screen.getByRole('button', { name: 'Browser back', hidden: true }));
    expect(await screen.findByRole('link', { name: 'Person Number600' })).toBeVisible();
    expect(address()).toBe('/users?page=500');
    expect(screen.getAllByRole('row')).toHaveLength(2);
    expect(
      peopleRequests(api.requests).map((r) => new URLSearchParams(r.path.split('?')[1]).get('page')),
    ).toEqual(['1', '500', '499']);
  });

  it('changes the page size from the first page', async () => {
    const api = routes();
    const { user } = await renderReview('/users?page=3', 'Users');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Rows per page'), '50');
    await waitFor(() => expect(address()).toBe('/users?limit=50'));
    await waitFor(() => expect(lastQuery(api.requests, PEOPLE).toString()).toBe('limit=50&page=1'));
  });

  it('offers the first page when the page asked for is past the last one', async () => {
    routes({
      [`GET ${PEOPLE}`]: (request) =>
        request.path.includes('page=9') ? peoplePage([], { total: 3, page: 9 }) : peoplePage([OWNER]),
    });
    const { user } = await renderReview('/users?page=9', 'Users');
    expect(await screen.findByText('There is no page 9: the list now has 1 page.')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'First page' }));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(address()).toBe('/users');
  });
});

describe('Users screen: freshness', () => {
  it('Refresh now asks for a refresh, follows it until done, then loads the list again', async () => {
    const refreshing = { ...FRESH, refreshing: true };
    const done = { asOf: new Date().toISOString(), refreshing: false, lastError: null };
    const api = routes({
      'POST /api/directory/refresh': () => json(refreshing, 202),
      'GET /api/directory/status': [() => json(refreshing), () => json(done)],
    });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const before = peopleRequests(api.requests).length;
    await user.click(screen.getByRole('button', { name: 'Refresh now' }));
    expect(await screen.findByText('Refreshing from Avara…')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Refresh now' })).toBeDisabled();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Refresh now' })).toBeEnabled(), {
      timeout: 5000,
    });
    expect(api.requests.filter((r) => r.path === '/api/directory/status')).toHaveLength(2);
    await waitFor(() => expect(peopleRequests(api.requests).length).toBeGreaterThan(before));
  });

  it('says plainly when the last refresh failed, and what the list still shows', async () => {
    routes({
      [`GET ${PEOPLE}`]: () =>
        peoplePage([OWNER], {
          freshness: { ...FRESH, lastError: 'Avara did not answer in time.' },
        }),
    });
    await renderReview('/users', 'Users');
    expect(
      await screen.findByText(/^The last refresh from Avara failed: Avara did not answer in time\./),
    ).toHaveTextContent(/The list shows what was known at /);
  });

  it('follows a refresh it did not start: the list is asked for again until the directory is filled', async () => {
    const loading = { asOf: null, refreshing: true, lastError: null };
    const api = routes({
      [`GET ${PEOPLE}`]: [
        () => peoplePage([OWNER], { freshness: loading }),
        () => peoplePage([OWNER], { freshness: loading }),
        () => peoplePage([OWNER, NEW_HIRE]),
      ],
    });
    await renderReview('/users', 'Users');
    expect(await screen.findByText('Loading everyone from Avara…')).toBeVisible();
    expect(
      await screen.findByRole('link', { name: 'Sarah M. Johnson, MD, FACR' }, { timeout: 8000 }),
    ).toBeVisible();
    expect(screen.queryByText('Loading everyone from Avara…')).not.toBeInTheDocument();
    expect(peopleRequests(api.requests)).toHaveLength(3);
    // Filled: no more requests by themselves.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(peopleRequests(api.requests)).toHaveLength(3);
  });

  it('says the directory is still loading when it has never been filled', async () => {
    routes({
      [`GET ${PEOPLE}`]: () =>
        peoplePage([], { freshness: { asOf: null, refreshing: true, lastError: null } }),
    });
    await renderReview('/users', 'Users');
    expect(await screen.findByText('Loading everyone from Avara…')).toBeVisible();
  });
});

describe('Users screen: copying and exporting for other systems', () => {
  it('copies the selected rows as email<TAB>userId lines, across pages', async () => {
    routes({
      [`GET ${PEOPLE}`]: (request) =>
        request.path.includes('page=2')
          ? peoplePage([REVOKED], { total: 21, page: 2 })
          : peoplePage([NEW_HIRE, OWNER], { total: 21 }),
    });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const copy = screen.getByRole('button', { name: 'Copy as TSV' });
    expect(copy).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Select Sarah M. Johnson, MD, FACR' }));
    await user.click(screen.getByRole('button', { name: 'Page 2' }));
    await user.click(await screen.findByRole('checkbox', { name: 'Select Priya Natarajan' }));
    expect(screen.getByText('2 selected')).toBeVisible();
    await user.click(copy);
    await waitFor(() =>
      expect(screen.getByText('Copied 2 rows (email and userId, separated by a tab).')).toBeVisible(),
    );
    expect(await navigator.clipboard.readText()).toBe(
      `${NEW_HIRE.user.email}\t${NEW_HIRE.user.userId}\n${REVOKED.user.email}\t${REVOKED.user.userId}`,
    );
  });

  it('the "Copied" message goes when the selection changes, and when the filters change', async () => {
    routes();
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    await user.click(screen.getByRole('checkbox', { name: 'Select all on this page' }));
    await user.click(screen.getByRole('button', { name: 'Copy as TSV' }));
    expect(await screen.findByText(/^Copied 3 rows/)).toBeVisible();
    await user.click(screen.getByRole('checkbox', { name: 'Select Priya Natarajan' }));
    expect(screen.queryByText(/^Copied 3 rows/)).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Copy as TSV' }));
    expect(await screen.findByText(/^Copied 2 rows/)).toBeVisible();
    await user.selectOptions(screen.getByLabelText('Level'), 'admin');
    await waitFor(() => expect(screen.getByText('No rows selected')).toBeVisible());
    expect(screen.queryByText(/^Copied 2 rows/)).toBeNull();
  });

  it('exports every page of what matches as CSV, showing progress', async () => {
    const downloads = captureDownloads();
    try {
      const api = routes({
        [`GET ${PEOPLE}`]: (request) => {
          const query = new URLSearchParams(request.path.split('?')[1]);
          if (query.get('limit') !== '100') return peoplePage([OWNER]);
          return query.get('page') === '2'
            ? peoplePage(
                [
                  {
                    ...REVOKED,
                    user: { ...REVOKED.user, firstName: '=HYPERLINK("x")', lastName: 'Vet, "the"' },
                  },
                ],
                { total: 101, page: 2, limit: 100 },
              )
            : peoplePage([NEW_HIRE, OWNER], { total: 101, limit: 100 });
        },
      });
      const { user } = await renderReview('/users?q=oka', 'Users');
      await screen.findByRole('table');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByText(/^Exported 3 users to users-\d{4}-\d{2}-\d{2}\.csv\.$/)).toBeVisible();
      const exports = peopleRequests(api.requests).filter((r) => r.path.includes('limit=100'));
      expect(exports.map((r) => r.path)).toEqual([
        `${PEOPLE}?q=oka&limit=100&page=1`,
        `${PEOPLE}?q=oka&limit=100&page=2`,
      ]);
      const lines = await downloadedLines(downloads);
      expect(lines[0]).toBe(
        'userId,email,firstName,middleName,lastName,suffix1,suffix2,phoneNumber,clinicRole,level,hasDashboardAccess,canManageStudies,status,invitedBy,invitedAt,invitedSource,createdAt,lastLoginAt',
      );
      expect(lines[1]).toBe(
        `${NEW_HIRE.user.userId},${NEW_HIRE.user.email},Sarah,Marie,Johnson,MD,FACR,,Radiologist,member,true,true,Invited – not yet accepted,Dana Smith,2026-03-01T09:00:00.000Z,api,2026-03-01T09:00:00.000Z,`,
      );
      expect(lines[3]).toContain(
        `,"'=HYPERLINK(""x"")",,"Vet, ""the""",,,,Veterinarian,member,true,false,Access revoked here by Dana Smith,`,
      );
      expect(lines[4]).toBe('');
    } finally {
      downloads.restore();
    }
  });

  it('with rows selected, exports the selected rows (no request) or all matching, as chosen', async () => {
    const downloads = captureDownloads();
    try {
      const api = routes();
      const { user } = await renderReview('/users', 'Users');
      await screen.findByRole('table');
      await user.click(screen.getByRole('checkbox', { name: 'Select Priya Natarajan' }));
      const exportButton = screen.getByRole('button', { name: 'Export CSV' });
      await user.click(exportButton);
      expect(exportButton).toHaveAttribute('aria-expanded', 'true');
      const choice = screen.getByRole('group', { name: 'Which rows to export' });
      expect(within(choice).getByRole('button', { name: 'All matching (27)' })).toBeVisible();
      const before = peopleRequests(api.requests).length;
      await user.click(within(choice).getByRole('button', { name: 'Selected rows (1)' }));
      expect(await screen.findByText(/^Exported 1 users to /)).toBeVisible();
      expect(peopleRequests(api.requests)).toHaveLength(before);
      const lines = await downloadedLines(downloads);
      expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${REVOKED.user.userId},`)), '']);

      downloads.files.length = 0;
      await user.click(exportButton);
      await user.click(screen.getByRole('button', { name: 'All matching (27)' }));
      expect(await screen.findByText(/^Exported 3 users to /)).toBeVisible();
      expect(
        peopleRequests(api.requests)
          .slice(before)
          .map((r) => r.path),
      ).toEqual([`${PEOPLE}?limit=100&page=1`]);
    } finally {
      downloads.restore();
    }
  });

  it('cancels an export: the request in flight is aborted and nothing is saved', async () => {
    const downloads = captureDownloads();
    try {
      let aborted = false;
      routes({ [`GET ${PEOPLE}`]: () => peoplePage([OWNER]) });
      const answer = globalThis.fetch;
      // The export's first page never answers: only Cancel (aborting the request) ends it.
      vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
        const signal = init?.signal;
        if (!String(input).includes('limit=100') || !signal) return answer(input, init);
        return new Promise<Response>((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('Aborted', 'AbortError'));
          }),
        );
      });
      const { user } = await renderReview('/users', 'Users');
      await screen.findByRole('table');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByText('Exporting… 0 users so far (0 pages).')).toBeVisible();
      const cancel = screen.getByRole('button', { name: 'Cancel export' });
      expect(cancel).toHaveFocus();
      await user.click(cancel);
      expect(await screen.findByText('Export cancelled. No file was saved.')).toBeVisible();
      expect(aborted).toBe(true);
      expect(downloads.files).toEqual([]);
      expect(screen.getByRole('button', { name: 'Export CSV' })).toHaveFocus();
    } finally {
      downloads.restore();
    }
  });
});
