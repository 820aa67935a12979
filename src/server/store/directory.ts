import * as z from 'zod/mini';
import { DIRECTORY_PAGE_DEFAULT, PEOPLE_SORT_DEFAULT, foldForSearch } from '../../contract/directory.ts';
import type {
  DirectoryInvitation,
  DirectoryInvitationsQuery,
  DirectoryPerson,
  InvitationState,
  InvitedBy,
  OperatorRef,
  PeopleQuery,
  PersonStatus,
} from '../../contract/directory.ts';
import { InvitationSchema } from '../../contract/invitations.ts';
import type { Invitation } from '../../contract/invitations.ts';
import { UserSchema } from '../../contract/users.ts';
import type { User } from '../../contract/users.ts';
import type { SqliteDatabase } from './sqlite.ts';

/**
 * The directory: Avara's users and invitations as last read, with the columns to search, filter and sort them, and
 * the state of the refresh that fills it (so a refresh resumes after a restart). Status and "invited by" are derived
 * at query time from Avara's records and directory_access (kept from the audit trail by triggers, see migration 5).
 */

export type RefreshPhase = 'idle' | 'users' | 'invitations';

export interface RefreshState {
  /** The walk under way (phase users/invitations) or the last one (idle). */
  generation: number;
  phase: RefreshPhase;
  /** Avara's cursor of the next page to read in this phase (null: the first page). */
  cursor: string | null;
  /** When the last complete walk finished (ms), null before the first. */
  asOf: number | null;
  lastError: string | null;
  /** The instance walking now and until when it holds the walk (null when none does). */
  runner: string | null;
  leaseUntil: number | null;
}

/** Who walks, the time now, and until when the walk is theirs unless renewed. */
export interface RefreshLease {
  owner: string;
  now: number;
  until: number;
}

export interface PeopleResult {
  people: DirectoryPerson[];
  total: number;
  neverSignedIn: number;
  page: number;
  limit: number;
}

export interface InvitationsResult {
  invitations: DirectoryInvitation[];
  total: number;
  page: number;
  limit: number;
}

export interface DirectoryStore {
  refreshState(): Promise<RefreshState>;
  /**
   * Start a new walk (next generation, users first) unless one is under way, and hold it; returns the state to go on
   * from. Undefined when another instance holds the walk under way (its lease has not ended).
   */
  beginRefresh(lease: RefreshLease): Promise<RefreshState | undefined>;
  /** Keep holding the walk until `until`; false when the owner no longer holds it. */
  renewRefresh(owner: string, until: number): Promise<boolean>;
  /**
   * Keep one page of the walk and where the next one starts. A null `next` ends the phase: after users come the
   * invitations; after the invitations the walk is complete, what it did not see is removed and asOf is set to `now`.
   */
  savePage(
    page: { users: readonly User[] } | { invitations: readonly Invitation[] },
    next: string | null,
    now: number,
    /** The walker: when given, the page is kept only if it still holds the walk (else WalkTakenOverError). */
    owner?: string,
  ): Promise<RefreshState>;
  /** Start the phase under way again from its first page (Avara no longer knows the cursor). */
  restartPhase(owner?: string): Promise<void>;
  /** The walk failed: keep the data and the cursor, say why, and let go of the walk. */
  /** With `owner`, only when it holds the walk (or nobody does): never ends another instance's walk. */
  failRefresh(message: string, owner?: string): Promise<void>;
  upsertUsers(users: readonly User[]): Promise<void>;
  upsertInvitations(invitations: readonly Invitation[]): Promise<void>;
  removeUser(userId: string): Promise<void>;
  removeInvitation(invitationId: string): Promise<void>;
  queryPeople(query: PeopleQuery, now: number): Promise<PeopleResult>;
  queryInvitations(query: DirectoryInvitationsQuery, now: number): Promise<InvitationsResult>;
  /** "First Last" of each id the directory knows (users and invitations); unknown ids are left out. */
  namesOf(ids: {
    userIds?: readonly string[];
    invitationIds?: readonly string[];
  }): Promise<Map<string, string>>;
}

