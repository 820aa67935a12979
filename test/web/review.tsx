// Rendering the review screens (Users, Invitations) for component tests: the whole app at an address, with the
// address shown so tests can read what the screen put in the URL, and people to list.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  DirectoryFreshness,
  DirectoryInvitation,
  DirectoryPerson,
} from '../../src/contract/directory.ts';
import type { Invitation } from '../../src/contract/invitations.ts';
import type { User } from '../../src/contract/users.ts';
import { AppProviders } from '../../src/web/app/providers.tsx';
import { AppRoutes } from '../../src/web/app/router.tsx';
import { createQueryClient } from '../../src/web/lib/query-client.ts';
import { MemoryRouter, useLocation, useNavigate } from '../../src/web/lib/routing.tsx';
import { json } from './fake-api.ts';
import { testEmotionCache } from './emotion.ts';
import type { Session } from '../../src/contract/session.ts';
import { SessionContext } from '../../src/web/lib/session-context.ts';
import { DANA_SESSION } from './signed-in.tsx';

function Address() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <div hidden>
      <p data-testid="address">{`${location.pathname}${location.search}`}</p>
      {/* The browser's Back button. */}
      <button type="button" onClick={() => navigate(-1)}>
        Browser back
      </button>
    </div>
  );
}

/**
 * Render the app at `path` and wait for the screen's heading (its code is loaded lazily). `before`: addresses
 * visited earlier (in the history, for Back).
 */
export async function renderReview(
  path: string,
  heading: 'Users' | 'Invitations',
  before: readonly string[] = [],
  /** Who is signed in (an Administrator unless said otherwise). */
  session: Session = DANA_SESSION,
) {
  const user = userEvent.setup();
  const queryClient = createQueryClient();
  const view = render(
    <AppProviders queryClient={queryClient} emotionCache={testEmotionCache()}>
      <MemoryRouter initialEntries={[...before, path]}>
        <SessionContext.Provider value={session}>
          <AppRoutes />
        </SessionContext.Provider>
        <Address />
      </MemoryRouter>
    </AppProviders>,
  );
  // hidden: at /users/:userId the details open as a modal over the list, which hides the page from the a11y tree.
  await screen.findByRole('heading', { name: heading, level: 1, hidden: true }, { timeout: 10_000 });
  return { user, queryClient, ...view };
}

/** What the address bar shows (path and query). */
export function address(): string {
  return screen.getByTestId('address').textContent ?? '';
}

/** The query of the last request to `path` (e.g. '/api/users'), as URLSearchParams. */
export function lastQuery(
  requests: readonly { method: string; path: string }[],
  path: string,
): URLSearchParams {
  const sent = requests.filter((r) => r.method === 'GET' && r.path.split('?')[0] === path).at(-1);
  if (!sent) throw new Error(`No GET ${path} was sent.`);
  return new URLSearchParams(sent.path.split('?')[1] ?? '');
}

export const MODE_ROUTE = { 'GET /api/mode': () => json({ mode: 'sandbox' }) };

const hex = (n: number) => n.toString(16).padStart(32, '0');

