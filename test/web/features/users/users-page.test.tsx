import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, problem } from '../../fake-api.ts';
import {
  MODE_ROUTE,
  aUser,
  address,
  captureDownloads,
  downloadedLines,
  nth,
  lastQuery,
  renderReview,
  usersPage,
} from '../../review.tsx';

const OWNER = aUser(1, {
  firstName: 'Margaret',
  middleName: 'Anne',
  lastName: 'Okafor',
  level: 'owner',
  invitedSource: 'dashboard',
});
const NEW_HIRE = aUser(2, {
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: 'MD',
  suffix2: 'FACR',
  lastLoginAt: null,
  canManageStudies: true,
});
const VET = aUser(3, { firstName: 'Vera', lastName: 'Vet', clinicRole: 'Veterinarian' });

const rowOf = (name: RegExp | string) => {
  const link = screen.getByRole('link', { name });
  const row = link.closest('tr');
  if (!row) throw new Error('The link is not in a table row.');
  return within(row);
};

describe('Users screen: the table', () => {
  it('lists everyone with every column, "never signed in" in words and unknown roles as text', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([NEW_HIRE, OWNER, VET]) });
    await renderReview('/users', 'Users');
    const table = await screen.findByRole('table', { name: 'Users, newest first' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual([
      '',
      'Name and email',
      'Clinic role',
      'Level',
      'Access',
      'Source',
      'Created',
      'Last sign-in',
      'userId',
    ]);
    const names = within(table)
      .getAllByRole('link')
      .map((link) => link.textContent);
    expect(names).toEqual(['Sarah M. Johnson, MD, FACR', 'Margaret A. Okafor', 'Vera Vet']);

    const sarah = rowOf('Sarah M. Johnson, MD, FACR');
    expect(sarah.getByText('Never signed in')).toBeVisible();
    expect(sarah.getByText('person.2@clinic.example')).toBeVisible();
    expect(sarah.getByText('Manages studies')).toBeVisible();
    expect(sarah.getByText(NEW_HIRE.userId)).toBeVisible();
    expect(sarah.getByRole('button', { name: 'Copy userId of Sarah M. Johnson, MD, FACR' })).toBeVisible();

    const owner = rowOf('Margaret A. Okafor');
    expect(owner.getByText('Owner')).toBeVisible();
    expect(owner.getByText('Avara dashboard')).toBeVisible();
    expect(owner.queryByText('Never signed in')).toBeNull();
    expect(
      owner.getByText((_, el) => el?.tagName === 'TIME' && el.getAttribute('dateTime') === OWNER.lastLoginAt),
    ).toBeVisible();

    expect(rowOf('Vera Vet').getByText('Veterinarian')).toBeVisible();
    expect(lastQuery(api.requests, '/api/users').toString()).toBe('limit=20');
  });

  it('shows times Avara did not record as "Not recorded" and "Never signed in", and exports them as empty cells', async () => {
    const downloads = captureDownloads();
    try {
      const untimed = aUser(5, {
        firstName: 'Rosa',
        lastName: 'Delgado',
        clinicRole: 'PACS Administrator',
        createdAt: null,
        lastLoginAt: null,
      });
      fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([untimed, OWNER]) });
      const { user } = await renderReview('/users', 'Users');
      await screen.findByRole('table');
      const rosa = rowOf('Rosa Delgado');
      expect(rosa.getByText('Not recorded')).toBeVisible();
      expect(rosa.getByText('Never signed in')).toBeVisible();
      expect(rosa.getByText('PACS Administrator')).toBeVisible();
      expect(rowOf('Margaret A. Okafor').queryByText('Not recorded')).toBeNull();

      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await screen.findByText(/^Exported 2 users to /);
      const lines = await downloadedLines(downloads);
      expect(lines[1]).toBe(
        `${untimed.userId},${untimed.email},Rosa,,Delgado,,,,PACS Administrator,member,true,false,api,,`,
      );
    } finally {
      downloads.restore();
    }
  });

  it('copies a row’s userId exactly, says so visibly and through a live region, from the keyboard too', async () => {
    fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([NEW_HIRE, OWNER]) });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const button = rowOf('Margaret A. Okafor').getByRole('button', {
      name: 'Copy userId of Margaret A. Okafor',
    });
    button.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(button).toHaveTextContent('Copied'));
    expect(button).toHaveAccessibleName('Copied userId of Margaret A. Okafor');
    expect(await navigator.clipboard.readText()).toBe(OWNER.userId);
    const status = rowOf('Margaret A. Okafor').getByRole('status');
    expect(status).toHaveTextContent('Copied the userId of Margaret A. Okafor to the clipboard.');
    expect(status).toHaveAttribute('aria-live', 'polite');
  });

  it('shows a skeleton while loading, then the rows', async () => {
    let answer: (response: Response) => void = () => undefined;
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    await renderReview('/users', 'Users');
    expect(await screen.findByText('Loading users…')).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    answer(usersPage([OWNER]).clone());
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(screen.queryByText('Loading users…')).toBeNull();
  });

  it('explains a failure and loads again with Retry', async () => {
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': [
        () =>
          problem(400, {
            type: '/problems/upstream-key-rejected',
            title: 'Avara rejected the dashboard’s API key',
            detail: 'Ask whoever set up Viewer Admin to check its Avara API key.',
          }),
        () => usersPage([OWNER]),
      ],
    });
    const { user } = await renderReview('/users', 'Users');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The users could not be loaded.');
    expect(alert).toHaveTextContent('Ask whoever set up Viewer Admin to check its Avara API key.');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(api.requests.filter((r) => r.path.startsWith('/api/users')).length).toBe(2);
  });

  it('shows the request id to quote when the list cannot be loaded', async () => {
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': () =>
        problem(400, {
          type: '/problems/upstream-key-rejected',
          title: 'Avara rejected the dashboard’s API key',
          requestId: 'req-list-42',
        }),
    });
    await renderReview('/users', 'Users');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The users could not be loaded.');
    expect(alert).toHaveTextContent('Request id to quote if you ask for help: req-list-42');
  });

  it('says when no one matches the filters, and clears them', async () => {
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': (request) => usersPage(request.path.includes('level=') ? [] : [OWNER]),
    });
    const { user } = await renderReview('/users?level=admin&limit=50', 'Users');
    expect(await screen.findByText('No one matches these filters')).toBeVisible();
    // One in the filters, one in the empty state.
    const clearButtons = screen.getAllByRole('button', { name: 'Clear filters' });
    expect(clearButtons).toHaveLength(2);
    await user.click(nth(clearButtons, 1));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(address()).toBe('/users?limit=50');
    expect(lastQuery(api.requests, '/api/users').toString()).toBe('limit=50');
  });
});