// ---------------------------------------------------------------------------------------------------------------

const RefreshRowSchema = z.object({
  generation: z.number(),
  phase: z.enum(['idle', 'users', 'invitations']),
  cursor: z.nullable(z.string()),
  as_of: z.nullable(z.number()),
  last_error: z.nullable(z.string()),
  runner: z.nullable(z.string()),
  lease_until: z.nullable(z.number()),
});

export const REFRESH_COLUMNS = 'generation, phase, cursor, as_of, last_error, runner, lease_until';

export function toRefreshState(raw: unknown): RefreshState {
  const row = RefreshRowSchema.parse(raw);
  return {
    generation: row.generation,
    phase: row.phase,
    cursor: row.cursor,
    asOf: row.as_of,
    lastError: row.last_error,
    runner: row.runner,
    leaseUntil: row.lease_until,
  };
}

/** Whether `lease` may hold the walk in `state`: none is under way, or it is the owner's, or its holder's lease ended. */
/**
 * The walk is no longer this instance's (another took it over after its lease ended while it was stalled), or the page
 * is of the other list than the walk is on: nothing was written.
 */
export class WalkTakenOverError extends Error {
  override readonly name = 'WalkTakenOverError';
  constructor() {
    super('The directory walk is held by another instance now.');
  }
}

/** Throws WalkTakenOverError unless `owner` (when given) holds the walk and the page is of the list it is on. */
export function checkWalker(
  state: RefreshState,
  page: { users: readonly unknown[] } | { invitations: readonly unknown[] },
  owner: string | undefined,
): void {
  if (state.phase === 'idle') throw new Error('No directory refresh is under way.');
  if (owner === undefined) return;
  const onUsers = 'users' in page;
  if (state.runner !== owner || onUsers !== (state.phase === 'users')) throw new WalkTakenOverError();
}

export function mayHold(state: RefreshState, lease: RefreshLease): boolean {
  return (
    state.phase === 'idle' ||
    state.runner === null ||
    state.runner === lease.owner ||
    (state.leaseUntil ?? 0) <= lease.now
  );
}

export const PersonRowSchema = z.object({
  record: z.string(),
  status: z.string(),
  inv_id: z.nullable(z.string()),
  inv_status: z.nullable(z.string()),
  inv_expiry: z.nullable(z.string()),
  inv_created_at: z.nullable(z.string()),
  invited_at: z.nullable(z.string()),
  invited_source: z.string(),
  invited_operator_id: z.nullable(z.string()),
  invited_operator_name: z.nullable(z.string()),
  revoked_at: z.nullable(z.number()),
  revoked_operator_id: z.nullable(z.string()),
  revoked_operator_name: z.nullable(z.string()),
});

export const InvitationRowSchema = z.object({
  record: z.string(),
  state: z.string(),
  invited_source: z.string(),
  invited_operator_id: z.nullable(z.string()),
  invited_operator_name: z.nullable(z.string()),
});

export const CountsSchema = z.object({ total: z.number(), never: z.nullable(z.number()) });
export const NameRowSchema = z.object({ id: z.string(), first: z.string(), last: z.string() });
export const InvitationSummarySchema = z.object({
  invitation_id: z.string(),
  status: z.string(),
  expiry: z.nullable(z.string()),
  created_at: z.nullable(z.string()),
});

/** Milliseconds of an ISO time, null when absent or not a time. */
export function msOf(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

export const dayStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);
export const DAY_MS = 86_400_000;

/**
 * The name as searched ("first middle last": every word of a search matches on its own, so "last first" needs no copy
 * of its own) and as sorted ("last first middle").
 */
export function personName(p: {
  firstName: string;
  middleName?: string | null | undefined;
  lastName: string;
}): {
  search: string[];
  sort: string;
} {
  const middle = p.middleName ?? '';
  return {
    search: [`${p.firstName} ${middle} ${p.lastName}`],
    sort: foldText(`${p.lastName} ${p.firstName} ${middle}`),
  };
}

