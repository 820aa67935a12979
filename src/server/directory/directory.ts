import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { DirectoryFreshness } from '../../contract/directory.ts';
import type { Invitation } from '../../contract/invitations.ts';
import type { User } from '../../contract/users.ts';
import type { AvaraClient } from '../avara/client.ts';
import { isRetryableStatus } from '../avara/retry.ts';
import { UpstreamError } from '../avara/upstream-error.ts';
import { WalkTakenOverError } from '../store/directory.ts';
import type { DirectoryStore, RefreshState } from '../store/directory.ts';

/**
 * The directory's upkeep: a full walk of Avara's users then invitations (on start, every DIRECTORY_REFRESH_MINUTES,
 * and on demand), one page at a time through the AvaraClient (so its concurrency limit, retries, Retry-After and
 * circuit breaker apply), the cursor kept after every page so a restart goes on where it stopped; and the
 * corrections after a change made here or a live read. Only one walk runs at a time.
 */

export const DIRECTORY_PAGE_SIZE = 100;

export interface DirectorySettings {
  /** Walk Avara in full this often, and once at start (absent: only when asked, e.g. tests). */
  refreshMs?: number | undefined;
  /** How many times one page is asked for again after a failure Avara may recover from (default 6). */
  pageRetries?: number | undefined;
  /** The first wait before asking again, doubled each time up to 30 s, unless Avara says how long (default 1 s). */
  retryDelayMs?: number | undefined;
  /** How long the walk stays this instance's without renewal; after that another may resume it (default 30 s). */
  leaseMs?: number | undefined;
  /** How often the walk's lease is renewed, and a walk left by a stopped instance looked for (default 10 s). */
  renewMs?: number | undefined;
}