describe('Users screen: filters and pages in the address', () => {
  it('sends the filters from the address (and ignores values the contract refuses)', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER]) });
    await renderReview(
      '/users?level=owner&invitedSource=dashboard&email=Margaret%40Clinic.example&firstName=mar&lastName=oka&limit=100&bogus=1',
      'Users',
    );
    await screen.findByRole('table');
    expect(Object.fromEntries(lastQuery(api.requests, '/api/users'))).toEqual({
      level: 'owner',
      invitedSource: 'dashboard',
      email: 'margaret@clinic.example',
      firstName: 'mar',
      lastName: 'oka',
      limit: '100',
    });
    expect(screen.getByLabelText('Level')).toHaveValue('owner');
    expect(screen.getByLabelText('Source')).toHaveValue('dashboard');
    expect(screen.getByRole('textbox', { name: 'First name contains' })).toHaveValue('mar');
    expect(screen.getByLabelText('Rows per page')).toHaveValue('100');
  });

  it('ignores a level or page size the address cannot mean', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER]) });
    await renderReview('/users?level=superuser&limit=7&email=not-an-email', 'Users');
    await screen.findByRole('table');
    expect(lastQuery(api.requests, '/api/users').toString()).toBe('limit=20');
  });

  it('puts a chosen level and typed names in the address, from the first page', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER], 'c2') });
    const { user } = await renderReview('/users?cursor=c1&limit=50', 'Users');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Level'), 'admin');
    await waitFor(() => expect(address()).toBe('/users?limit=50&level=admin'));
    await user.type(screen.getByRole('textbox', { name: 'Last name contains' }), ' Okafor ');
    // Not on every key press: only on Search (or Enter).
    expect(address()).toBe('/users?limit=50&level=admin');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(address()).toBe('/users?limit=50&level=admin&lastName=Okafor'));
    await waitFor(() =>
      expect(Object.fromEntries(lastQuery(api.requests, '/api/users'))).toEqual({
        level: 'admin',
        lastName: 'Okafor',
        limit: '50',
      }),
    );
  });

  it('asks for a whole address in the exact-email filter', async () => {
    fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER]) });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const email = screen.getByRole('textbox', { name: 'Email (exact)' });
    await user.type(email, 'margaret@{Enter}');
    expect(email).toHaveAccessibleDescription(/Enter a whole email address/);
    expect(address()).toBe('/users');
  });

  it('pages with a stack of cursors in the address: Next, Next, Previous, then Back', async () => {
    const api = fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': (request) => {
        const cursor = new URLSearchParams(request.path.split('?')[1]).get('cursor');
        if (cursor === null) return usersPage([aUser(10)], 'c1');
        if (cursor === 'c1') return usersPage([aUser(11)], 'c2');
        return usersPage([aUser(12)]);
      },
    });
    const { user } = await renderReview('/users?level=member', 'Users');
    await screen.findByRole('link', { name: 'Person Number10' });
    const pages = screen.getByRole('navigation', { name: 'Pages of users' });
    expect(within(pages).getByRole('button', { name: 'Previous page' })).toBeDisabled();

    await user.click(within(pages).getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'Person Number11' })).toBeVisible();
    expect(address()).toBe('/users?level=member&cursor=c1');
    await user.click(within(pages).getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'Person Number12' })).toBeVisible();
    expect(address()).toBe('/users?level=member&prev=c1&cursor=c2');
    expect(within(pages).getByText(/Page 3/)).toBeVisible();
    expect(within(pages).getByRole('button', { name: 'Next page' })).toBeDisabled();

    await user.click(within(pages).getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('link', { name: 'Person Number11' })).toBeVisible();
    expect(address()).toBe('/users?level=member&cursor=c1');
    await user.click(screen.getByRole('button', { name: 'Browser back', hidden: true }));
    expect(await screen.findByRole('link', { name: 'Person Number12' })).toBeVisible();
    expect(address()).toBe('/users?level=member&prev=c1&cursor=c2');
    expect(lastQuery(api.requests, '/api/users').get('level')).toBe('member');
  });

  it('changes the page size from the first page', async () => {
    const api = fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER], 'c9') });
    const { user } = await renderReview('/users?cursor=c1&prev=c0', 'Users');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Rows per page'), '50');
    await waitFor(() => expect(address()).toBe('/users?limit=50'));
    await waitFor(() => expect(lastQuery(api.requests, '/api/users').toString()).toBe('limit=50'));
  });

  it('offers the first page again when a page link has gone stale', async () => {
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': (request) =>
        request.path.includes('cursor=')
          ? problem(400, {
              type: '/problems/validation',
              title: 'Some details need fixing',
              errors: [{ path: 'cursor', message: 'That page link is not valid.' }],
            })
          : usersPage([OWNER]),
    });
    const { user } = await renderReview('/users?cursor=stale', 'Users');
    await user.click(await screen.findByRole('button', { name: 'First page' }));
    expect(await screen.findByRole('link', { name: 'Margaret A. Okafor' })).toBeVisible();
    expect(address()).toBe('/users');
  });
});

