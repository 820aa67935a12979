import * as z from 'zod/mini';
import { DIRECTORY_PAGE_DEFAULT, PEOPLE_SORT_DEFAULT } from '../../../contract/directory.ts';
import type { DirectoryInvitationsQuery, PeopleQuery } from '../../../contract/directory.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { UserSchema } from '../../../contract/users.ts';
import type { User } from '../../../contract/users.ts';
import {
  ACCESS_JOIN_SQL,
  CountsSchema,
  InvitationSummarySchema,
  NameRowSchema,
  addDateRange,
  checkWalker,
  addInvitedBy,
  digits,
  invitationOf,
  invitationStateSql,
  mayHold,
  msOf,
  operatorName,
  personName,
  personOf,
  personStatusSql,
  REFRESH_COLUMNS,
  searchText,
  searchWords,
  toRefreshState,
} from '../directory.ts';
import type { ConditionBuilder, DirectoryStore, RefreshState } from '../directory.ts';
import type { PostgresDatabase, PostgresQueryable } from './database.ts';

/**
 * The directory in PostgreSQL: the same rows, search text and derived columns as the SQLite store (store/directory.ts).
 * Names and ids sort in binary order (COLLATE "C", as SQLite compares), absent times first ascending (as SQLite).
 */

const PEOPLE_ORDER: Record<NonNullable<PeopleQuery['sort']>, string> = {
  name: 'u.sort_name COLLATE "C" ASC, u.user_id COLLATE "C" ASC',
  '-name': 'u.sort_name COLLATE "C" DESC, u.user_id COLLATE "C" DESC',
  invited: 'u.invited_ms ASC NULLS FIRST, u.user_id COLLATE "C" ASC',
  '-invited': 'u.invited_ms DESC NULLS LAST, u.user_id COLLATE "C" DESC',
  'last-sign-in': 'u.last_login_ms ASC NULLS FIRST, u.user_id COLLATE "C" ASC',
  '-last-sign-in': 'u.last_login_ms DESC NULLS LAST, u.user_id COLLATE "C" DESC',
};

const INVITATION_ORDER: Record<NonNullable<DirectoryInvitationsQuery['sort']>, string> = {
  sent: 'i.created_ms ASC NULLS FIRST, i.invitation_id COLLATE "C" ASC',
  '-sent': 'i.created_ms DESC NULLS LAST, i.invitation_id COLLATE "C" DESC',
  name: 'i.sort_name COLLATE "C" ASC, i.invitation_id COLLATE "C" ASC',
  '-name': 'i.sort_name COLLATE "C" DESC, i.invitation_id COLLATE "C" DESC',
  expiry: 'i.expiry_ms ASC NULLS FIRST, i.invitation_id COLLATE "C" ASC',
  '-expiry': 'i.expiry_ms DESC NULLS LAST, i.invitation_id COLLATE "C" DESC',
};