/** Letters Unicode does not decompose, spelt as people type them without the accent ("lukasz" finds "Łukasz"). */
const PLAIN_LETTERS: Record<string, string> = {
  ß: 'ss',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  ħ: 'h',
};

/** The contract's foldForSearch, and the letters above spelt plainly: what the index holds and a search looks for. */
export function foldText(text: string): string {
  return foldForSearch(text).replace(/[ßłøđðþæœıħ]/g, (letter) => PLAIN_LETTERS[letter] ?? letter);
}

export function digits(text: string | null | undefined): string {
  return (text ?? '').replace(/\D/g, '');
}

/** The folded text a search looks in, one part per line so no word spans two parts. */
export function searchText(parts: readonly (string | null | undefined)[]): string {
  return parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map(foldText)
    .join('\n');
}

/**
 * The words of a search, folded. A word of digits and phone punctuation ("(617)", "555-0102") is searched as its
 * digits, since phone numbers are kept as digits.
 */
export function searchWords(q: string): string[] {
  return foldText(q)
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => (/^[\d()+\-./]+$/.test(word) && /\d/.test(word) ? digits(word) : word));
}

const INVITED_BY_LABELS: Record<string, string> = {
  api: 'Through the API',
  dashboard: "From Avara's dashboard",
};

export function invitedByOf(row: {
  invited_source: string;
  invited_operator_id: string | null;
  invited_operator_name: string | null;
}): InvitedBy {
  if (row.invited_operator_name !== null) {
    const operator: OperatorRef = { operatorId: row.invited_operator_id, name: row.invited_operator_name };
    return { source: 'dashboard', label: operator.name, operator };
  }
  return {
    source: 'avara',
    label: INVITED_BY_LABELS[row.invited_source] ?? `From Avara (${row.invited_source})`,
    operator: null,
  };
}

/** An operator's name as the audit trail shows it: display name, else the e-mail the record kept. */
export const operatorName = (prefix: string, alias: string) =>
  `COALESCE(NULLIF(${alias}.display_name, ''), ${alias}.email, a.${prefix}_operator_email)`;

const EXPIRED_SQL = (status: string, expiry: string, now: string) =>
  `(${status} = 'sent' AND ${expiry} IS NOT NULL AND ${expiry} < ${now})`;

/** The contract's PERSON_STATUSES order: first match wins. `now`: the parameter holding the time now. */
export const personStatusSql = (now: string) => `CASE
  WHEN u.level = 'owner' THEN 'owner'
  WHEN a.revoked_id IS NOT NULL AND (a.reactivated_id IS NULL OR a.reactivated_id < a.revoked_id) THEN 'access-revoked'
  WHEN u.last_login_ms IS NOT NULL OR u.inv_status = 'accepted' THEN 'active'
  WHEN u.inv_status = 'revoked' THEN 'invitation-revoked'
  WHEN u.inv_status = 'rejected' THEN 'invitation-declined'
  WHEN ${EXPIRED_SQL('u.inv_status', 'u.inv_expiry_ms', now)} THEN 'invitation-expired'
  ELSE 'invited'
END`;

export const invitationStateSql = (now: string) => `CASE
  WHEN ${EXPIRED_SQL('i.status', 'i.expiry_ms', now)} THEN 'expired'
  WHEN i.status = 'sent' THEN 'pending'
  WHEN i.status = 'rejected' THEN 'declined'
  ELSE i.status
END`;

/** Absent times sort as the earliest (SQLite puts NULL first ascending), so every order can walk an index. */
const PEOPLE_ORDER: Record<NonNullable<PeopleQuery['sort']>, string> = {
  name: 'u.sort_name ASC, u.user_id ASC',
  '-name': 'u.sort_name DESC, u.user_id DESC',
  invited: 'u.invited_ms ASC, u.user_id ASC',
  '-invited': 'u.invited_ms DESC, u.user_id DESC',
  'last-sign-in': 'u.last_login_ms ASC, u.user_id ASC',
  '-last-sign-in': 'u.last_login_ms DESC, u.user_id DESC',
};