export interface Directory {
  freshness(): Promise<DirectoryFreshness>;
  /** Start a walk unless one runs (it goes on in the background). */
  refreshNow(): void;
  /**
   * Read one person and their invitations from Avara again and keep them (a failure is logged, never thrown). `known`:
   * the user as Avara answered the change just made (an invite or an edit), so only their invitations are read.
   */
  syncUser(userId: string, requestId?: string, known?: User): Promise<void>;
  /** The same for an invitation's person, when only the invitation is known. */
  syncInvitation(invitationId: string, requestId?: string): Promise<void>;
  /** A live read: keep what Avara just said (or forget what it said does not exist). */
  noteUser(user: User): Promise<void>;
  noteInvitation(invitation: Invitation): Promise<void>;
  forgetUser(userId: string): Promise<void>;
  forgetInvitation(invitationId: string): Promise<void>;
  /** Run the periodic walk (and one now) when refreshMs is set. */
  start(): void;
  /** Stop the timer and any wait, and let the page in flight finish. */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 30_000;
/** How long closing the server waits for a directory page on its way before the client's close cuts it. */
const STOP_WAIT_MS = 1_000;

/** Why a walk stopped, for an administrator reading the lists' freshness line. */
export function refreshFailureMessage(error: unknown): string {
  const after = ' The lists show what was read before; the next refresh tries again.';
  if (!(error instanceof UpstreamError))
    return `Something went wrong in Viewer Admin while refreshing the directory.${after}`;
  switch (error.kind) {
    case 'http':
      if (error.status === 401 || error.status === 403)
        return `Avara refused Viewer Admin's API key while the directory was being refreshed: check AVARA_API_KEY.${after}`;
      if (error.status === 429)
        return `Avara kept asking Viewer Admin to slow down while the directory was being refreshed.${after}`;
      return `Avara answered with an error (status ${error.status ?? 'unknown'}) while the directory was being refreshed.${after}`;
    case 'timeout':
      return `Avara did not answer in time while the directory was being refreshed.${after}`;
    case 'connection':
      return `Viewer Admin could not reach Avara while refreshing the directory.${after}`;
    case 'circuit-open':
      return `Avara failed several times in a row, so the directory refresh stopped for now.${after}`;
    case 'overloaded':
      return `Too many requests were waiting for Avara while the directory was being refreshed.${after}`;
    case 'invalid-response':
    case 'echoed-key':
      return `Avara sent an answer Viewer Admin could not use while the directory was being refreshed.${after}`;
  }
}

/** Failures a later attempt may get past (Avara busy, slow or briefly away). */
function mayRecover(error: unknown): error is UpstreamError {
  if (!(error instanceof UpstreamError)) return false;
  if (error.kind === 'http') return error.status !== undefined && isRetryableStatus(error.status);
  return (
    error.kind === 'timeout' ||
    error.kind === 'connection' ||
    error.kind === 'overloaded' ||
    error.kind === 'circuit-open'
  );
}

/** What to log of a failure: an upstream error by kind and status only (its body is never logged). */
function logged(error: unknown): Record<string, unknown> {
  return error instanceof UpstreamError
    ? { upstream: { kind: error.kind, status: error.status, attempts: error.attempts } }
    : { err: error };
}

const isNotFound = (error: unknown) =>
  error instanceof UpstreamError && error.kind === 'http' && error.status === 404;

/** Avara no longer knows the cursor we kept (a 400 on a page asked for with one). */
const isStaleCursor = (error: unknown) =>
  error instanceof UpstreamError && error.kind === 'http' && error.status === 400;

export function createDirectory(options: {
  store: DirectoryStore;
  client: AvaraClient;
  log: FastifyBaseLogger;
  now: () => number;
  settings?: DirectorySettings | undefined;
  /** This instance, as the holder of the walk (default: a new random id). */
  instanceId?: string | undefined;
  /** Other instances share the database (PostgreSQL); alone (SQLite), a walk a previous process held is this one's. */
  shared?: boolean | undefined;
}): Directory {
  const { store, client, log, now } = options;
  const settings = options.settings ?? {};
  const owner = options.instanceId ?? `dir_${randomUUID()}`;
  const leaseMs = settings.leaseMs ?? 30_000;
  const renewMs = settings.renewMs ?? 10_000;
  let watchTimer: NodeJS.Timeout | undefined;
  const pageRetries = settings.pageRetries ?? 6;
  const retryDelayMs = settings.retryDelayMs ?? 1_000;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const waits = new Set<() => void>();

  /** Wait, unless the server is closing (then resolve at once). */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(handle);
        waits.delete(done);
        resolve();
      };
      const handle = setTimeout(done, ms);
      waits.add(done);
    });

  /** One page, asked for again (politely) while Avara may recover. */
  const patiently = async <T>(read: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await read();
      } catch (error) {
        if (stopped || attempt >= pageRetries || !mayRecover(error)) throw error;
        const asked = error.retryAfter === undefined ? undefined : error.retryAfter * 1000;
        const wait = Math.min(MAX_RETRY_DELAY_MS, asked ?? retryDelayMs * 2 ** attempt);
        log.warn(
          { directory: { attempt: attempt + 1, waitMs: wait } },
          'Asking Avara again for a directory page',
        );
        await pause(wait);
        if (stopped) throw error;
      }
    }
  };

  const readPage = async (state: RefreshState): Promise<RefreshState> => {
    const query = { limit: DIRECTORY_PAGE_SIZE, ...(state.cursor === null ? {} : { cursor: state.cursor }) };
    if (state.phase === 'users') {
      const page = await patiently(() => client.listUsers(query));
      return store.savePage({ users: page.users }, page.hasMore ? (page.cursor ?? null) : null, now(), owner);
    }
    const page = await patiently(() => client.listInvitations(query));
    return store.savePage(
      { invitations: page.invitations },
      page.hasMore ? (page.cursor ?? null) : null,
      now(),
      owner,
    );
  };

  const walk = async () => {
    const held = await store.beginRefresh({
      owner,
      now: options.shared === true ? now() : Number.MAX_SAFE_INTEGER,
      until: now() + leaseMs,
    });
    // Another instance walks now: the status every instance reads from the database says so.
    if (held === undefined) return;
    let state: RefreshState = held;
    const started = now();
    const renewal = setInterval(() => {
      store.renewRefresh(owner, now() + leaseMs).then(
        (still) => {
          if (!still) log.warn('The directory walk was taken over by another instance');
        },
        (error: unknown) =>
          log.warn({ err: error }, 'The directory walk could not be renewed; trying again shortly'),
      );
    }, renewMs);
    renewal.unref();
    try {
      state = await walkFrom(state);
    } finally {
      clearInterval(renewal);
    }
    if (state.phase === 'idle')
      log.info({ directory: { ms: now() - started } }, 'The directory is up to date');
  };

  const walkFrom = async (from: RefreshState): Promise<RefreshState> => {
    let state = from;
    let restarted = false;
    while (state.phase !== 'idle' && !stopped) {
      try {
        state = await readPage(state);
      } catch (error) {
        if (stopped) return state;
        if (state.cursor !== null && !restarted && isStaleCursor(error)) {
          // A cursor kept from before a restart may have run out: read this list again from the top.
          restarted = true;
          await store.restartPhase(owner);
          state = await store.refreshState();
          continue;
        }
        if (error instanceof WalkTakenOverError) {
          log.warn('The directory walk was taken over by another instance; this one stops');
          return state;
        }
        await store.failRefresh(refreshFailureMessage(error), owner);
        log.warn(logged(error), 'The directory could not be refreshed from Avara');
        return state;
      }
    }
    return state;
  };

  const refreshNow = () => {
    if (current || stopped) return;
    current = walk()
      .catch(async (error: unknown) => {
        log.error(logged(error), 'The directory refresh stopped unexpectedly');
        // The database may be closing or away: then there is nothing more to record.
        await store.failRefresh(refreshFailureMessage(error), owner).catch(() => undefined);
      })
      .finally(() => {
        current = undefined;
      });
  };

  /** Keep what a read said; the directory is a convenience, so a failure here is logged and goes no further. */
  const quietly = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      log.error({ err: error }, `The directory could not keep ${what}`);
    }
  };

  const syncUser = async (userId: string, requestId?: string, known?: User) => {
    try {
      const user = known ?? (await client.getUser(userId, { requestId }));
      await store.upsertUsers([user]);
      const invitations = await client.listInvitations({ userId, limit: DIRECTORY_PAGE_SIZE }, { requestId });
      await store.upsertInvitations(invitations.invitations);
    } catch (error) {
      if (isNotFound(error)) {
        await quietly('a removal', () => store.removeUser(userId));
        return;
      }
      log.warn(logged(error), 'The directory could not read a person again after a change');
    }
  };

  return {
    async freshness() {
      const state = await store.refreshState();
      const elsewhere = options.shared === true && state.runner !== null && (state.leaseUntil ?? 0) > now();
      return {
        asOf: state.asOf === null ? null : new Date(state.asOf).toISOString(),
        refreshing: current !== undefined || elsewhere,
        lastError: state.lastError,
      };
    },
    refreshNow,
    syncUser,
    async syncInvitation(invitationId, requestId) {
      let invitation: Invitation;
      try {
        invitation = await client.getInvitation(invitationId, { requestId });
      } catch (error) {
        if (isNotFound(error)) await quietly('a removal', () => store.removeInvitation(invitationId));
        else log.warn(logged(error), 'The directory could not read an invitation again after a change');
        return;
      }
      await quietly('an invitation', () => store.upsertInvitations([invitation]));
      await syncUser(invitation.userId, requestId);
    },
    noteUser: (user) => quietly('a user', () => store.upsertUsers([user])),
    noteInvitation: (invitation) => quietly('an invitation', () => store.upsertInvitations([invitation])),
    forgetUser: (userId) => quietly('a removal', () => store.removeUser(userId)),
    forgetInvitation: (invitationId) => quietly('a removal', () => store.removeInvitation(invitationId)),
    start() {
      if (settings.refreshMs === undefined || stopped) return;
      refreshNow();
      timer = setInterval(refreshNow, settings.refreshMs);
      timer.unref();
      // A walk whose instance stopped renewing is resumed here once its lease ends.
      watchTimer = setInterval(() => {
        if (current) return;
        store.refreshState().then(
          (state) => {
            if (state.runner !== null && (state.leaseUntil ?? 0) <= now()) refreshNow();
          },
          (error: unknown) =>
            log.warn({ err: error }, 'The directory state could not be read; trying again shortly'),
        );
      }, renewMs);
      watchTimer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(watchTimer);
      for (const wake of [...waits]) wake();
      // A page on its way usually lands in milliseconds; a slow one is cut when the client closes after this.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise((resolve) => (bound = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(bound);
    },
  };
}