describe('Users screen: copying and exporting for other systems', () => {
  it('copies the selected rows as email<TAB>userId lines, across pages', async () => {
    fakeApi({
      ...MODE_ROUTE,
      'GET /api/users': (request) =>
        request.path.includes('cursor=c1') ? usersPage([VET]) : usersPage([NEW_HIRE, OWNER], 'c1'),
    });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    const copy = screen.getByRole('button', { name: 'Copy as TSV' });
    expect(copy).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Select Sarah M. Johnson, MD, FACR' }));
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await user.click(await screen.findByRole('checkbox', { name: 'Select Vera Vet' }));
    expect(screen.getByText('2 selected')).toBeVisible();
    await user.click(copy);
    await waitFor(() =>
      expect(screen.getByText(/^Copied 2 rows \(email and userId, separated by a tab\)\.$/)).toBeVisible(),
    );
    expect(await navigator.clipboard.readText()).toBe(
      `${NEW_HIRE.email}\t${NEW_HIRE.userId}\n${VET.email}\t${VET.userId}`,
    );
  });

  it('selects a whole page at once, and forgets the selection when the filters change', async () => {
    fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([NEW_HIRE, OWNER]) });
    const { user } = await renderReview('/users', 'Users');
    await screen.findByRole('table');
    await user.click(screen.getByRole('checkbox', { name: 'Select all on this page' }));
    expect(screen.getByText('2 selected')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Copy as TSV' }));
    await waitFor(async () =>
      expect(await navigator.clipboard.readText()).toBe(
        `${NEW_HIRE.email}\t${NEW_HIRE.userId}\n${OWNER.email}\t${OWNER.userId}`,
      ),
    );
    await user.selectOptions(screen.getByLabelText('Source'), 'api');
    await waitFor(() => expect(screen.getByText('No rows selected')).toBeVisible());
  });

  it('exports every page of the current filter as CSV, showing progress', async () => {
    const downloads = captureDownloads();
    try {
      const api = fakeApi({
        ...MODE_ROUTE,
        'GET /api/users': (request) => {
          const query = new URLSearchParams(request.path.split('?')[1]);
          if (query.get('limit') !== '100') return usersPage([OWNER]);
          return query.get('cursor') === 'p2'
            ? usersPage([{ ...VET, firstName: '=HYPERLINK("x")', lastName: 'Vet, "the"' }])
            : usersPage([NEW_HIRE, OWNER], 'p2');
        },
      });
      const { user } = await renderReview('/users?level=owner', 'Users');
      await screen.findByRole('table');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByText(/^Exported 3 users to users-\d{4}-\d{2}-\d{2}\.csv\.$/)).toBeVisible();
      const exports = api.requests.filter((r) => r.path.includes('limit=100'));
      expect(exports.map((r) => r.path)).toEqual([
        '/api/users?level=owner&limit=100',
        '/api/users?level=owner&limit=100&cursor=p2',
      ]);
      expect(downloads.files).toHaveLength(1);
      const lines = await downloadedLines(downloads);
      expect(lines[0]).toBe(
        'userId,email,firstName,middleName,lastName,suffix1,suffix2,phoneNumber,clinicRole,level,hasDashboardAccess,canManageStudies,invitedSource,createdAt,lastLoginAt',
      );
      expect(lines[1]).toBe(
        `${NEW_HIRE.userId},${NEW_HIRE.email},Sarah,Marie,Johnson,MD,FACR,,Radiologist,member,true,true,api,2026-03-01T09:00:00.000Z,`,
      );
      expect(lines[2]?.startsWith(`${OWNER.userId},${OWNER.email},Margaret,Anne,Okafor,`)).toBe(true);
      expect(lines[3]).toContain(`${VET.userId},${VET.email},"'=HYPERLINK(""x"")",,"Vet, ""the""",`);
      expect(lines[4]).toBe('');
    } finally {
      downloads.restore();
    }
  });

  it('cancels an export: the request in flight is aborted and nothing is saved', async () => {
    const downloads = captureDownloads();
    try {
      let aborted = false;
      fakeApi({ ...MODE_ROUTE, 'GET /api/users': () => usersPage([OWNER]) });
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
      expect(screen.getByRole('progressbar', { name: 'Exporting users' })).toBeVisible();
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