const INVITATION_ORDER: Record<NonNullable<DirectoryInvitationsQuery['sort']>, string> = {
  sent: 'i.created_ms ASC, i.invitation_id ASC',
  '-sent': 'i.created_ms DESC, i.invitation_id DESC',
  name: 'i.sort_name ASC, i.invitation_id ASC',
  '-name': 'i.sort_name DESC, i.invitation_id DESC',
  expiry: 'i.expiry_ms ASC, i.invitation_id ASC',
  '-expiry': 'i.expiry_ms DESC, i.invitation_id DESC',
};

type Params = Record<string, string | number | null>;

/** Where a filter puts its condition and parameters (each backend spells parameters its own way). */
export interface ConditionBuilder {
  param(value: string | number): string;
  list(values: readonly string[]): string;
  add(sql: string): void;
}

/** WHERE parts and their named parameters, built up filter by filter. */
class Conditions implements ConditionBuilder {
  readonly where: string[] = [];
  readonly params: Params;
  private n = 0;
  constructor(now: number) {
    this.params = { now };
  }
  param(value: string | number): string {
    const name = `p${(this.n += 1)}`;
    this.params[name] = value;
    return `@${name}`;
  }
  list(values: readonly string[]): string {
    return values.map((v) => this.param(v)).join(', ');
  }
  add(sql: string): void {
    this.where.push(sql);
  }
  sql(): string {
    return this.where.length > 0 ? `WHERE ${this.where.join(' AND ')}` : '';
  }
}

const INDEXED_CHARS = 12;

/** Every word must occur in the row's search text: words of 3+ characters through the trigram index, shorter ones by scanning. */
function addSearch(c: Conditions, table: 'u' | 'i', q: string | undefined): void {
  if (q === undefined) return;
  const words = searchWords(q);
  // The index narrows by the first INDEXED_CHARS of each word (a long word's every trigram costs time and rarely
  // narrows further); the whole word is then checked on the rows left, as are words too short for a trigram.
  const indexed = words.filter((word) => [...word].length >= 3);
  if (indexed.length > 0) {
    const fts = table === 'u' ? 'directory_users_search' : 'directory_invitations_search';
    const match = indexed
      .map((word) => `"${[...word].slice(0, INDEXED_CHARS).join('').replaceAll('"', '""')}"`)
      .join(' AND ');
    c.add(`${table}.rowid IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${c.param(match)})`);
  }
  for (const word of words) {
    const length = [...word].length;
    if (length < 3 || length > INDEXED_CHARS) c.add(`instr(${table}.search, ${c.param(word)}) > 0`);
  }
}

export function addInvitedBy(c: ConditionBuilder, invitedBy: string | undefined, source: string): void {
  if (invitedBy === undefined) return;
  if (invitedBy === 'api' || invitedBy === 'avara') {
    c.add(`a.invited_id IS NULL AND ${source} = ${c.param(invitedBy === 'api' ? 'api' : 'dashboard')}`);
  } else {
    c.add(`a.invited_id IS NOT NULL AND a.invited_operator_id = ${c.param(invitedBy)}`);
  }
}

export function addDateRange(
  c: ConditionBuilder,
  column: string,
  from: string | undefined,
  to: string | undefined,
): void {
  if (from !== undefined) c.add(`${column} >= ${c.param(dayStart(from))}`);
  if (to !== undefined) c.add(`${column} < ${c.param(dayStart(to) + DAY_MS)}`);
}

/** What the audit trail says of a person (X: the column holding their user id), and the operators it names. */
export const ACCESS_JOIN_SQL = `LEFT JOIN directory_access a ON a.user_id = X
    LEFT JOIN operators io ON io.id = a.invited_operator_id
    LEFT JOIN operators ro ON ro.id = a.revoked_operator_id`;