/** Someone in the clinic (n picks their id, email and name). */
export function aUser(n: number, overrides: Partial<User> = {}): User {
  return {
    userId: `usr_${hex(n)}`,
    email: `person.${n}@clinic.example`,
    firstName: 'Person',
    lastName: `Number${n}`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
    invitedSource: 'api',
    createdAt: '2026-03-01T09:00:00.000Z',
    lastLoginAt: '2026-03-02T10:30:00.000Z',
    ...overrides,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** An invitation (pending by default: sent, expiring in three days). */
export function anInvitation(n: number, overrides: Partial<Invitation> = {}): Invitation {
  return {
    invitationId: `inv_${hex(n)}`,
    userId: `usr_${hex(n)}`,
    clinicId: '7f1b3c1e-0000-4000-8000-000000000001',
    email: `person.${n}@clinic.example`,
    firstName: 'Person',
    middleName: null,
    lastName: `Number${n}`,
    suffix1: null,
    suffix2: null,
    phoneNumber: null,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
    invitedSource: 'api',
    inviterId: null,
    invitedByApiKeyId: 'key_1',
    status: 'sent',
    expiry: new Date(Date.now() + 3 * DAY_MS + 60_000).toISOString(),
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    ...overrides,
  };
}

export function invitationsPage(invitations: readonly Invitation[], cursor: string | null = null) {
  return json({ invitations, cursor, hasMore: cursor !== null });
}

/** Capture CSV downloads: the file name and its text. */
export function captureDownloads() {
  const files: { name: string; text: Promise<string> }[] = [];
  const blobs = new Map<string, Blob>();
  let counter = 0;
  Object.defineProperty(URL, 'createObjectURL', {
    configurable: true,
    value: (blob: Blob) => {
      counter += 1;
      const url = `blob:test/${counter}`;
      blobs.set(url, blob);
      return url;
    },
  });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => undefined });
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function clickDownload(this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob && this.download) files.push({ name: this.download, text: blob.text() });
    else click.call(this);
  };
  return {
    files,
    restore: () => {
      HTMLAnchorElement.prototype.click = click;
      Reflect.deleteProperty(URL, 'createObjectURL');
      Reflect.deleteProperty(URL, 'revokeObjectURL');
    },
  };
}

/** The item at `index` (negative counts from the end), failing the test when there is none. */
export function nth<T>(items: readonly T[], index: number): T {
  const item = items.at(index);
  if (item === undefined) throw new Error(`Expected an item at ${index}, found ${items.length} items.`);
  return item;
}

/** The text of the one CSV downloaded, without its byte-order mark, split into lines. */
export async function downloadedLines(downloads: ReturnType<typeof captureDownloads>): Promise<string[]> {
  const [file, ...others] = downloads.files;
  if (!file || others.length > 0) throw new Error(`Expected one download, got ${downloads.files.length}.`);
  return (await file.text).replace(/^\uFEFF/, '').split('\r\n');
}

export const FRESH: DirectoryFreshness = {
  asOf: '2026-03-02T12:03:00.000Z',
  refreshing: false,
  lastError: null,
};

/** Someone in the directory: a user (n as in aUser) with what the directory derives (active, invited through the API). */
export function aPerson(
  n: number,
  user: Partial<User> = {},
  overrides: Partial<Omit<DirectoryPerson, 'user'>> = {},
): DirectoryPerson {
  const record = aUser(n, user);
  return {
    user: record,
    latestInvitation: null,
    status: record.level === 'owner' ? 'owner' : record.lastLoginAt === null ? 'invited' : 'active',
    statusSource: 'avara',
    accessRevoked: null,
    invitedBy: { source: 'avara', label: 'Through the API', operator: null },
    invitedAt: record.createdAt,
    ...overrides,
  };
}

/** A page of the directory's people: `total` (all pages) defaults to the rows given. */
export function peoplePage(
  people: readonly DirectoryPerson[],
  options: { total?: number; page?: number; limit?: number; freshness?: DirectoryFreshness } = {},
) {
  return json({
    people,
    total: options.total ?? people.length,
    neverSignedIn: people.filter((p) => p.user.lastLoginAt === null).length,
    page: options.page ?? 1,
    limit: options.limit ?? 20,
    freshness: options.freshness ?? FRESH,
  });
}

/** An invitation as the directory lists it (pending, through the API, unless told otherwise). */
export function aDirectoryInvitation(
  n: number,
  invitation: Partial<Invitation> = {},
  overrides: Partial<Omit<DirectoryInvitation, 'invitation'>> = {},
): DirectoryInvitation {
  return {
    invitation: anInvitation(n, invitation),
    state: 'pending',
    invitedBy: { source: 'avara', label: 'Through the API', operator: null },
    ...overrides,
  };
}

export function directoryInvitationsPage(
  invitations: readonly DirectoryInvitation[],
  options: { total?: number; page?: number; limit?: number; freshness?: DirectoryFreshness } = {},
) {
  return json({
    invitations,
    total: options.total ?? invitations.length,
    page: options.page ?? 1,
    limit: options.limit ?? 20,
    freshness: options.freshness ?? FRESH,
  });
}