/** WHERE parts and their positional parameters ($1 is the time now). */
class Conditions implements ConditionBuilder {
  readonly where: string[] = [];
  readonly values: unknown[];
  constructor(now: number) {
    this.values = [now];
  }
  param(value: string | number): string {
    this.values.push(value);
    return `$${this.values.length}`;
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

/** A LIKE pattern finding `word` anywhere, its own % _ \ taken literally. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Every word must occur in the row's search text (the trigram index serves words of three characters or more). */
function addSearch(c: Conditions, table: 'u' | 'i', q: string | undefined): void {
  if (q === undefined) return;
  for (const word of searchWords(q)) c.add(`${table}.search LIKE ${c.param(containsPattern(word))}`);
}

const StringSchema = z.string();
const TotalSchema = z.object({ total: z.number() });

export function createPostgresDirectoryStore(db: PostgresDatabase): DirectoryStore {
  const readState = async (q: PostgresQueryable, lock = false): Promise<RefreshState> => {
    const result = await q.query(
      `SELECT ${REFRESH_COLUMNS} FROM directory_refresh WHERE id = 1${lock ? ' FOR UPDATE' : ''}`,
    );
    return toRefreshState(result.rows[0]);
  };
  const setState = (q: PostgresQueryable, generation: number, phase: string, cursor: string | null) =>
    q.query('UPDATE directory_refresh SET generation = $1, phase = $2, cursor = $3 WHERE id = 1', [
      generation,
      phase,
      cursor,
    ]);

  const invitationSummaries = async (q: PostgresQueryable, userId: string) =>
    (
      await q.query(
        `SELECT invitation_id, status, record::json->>'expiry' AS expiry, record::json->>'createdAt' AS created_at
         FROM directory_invitations WHERE user_id = $1
         ORDER BY created_ms IS NULL, created_ms DESC, invitation_id COLLATE "C" DESC`,
        [userId],
      )
    ).rows.map((row) => InvitationSummarySchema.parse(row));

  const userSearch = (user: User, invitations: readonly { invitation_id: string }[]) =>
    searchText([
      ...personName(user).search,
      user.email,
      digits(user.phoneNumber),
      user.userId,
      ...invitations.map((i) => i.invitation_id),
    ]);

  /** Recompute what a user's row takes from their invitations: the latest one, and their ids in the search text. */
  const deriveUser = async (q: PostgresQueryable, userId: string) => {
    const found = await q.query('SELECT record FROM directory_users WHERE user_id = $1', [userId]);
    if (found.rows[0] === undefined) return;
    const user = UserSchema.parse(JSON.parse(StringSchema.parse(found.rows[0].record)));
    const invitations = await invitationSummaries(q, userId);
    const latest = invitations[0];
    const invitedAt = latest?.created_at ?? user.createdAt;
    await q.query(
      `UPDATE directory_users SET search = $2, inv_id = $3, inv_status = $4, inv_expiry = $5, inv_expiry_ms = $6,
         inv_created_at = $7, invited_at = $8, invited_ms = $9
       WHERE user_id = $1`,
      [
        userId,
        userSearch(user, invitations),
        latest?.invitation_id ?? null,
        latest?.status ?? null,
        latest?.expiry ?? null,
        msOf(latest?.expiry),
        latest?.created_at ?? null,
        invitedAt ?? null,
        msOf(invitedAt),
      ],
    );
  };

  const putUsers = async (q: PostgresQueryable, users: readonly User[], seen: number) => {
    for (const user of users) {
      const name = personName(user);
      await q.query(
        `INSERT INTO directory_users (user_id, record, search, sort_name, role, level, dashboard, studies,
           invited_source, created_ms, last_login_ms, seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (user_id) DO UPDATE SET record = excluded.record, search = excluded.search,
           sort_name = excluded.sort_name,
           role = excluded.role, level = excluded.level, dashboard = excluded.dashboard, studies = excluded.studies,
           invited_source = excluded.invited_source, created_ms = excluded.created_ms,
           last_login_ms = excluded.last_login_ms, seen = GREATEST(directory_users.seen, excluded.seen)`,
        [
          user.userId,
          JSON.stringify(user),
          userSearch(user, await invitationSummaries(q, user.userId)),
          name.sort,
          user.clinicRole,
          user.level,
          user.hasDashboardAccess ? 1 : 0,
          user.canManageStudies ? 1 : 0,
          user.invitedSource,
          msOf(user.createdAt),
          msOf(user.lastLoginAt),
          seen,
        ],
      );
      await deriveUser(q, user.userId);
    }
  };

  const putInvitations = async (q: PostgresQueryable, invitations: readonly Invitation[], seen: number) => {
    const touched = new Set<string>();
    for (const invitation of invitations) {
      const previous = await q.query('SELECT user_id FROM directory_invitations WHERE invitation_id = $1', [
        invitation.invitationId,
      ]);
      if (previous.rows[0] !== undefined) touched.add(StringSchema.parse(previous.rows[0].user_id));
      await q.query(
        `INSERT INTO directory_invitations (invitation_id, user_id, record, search, sort_name, status, invited_source,
           expiry_ms, created_ms, seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (invitation_id) DO UPDATE SET user_id = excluded.user_id, record = excluded.record,
           search = excluded.search, sort_name = excluded.sort_name, status = excluded.status,
           invited_source = excluded.invited_source, expiry_ms = excluded.expiry_ms,
           created_ms = excluded.created_ms, seen = GREATEST(directory_invitations.seen, excluded.seen)`,
        [
          invitation.invitationId,
          invitation.userId,
          JSON.stringify(invitation),
          searchText([
            ...personName(invitation).search,
            invitation.email,
            digits(invitation.phoneNumber),
            invitation.userId,
            invitation.invitationId,
          ]),
          personName(invitation).sort,
          invitation.status,
          invitation.invitedSource,
          msOf(invitation.expiry),
          msOf(invitation.createdAt),
          seen,
        ],
      );
      touched.add(invitation.userId);
    }
    for (const userId of touched) await deriveUser(q, userId);
  };

  const finishWalk = async (q: PostgresQueryable, generation: number, now: number) => {
    await q.query('DELETE FROM directory_users WHERE seen < $1', [generation]);
    await q.query('DELETE FROM directory_invitations WHERE seen < $1', [generation]);
    // A user's derived columns may name an invitation just removed.
    const stale = await q.query(
      `SELECT user_id FROM directory_users u WHERE inv_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM directory_invitations i WHERE i.invitation_id = u.inv_id)`,
    );
    for (const row of stale.rows) await deriveUser(q, StringSchema.parse(row.user_id));
    await q.query(
      `UPDATE directory_refresh SET phase = 'idle', cursor = NULL, as_of = $1, last_error = NULL, runner = NULL,
         lease_until = NULL WHERE id = 1`,
      [now],
    );
  };

  /**
   * Writes that derive a user's row from their invitations take the refresh row's lock first, so two instances
   * keeping the same person never interleave (and a page of the walk is saved as one).
   */
  const serialized = <T>(work: (q: PostgresQueryable, state: RefreshState) => Promise<T>) =>
    db.transaction(async (q) => work(q, await readState(q, true)));

  return {
    refreshState: () => readState(db),

    beginRefresh: (lease) =>
      serialized(async (q, state) => {
        if (!mayHold(state, lease)) return undefined;
        if (state.phase === 'idle') await setState(q, state.generation + 1, 'users', null);
        await q.query('UPDATE directory_refresh SET runner = $1, lease_until = $2 WHERE id = 1', [
          lease.owner,
          lease.until,
        ]);
        return readState(q);
      }),

    async renewRefresh(owner, until) {
      const renewed = await db.query(
        'UPDATE directory_refresh SET lease_until = $2 WHERE id = 1 AND runner = $1',
        [owner, until],
      );
      return renewed.rowCount === 1;
    },

    savePage: (page, next, now, owner) =>
      serialized(async (q, state) => {
        checkWalker(state, page, owner);
        if ('users' in page) await putUsers(q, page.users, state.generation);
        else await putInvitations(q, page.invitations, state.generation);
        if (next !== null) await setState(q, state.generation, state.phase, next);
        else if (state.phase === 'users') await setState(q, state.generation, 'invitations', null);
        else await finishWalk(q, state.generation, now);
        return readState(q);
      }),

    async restartPhase(owner) {
      await db.query(
        'UPDATE directory_refresh SET cursor = NULL WHERE id = 1 AND ($1::text IS NULL OR runner = $1)',
        [owner ?? null],
      );
    },

    async failRefresh(message, owner) {
      await db.query(
        `UPDATE directory_refresh SET last_error = $1, runner = NULL, lease_until = NULL
         WHERE id = 1 AND ($2::text IS NULL OR runner IS NULL OR runner = $2)`,
        [message, owner ?? null],
      );
    },

    upsertUsers: (users) => serialized((q, state) => putUsers(q, users, state.generation)),

    upsertInvitations: (invitations) =>
      serialized((q, state) => putInvitations(q, invitations, state.generation)),

    removeUser: (userId) =>
      serialized(async (q) => {
        await q.query('DELETE FROM directory_users WHERE user_id = $1', [userId]);
        await q.query('DELETE FROM directory_invitations WHERE user_id = $1', [userId]);
      }),

    removeInvitation: (invitationId) =>
      serialized(async (q) => {
        const removed = await q.query(
          'DELETE FROM directory_invitations WHERE invitation_id = $1 RETURNING user_id',
          [invitationId],
        );
        if (removed.rows[0] !== undefined) await deriveUser(q, StringSchema.parse(removed.rows[0].user_id));
      }),

    async queryPeople(query, now) {
      const c = new Conditions(now);
      addSearch(c, 'u', query.q);
      if (query.role !== undefined) c.add(`u.role IN (${c.list(query.role)})`);
      if (query.level !== undefined) c.add(`u.level = ${c.param(query.level)}`);
      if (query.dashboard !== undefined) c.add(`u.dashboard = ${query.dashboard === 'yes' ? 1 : 0}`);
      if (query.studies !== undefined) c.add(`u.studies = ${query.studies === 'yes' ? 1 : 0}`);
      if (query.status !== undefined)
        c.add(`(${personStatusSql('$1::bigint')}) IN (${c.list(query.status)})`);
      addInvitedBy(c, query.invitedBy, 'u.invited_source');
      addDateRange(c, 'u.invited_ms', query.invitedFrom, query.invitedTo);
      const from = `FROM directory_users u ${ACCESS_JOIN_SQL.replace('X', 'u.user_id')} ${c.sql()}`;
      // $1 (now) is selected too, so its type is known when no status filter uses it.
      const counts = CountsSchema.parse(
        (
          await db.query(
            `SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE u.last_login_ms IS NULL) AS never,
               $1::bigint AS now ${from}`,
            c.values,
          )
        ).rows[0],
      );
      const limit = query.limit ?? DIRECTORY_PAGE_DEFAULT;
      const page = query.page ?? 1;
      const values = [...c.values, limit, (page - 1) * limit];
      const rows = await db.query(
        `SELECT u.record, ${personStatusSql('$1::bigint')} AS status, u.inv_id, u.inv_status, u.inv_expiry,
           u.inv_created_at, u.invited_at, u.invited_source,
           a.invited_operator_id, CASE WHEN a.invited_id IS NULL THEN NULL ELSE ${operatorName('invited', 'io')} END
             AS invited_operator_name,
           a.revoked_at, a.revoked_operator_id, ${operatorName('revoked', 'ro')} AS revoked_operator_name
         ${from} ORDER BY ${PEOPLE_ORDER[query.sort ?? PEOPLE_SORT_DEFAULT]}
         LIMIT $${values.length - 1} OFFSET $${values.length}`,
        values,
      );
      return {
        people: rows.rows.map(personOf),
        total: counts.total,
        neverSignedIn: counts.never ?? 0,
        page,
        limit,
      };
    },

    async queryInvitations(query, now) {
      const c = new Conditions(now);
      addSearch(c, 'i', query.q);
      if (query.state !== undefined)
        c.add(`(${invitationStateSql('$1::bigint')}) IN (${c.list(query.state)})`);
      addInvitedBy(c, query.invitedBy, 'i.invited_source');
      addDateRange(c, 'i.created_ms', query.invitedFrom, query.invitedTo);
      if (query.userId !== undefined) c.add(`i.user_id = ${c.param(query.userId)}`);
      const from = `FROM directory_invitations i ${ACCESS_JOIN_SQL.replace('X', 'i.user_id')} ${c.sql()}`;
      const totalRow = (await db.query(`SELECT COUNT(*) AS total, $1::bigint AS now ${from}`, c.values))
        .rows[0];
      const total = TotalSchema.parse(totalRow).total;
      const limit = query.limit ?? DIRECTORY_PAGE_DEFAULT;
      const page = query.page ?? 1;
      const values = [...c.values, limit, (page - 1) * limit];
      const rows = await db.query(
        `SELECT i.record, ${invitationStateSql('$1::bigint')} AS state, i.invited_source, a.invited_operator_id,
           CASE WHEN a.invited_id IS NULL THEN NULL ELSE ${operatorName('invited', 'io')} END
             AS invited_operator_name
         ${from} ORDER BY ${INVITATION_ORDER[query.sort ?? '-sent']}
         LIMIT $${values.length - 1} OFFSET $${values.length}`,
        values,
      );
      return { invitations: rows.rows.map(invitationOf), total, page, limit };
    },

    async namesOf({ userIds = [], invitationIds = [] }) {
      const names = new Map<string, string>();
      const read = async (sql: string, ids: readonly string[]) => {
        if (ids.length === 0) return;
        for (const raw of (await db.query(sql, [[...new Set(ids)]])).rows) {
          const row = NameRowSchema.parse(raw);
          names.set(row.id, `${row.first} ${row.last}`);
        }
      };
      const columns = `record::json->>'firstName' AS first, record::json->>'lastName' AS last`;
      await read(
        `SELECT user_id AS id, ${columns} FROM directory_users WHERE user_id = ANY($1::text[])`,
        userIds,
      );
      await read(
        `SELECT invitation_id AS id, ${columns} FROM directory_invitations WHERE invitation_id = ANY($1::text[])`,
        invitationIds,
      );
      return names;
    },
  };
}