export const personOf = (raw: unknown): DirectoryPerson => {
  const row = PersonRowSchema.parse(raw);
  const user = UserSchema.parse(JSON.parse(row.record));
  const status = row.status as PersonStatus;
  const revoked =
    status === 'access-revoked' && row.revoked_at !== null
      ? {
          by: { operatorId: row.revoked_operator_id, name: row.revoked_operator_name ?? 'an operator' },
          at: new Date(row.revoked_at).toISOString(),
        }
      : null;
  return {
    user,
    latestInvitation:
      row.inv_id === null
        ? null
        : {
            invitationId: row.inv_id,
            status: row.inv_status ?? '',
            expiry: row.inv_expiry,
            createdAt: row.inv_created_at,
          },
    status,
    statusSource: status === 'access-revoked' ? 'dashboard' : 'avara',
    accessRevoked: revoked,
    invitedBy: invitedByOf(row),
    invitedAt: row.invited_at,
  };
};

export const invitationOf = (raw: unknown): DirectoryInvitation => {
  const row = InvitationRowSchema.parse(raw);
  return {
    invitation: InvitationSchema.parse(JSON.parse(row.record)),
    state: row.state as InvitationState,
    invitedBy: invitedByOf(row),
  };
};

export function createSqliteDirectoryStore(db: SqliteDatabase): DirectoryStore {
  return promised(createSyncDirectory(db));
}

type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/** better-sqlite3 answers at once: the same calls, as promises. */
function promised(sync: Synchronous<DirectoryStore>): DirectoryStore {
  const store: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(sync) as [string, (...args: unknown[]) => unknown][]) {
    store[name] = async (...args: unknown[]) => method(...args);
  }
  return store as unknown as DirectoryStore;
}

function createSyncDirectory(db: SqliteDatabase): Synchronous<DirectoryStore> {
  const readState = db.prepare(`SELECT ${REFRESH_COLUMNS} FROM directory_refresh`);
  const refreshState = (): RefreshState => toRefreshState(readState.get());
  const hold = db.prepare('UPDATE directory_refresh SET runner = @owner, lease_until = @until WHERE id = 1');
  const setState = db.prepare(
    'UPDATE directory_refresh SET generation = @generation, phase = @phase, cursor = @cursor WHERE id = 1',
  );

  const upsertUser = db.prepare(
    `INSERT INTO directory_users (user_id, record, search, sort_name, role, level, dashboard, studies,
       invited_source, created_ms, last_login_ms, seen)
     VALUES (@userId, @record, @search, @sortName, @role, @level, @dashboard, @studies, @invitedSource, @createdMs,
       @lastLoginMs, @seen)
     ON CONFLICT (user_id) DO UPDATE SET record = excluded.record, search = excluded.search,
       sort_name = excluded.sort_name,
       role = excluded.role, level = excluded.level, dashboard = excluded.dashboard, studies = excluded.studies,
       invited_source = excluded.invited_source, created_ms = excluded.created_ms,
       last_login_ms = excluded.last_login_ms, seen = MAX(seen, excluded.seen)`,
  );
  const upsertInvitation = db.prepare(
    `INSERT INTO directory_invitations (invitation_id, user_id, record, search, sort_name, status, invited_source,
       expiry_ms, created_ms, seen)
     VALUES (@invitationId, @userId, @record, @search, @sortName, @status, @invitedSource, @expiryMs, @createdMs,
       @seen)
     ON CONFLICT (invitation_id) DO UPDATE SET user_id = excluded.user_id, record = excluded.record,
       search = excluded.search, sort_name = excluded.sort_name, status = excluded.status,
       invited_source = excluded.invited_source, expiry_ms = excluded.expiry_ms, created_ms = excluded.created_ms,
       seen = MAX(seen, excluded.seen)`,
  );
  const userRecord = db.prepare('SELECT record FROM directory_users WHERE user_id = ?').pluck();
  const invitationsOfUser = db.prepare(
    `SELECT invitation_id, status, json_extract(record, '$.expiry') AS expiry,
       json_extract(record, '$.createdAt') AS created_at
     FROM directory_invitations WHERE user_id = ?
     ORDER BY created_ms IS NULL, created_ms DESC, invitation_id DESC`,
  );
  const setDerived = db.prepare(
    `UPDATE directory_users SET search = @search, inv_id = @invId, inv_status = @invStatus, inv_expiry = @invExpiry,
       inv_expiry_ms = @invExpiryMs, inv_created_at = @invCreatedAt, invited_at = @invitedAt, invited_ms = @invitedMs
     WHERE user_id = @userId`,
  );
  const invitationUser = db
    .prepare('SELECT user_id FROM directory_invitations WHERE invitation_id = ?')
    .pluck();
  const deleteUser = db.prepare('DELETE FROM directory_users WHERE user_id = ?');
  const deleteInvitationsOf = db.prepare('DELETE FROM directory_invitations WHERE user_id = ?');
  const deleteInvitation = db.prepare('DELETE FROM directory_invitations WHERE invitation_id = ?');

  const invitationSummaries = (userId: string) =>
    invitationsOfUser.all(userId).map((row) => InvitationSummarySchema.parse(row));
  const userSearch = (user: User, invitations: readonly { invitation_id: string }[]) =>
    searchText([
      ...personName(user).search,
      user.email,
      digits(user.phoneNumber),
      user.userId,
      ...invitations.map((i) => i.invitation_id),
    ]);

  /** Recompute what a user's row takes from their invitations: the latest one, and their ids in the search text. */
  const deriveUser = (userId: string) => {
    const record: unknown = userRecord.get(userId);
    if (typeof record !== 'string') return;
    const user = UserSchema.parse(JSON.parse(record));
    const invitations = invitationSummaries(userId);
    const latest = invitations[0];
    const invitedAt = latest?.created_at ?? user.createdAt;
    setDerived.run({
      userId,
      search: userSearch(user, invitations),
      invId: latest?.invitation_id ?? null,
      invStatus: latest?.status ?? null,
      invExpiry: latest?.expiry ?? null,
      invExpiryMs: msOf(latest?.expiry),
      invCreatedAt: latest?.created_at ?? null,
      invitedAt: invitedAt ?? null,
      invitedMs: msOf(invitedAt),
    });
  };

  const currentGeneration = () => refreshState().generation;

  const putUsers = (users: readonly User[], seen: number) => {
    for (const user of users) {
      const name = personName(user);
      upsertUser.run({
        userId: user.userId,
        record: JSON.stringify(user),
        search: userSearch(user, invitationSummaries(user.userId)),
        sortName: name.sort,
        role: user.clinicRole,
        level: user.level,
        dashboard: user.hasDashboardAccess ? 1 : 0,
        studies: user.canManageStudies ? 1 : 0,
        invitedSource: user.invitedSource,
        createdMs: msOf(user.createdAt),
        lastLoginMs: msOf(user.lastLoginAt),
        seen,
      });
      deriveUser(user.userId);
    }
  };

  const putInvitations = (invitations: readonly Invitation[], seen: number) => {
    const touched = new Set<string>();
    for (const invitation of invitations) {
      const previousUser: unknown = invitationUser.get(invitation.invitationId);
      if (typeof previousUser === 'string') touched.add(previousUser);
      upsertInvitation.run({
        invitationId: invitation.invitationId,
        userId: invitation.userId,
        record: JSON.stringify(invitation),
        search: searchText([
          ...personName(invitation).search,
          invitation.email,
          digits(invitation.phoneNumber),
          invitation.userId,
          invitation.invitationId,
        ]),
        sortName: personName(invitation).sort,
        status: invitation.status,
        invitedSource: invitation.invitedSource,
        expiryMs: msOf(invitation.expiry),
        createdMs: msOf(invitation.createdAt),
        seen,
      });
      touched.add(invitation.userId);
    }
    for (const userId of touched) deriveUser(userId);
  };

  const finishWalk = db.transaction((generation: number, now: number) => {
    db.prepare('DELETE FROM directory_users WHERE seen < ?').run(generation);
    db.prepare('DELETE FROM directory_invitations WHERE seen < ?').run(generation);
    // A user's derived columns may name an invitation just removed.
    const stale = db
      .prepare(
        `SELECT user_id FROM directory_users u WHERE inv_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM directory_invitations i WHERE i.invitation_id = u.inv_id)`,
      )
      .pluck()
      .all();
    for (const userId of stale) if (typeof userId === 'string') deriveUser(userId);
    db.prepare(
      `UPDATE directory_refresh SET phase = 'idle', cursor = NULL, as_of = @now, last_error = NULL, runner = NULL,
         lease_until = NULL WHERE id = 1`,
    ).run({ now });
  });

  const savePage = db.transaction(
    (
      page: { users: readonly User[] } | { invitations: readonly Invitation[] },
      next: string | null,
      now: number,
      owner: string | undefined,
    ): RefreshState => {
      const state = refreshState();
      checkWalker(state, page, owner);
      if ('users' in page) putUsers(page.users, state.generation);
      else putInvitations(page.invitations, state.generation);
      if (next !== null) {
        setState.run({ generation: state.generation, phase: state.phase, cursor: next });
      } else if (state.phase === 'users') {
        setState.run({ generation: state.generation, phase: 'invitations', cursor: null });
      } else {
        finishWalk(state.generation, now);
      }
      return refreshState();
    },
  );

  const ACCESS_JOIN = ACCESS_JOIN_SQL;

  return {
    refreshState,

    beginRefresh: db.transaction((lease: RefreshLease): RefreshState | undefined => {
      const state = refreshState();
      if (!mayHold(state, lease)) return undefined;
      if (state.phase === 'idle')
        setState.run({ generation: state.generation + 1, phase: 'users', cursor: null });
      hold.run({ owner: lease.owner, until: lease.until });
      return refreshState();
    }),

    renewRefresh(owner, until) {
      return (
        db
          .prepare('UPDATE directory_refresh SET lease_until = ? WHERE id = 1 AND runner = ?')
          .run(until, owner).changes === 1
      );
    },

    savePage: (page, next, now, owner) => savePage(page, next, now, owner),

    restartPhase(owner) {
      db.prepare('UPDATE directory_refresh SET cursor = NULL WHERE id = 1 AND (? IS NULL OR runner = ?)').run(
        owner ?? null,
        owner ?? null,
      );
    },

    failRefresh(message, owner) {
      db.prepare(
        `UPDATE directory_refresh SET last_error = ?, runner = NULL, lease_until = NULL
         WHERE id = 1 AND (? IS NULL OR runner IS NULL OR runner = ?)`,
      ).run(message, owner ?? null, owner ?? null);
    },

    upsertUsers: db.transaction((users: readonly User[]) => putUsers(users, currentGeneration())),

    upsertInvitations: db.transaction((invitations: readonly Invitation[]) =>
      putInvitations(invitations, currentGeneration()),
    ),

    removeUser: db.transaction((userId: string) => {
      deleteUser.run(userId);
      deleteInvitationsOf.run(userId);
    }),

    removeInvitation: db.transaction((invitationId: string) => {
      const userId: unknown = invitationUser.get(invitationId);
      deleteInvitation.run(invitationId);
      if (typeof userId === 'string') deriveUser(userId);
    }),

    queryPeople(query, now) {
      const c = new Conditions(now);
      addSearch(c, 'u', query.q);
      if (query.role !== undefined) c.add(`u.role IN (${c.list(query.role)})`);
      if (query.level !== undefined) c.add(`u.level = ${c.param(query.level)}`);
      if (query.dashboard !== undefined) c.add(`u.dashboard = ${query.dashboard === 'yes' ? 1 : 0}`);
      if (query.studies !== undefined) c.add(`u.studies = ${query.studies === 'yes' ? 1 : 0}`);
      if (query.status !== undefined) c.add(`(${personStatusSql('@now')}) IN (${c.list(query.status)})`);
      addInvitedBy(c, query.invitedBy, 'u.invited_source');
      addDateRange(c, 'u.invited_ms', query.invitedFrom, query.invitedTo);
      const from = `FROM directory_users u ${ACCESS_JOIN.replace('X', 'u.user_id')} ${c.sql()}`;
      const counts = CountsSchema.parse(
        db.prepare(`SELECT COUNT(*) AS total, SUM(u.last_login_ms IS NULL) AS never ${from}`).get(c.params),
      );
      const limit = query.limit ?? DIRECTORY_PAGE_DEFAULT;
      const page = query.page ?? 1;
      const rows = db
        .prepare(
          `SELECT u.record, ${personStatusSql('@now')} AS status, u.inv_id, u.inv_status, u.inv_expiry,
             u.inv_created_at, u.invited_at, u.invited_source,
             a.invited_operator_id, CASE WHEN a.invited_id IS NULL THEN NULL ELSE ${operatorName('invited', 'io')} END
               AS invited_operator_name,
             a.revoked_at, a.revoked_operator_id, ${operatorName('revoked', 'ro')} AS revoked_operator_name
           ${from} ORDER BY ${PEOPLE_ORDER[query.sort ?? PEOPLE_SORT_DEFAULT]}
           LIMIT @limit OFFSET @offset`,
        )
        .all({ ...c.params, limit, offset: (page - 1) * limit });
      return {
        people: rows.map(personOf),
        total: counts.total,
        neverSignedIn: counts.never ?? 0,
        page,
        limit,
      };
    },

    queryInvitations(query, now) {
      const c = new Conditions(now);
      addSearch(c, 'i', query.q);
      if (query.state !== undefined) c.add(`(${invitationStateSql('@now')}) IN (${c.list(query.state)})`);
      addInvitedBy(c, query.invitedBy, 'i.invited_source');
      addDateRange(c, 'i.created_ms', query.invitedFrom, query.invitedTo);
      if (query.userId !== undefined) c.add(`i.user_id = ${c.param(query.userId)}`);
      const from = `FROM directory_invitations i ${ACCESS_JOIN.replace('X', 'i.user_id')} ${c.sql()}`;
      const total = z.number().parse(db.prepare(`SELECT COUNT(*) ${from}`).pluck().get(c.params));
      const limit = query.limit ?? DIRECTORY_PAGE_DEFAULT;
      const page = query.page ?? 1;
      const rows = db
        .prepare(
          `SELECT i.record, ${invitationStateSql('@now')} AS state, i.invited_source, a.invited_operator_id,
             CASE WHEN a.invited_id IS NULL THEN NULL ELSE ${operatorName('invited', 'io')} END
               AS invited_operator_name
           ${from} ORDER BY ${INVITATION_ORDER[query.sort ?? '-sent']}
           LIMIT @limit OFFSET @offset`,
        )
        .all({ ...c.params, limit, offset: (page - 1) * limit });
      return { invitations: rows.map(invitationOf), total, page, limit };
    },

    namesOf({ userIds = [], invitationIds = [] }) {
      const names = new Map<string, string>();
      const read = (sql: string, ids: readonly string[]) => {
        if (ids.length === 0) return;
        for (const raw of db.prepare(sql).all(JSON.stringify([...new Set(ids)]))) {
          const row = NameRowSchema.parse(raw);
          names.set(row.id, `${row.first} ${row.last}`);
        }
      };
      const columns = `json_extract(record, '$.firstName') AS first, json_extract(record, '$.lastName') AS last`;
      read(
        `SELECT user_id AS id, ${columns} FROM directory_users WHERE user_id IN (SELECT value FROM json_each(?))`,
        userIds,
      );
      read(
        `SELECT invitation_id AS id, ${columns} FROM directory_invitations
         WHERE invitation_id IN (SELECT value FROM json_each(?))`,
        invitationIds,
      );
      return names;
    },
  };
}
