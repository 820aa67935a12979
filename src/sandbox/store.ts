import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { CursorPosition } from './cursor.ts';

/** The fields a user and their invitation share (and that an update may change). */
export interface PersonFields {
  firstName: string;
  middleName: string | null;
  lastName: string;
  suffix1: string | null;
  suffix2: string | null;
  phoneNumber: string | null;
  clinicRole: string;
  level: string;
  hasDashboardAccess: boolean;
  canManageStudies: boolean;
}

export interface StoredUser extends PersonFields {
  seq: number;
  userId: string;
  email: string;
  invitedSource: string;
  /** The sort key; on the wire only when `timesRecorded`. */
  createdAt: string;
  lastLoginAt: string | null;
  /** Access revoked (data kept). Not part of the wire object. */
  deactivated: boolean;
  /** False for a record whose times the upstream never recorded (its createdAt is `null` on the wire). */
  timesRecorded: boolean;
}

export interface StoredInvitation extends PersonFields {
  seq: number;
  invitationId: string;
  userId: string;
  clinicId: string;
  email: string;
  invitedSource: string;
  inviterId: string | null;
  invitedByApiKeyId: string | null;
  status: string;
  expiry: string | null;
  /** The sort key; on the wire only when `timesRecorded`. */
  createdAt: string;
  updatedAt: string;
  /** False for a record whose times the upstream never recorded (createdAt and updatedAt `null` on the wire). */
  timesRecorded: boolean;
}

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  userId: string;
  invitationId: string;
  createdAt: string;
}

export interface UserFilters {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  level?: string | undefined;
  invitedSource?: string | undefined;
}

export interface InvitationFilters {
  status?: readonly string[] | undefined;
  expired?: 'all' | 'expired' | 'not-expired' | undefined;
  /** Inclusive lower bound on createdAt (ISO instant). */
  createdFrom?: string | undefined;
  /** Exclusive upper bound on createdAt (ISO instant). */
  createdBefore?: string | undefined;
  userId?: string | undefined;
  /** The instant "expired" is judged against. */
  now: string;
}

export interface Page<T> {
  rows: T[];
  hasMore: boolean;
}

type Flag = 0 | 1;
type Row<T> = Omit<T, 'hasDashboardAccess' | 'canManageStudies' | 'deactivated' | 'timesRecorded'> & {
  hasDashboardAccess: Flag;
  canManageStudies: Flag;
  timesRecorded: Flag;
};
type UserRow = Row<StoredUser> & { deactivated: Flag };
type InvitationRow = Row<StoredInvitation>;
type OutboxRow = Omit<OutboxMessage, 'to'> & { toAddress: string };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  userId TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  emailKey TEXT NOT NULL UNIQUE,
  firstName TEXT NOT NULL,
  middleName TEXT,
  lastName TEXT NOT NULL,
  suffix1 TEXT,
  suffix2 TEXT,
  phoneNumber TEXT,
  clinicRole TEXT NOT NULL,
  level TEXT NOT NULL,
  hasDashboardAccess INTEGER NOT NULL,
  canManageStudies INTEGER NOT NULL,
  invitedSource TEXT NOT NULL,
  createdAt TEXT NOT NULL,
  lastLoginAt TEXT,
  deactivated INTEGER NOT NULL DEFAULT 0,
  timesRecorded INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS users_newest ON users (createdAt DESC, seq DESC);
CREATE TABLE IF NOT EXISTS invitations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  invitationId TEXT NOT NULL UNIQUE,
  userId TEXT NOT NULL REFERENCES users (userId),
  clinicId TEXT NOT NULL,
  email TEXT NOT NULL,
  firstName TEXT NOT NULL,
  middleName TEXT,
  lastName TEXT NOT NULL,
  suffix1 TEXT,
  suffix2 TEXT,
  phoneNumber TEXT,
  clinicRole TEXT NOT NULL,
  level TEXT NOT NULL,
  hasDashboardAccess INTEGER NOT NULL,
  canManageStudies INTEGER NOT NULL,
  invitedSource TEXT NOT NULL,
  inviterId TEXT,
  invitedByApiKeyId TEXT,
  status TEXT NOT NULL,
  expiry TEXT,
  createdAt TEXT NOT NULL,
  updatedAt TEXT NOT NULL,
  timesRecorded INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS invitations_newest ON invitations (createdAt DESC, seq DESC);
CREATE INDEX IF NOT EXISTS invitations_user ON invitations (userId);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  toAddress TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  userId TEXT NOT NULL,
  invitationId TEXT NOT NULL,
  createdAt TEXT NOT NULL
);
`;

const USER_COLUMNS = `seq, userId, email, firstName, middleName, lastName, suffix1, suffix2, phoneNumber, clinicRole,
  level, hasDashboardAccess, canManageStudies, invitedSource, createdAt, lastLoginAt, deactivated, timesRecorded`;
const INVITATION_COLUMNS = `seq, invitationId, userId, clinicId, email, firstName, middleName, lastName, suffix1,
  suffix2, phoneNumber, clinicRole, level, hasDashboardAccess, canManageStudies, invitedSource, inviterId,
  invitedByApiKeyId, status, expiry, createdAt, updatedAt, timesRecorded`;

const flag = (value: boolean): Flag => (value ? 1 : 0);

function personParams(fields: PersonFields) {
  return {
    firstName: fields.firstName,
    middleName: fields.middleName,
    lastName: fields.lastName,
    suffix1: fields.suffix1,
    suffix2: fields.suffix2,
    phoneNumber: fields.phoneNumber,
    clinicRole: fields.clinicRole,
    level: fields.level,
    hasDashboardAccess: flag(fields.hasDashboardAccess),
    canManageStudies: flag(fields.canManageStudies),
  };
}

function toUser(row: UserRow): StoredUser {
  return {
    ...row,
    hasDashboardAccess: row.hasDashboardAccess === 1,
    canManageStudies: row.canManageStudies === 1,
    deactivated: row.deactivated === 1,
    timesRecorded: row.timesRecorded === 1,
  };
}

function toInvitation(row: InvitationRow): StoredInvitation {
  return {
    ...row,
    hasDashboardAccess: row.hasDashboardAccess === 1,
    canManageStudies: row.canManageStudies === 1,
    timesRecorded: row.timesRecorded === 1,
  };
}

/** Columns added after the first release, for a data directory made before them. */
const ADDED_COLUMNS = [
  ['users', 'timesRecorded', 'INTEGER NOT NULL DEFAULT 1'],
  ['invitations', 'timesRecorded', 'INTEGER NOT NULL DEFAULT 1'],
] as const;

/** Times always recorded unless said otherwise (only the seed says otherwise). */
type Inserted<T> = Omit<T, 'seq' | 'deactivated' | 'timesRecorded'> & { timesRecorded?: boolean };

/** Lower-cased text for case-insensitive matching (SQLite's own lower() only folds ASCII). */
export function foldCase(text: string): string {
  return text.toLocaleLowerCase('en-US');
}

/** Keyset condition for "rows after this cursor" in newest-first order. */
function afterCursor(after: CursorPosition | undefined, where: string[], params: unknown[]) {
  if (!after) return;
  // The plain `createdAt <= ?` bound lets SQLite seek in the index instead of scanning from the top on every page.
  where.push('createdAt <= ? AND (createdAt < ? OR seq < ?)');
  params.push(after.createdAt, after.createdAt, after.seq);
}

/** The sandbox's SQLite database (WAL): users, invitations, the outbox and a little metadata. Synchronous. */
export class SandboxStore {
  readonly clinicId: string;
  readonly apiKeyId: string;
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'sandbox.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.function('casefold', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? foldCase(value) : null,
    );
    this.db.exec(SCHEMA);
    for (const [table, column, definition] of ADDED_COLUMNS) {
      const columns = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
      if (!columns.some((c) => c.name === column)) {
        this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
    this.clinicId = this.metaOrInit('clinicId', () => randomUUID());
    this.apiKeyId = this.metaOrInit('apiKeyId', () => `key_${randomBytes(12).toString('hex')}`);
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  private metaOrInit(key: string, create: () => string): string {
    const existing = this.getMeta(key);
    if (existing !== undefined) return existing;
    const value = create();
    this.setMeta(key, value);
    return value;
  }

  countUsers(): number {
    const row = this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users').get();
    return row?.n ?? 0;
  }

  // ---- users ---------------------------------------------------------------------------------------------------

  insertUser(user: Inserted<StoredUser>): StoredUser {
    this.db
      .prepare(
        `INSERT INTO users (userId, email, emailKey, firstName, middleName, lastName, suffix1, suffix2, phoneNumber,
           clinicRole, level, hasDashboardAccess, canManageStudies, invitedSource, createdAt, lastLoginAt, timesRecorded)
         VALUES (@userId, @email, @emailKey, @firstName, @middleName, @lastName, @suffix1, @suffix2, @phoneNumber,
           @clinicRole, @level, @hasDashboardAccess, @canManageStudies, @invitedSource, @createdAt, @lastLoginAt,
           @timesRecorded)`,
      )
      .run({
        ...personParams(user),
        userId: user.userId,
        email: user.email,
        emailKey: foldCase(user.email),
        invitedSource: user.invitedSource,
        createdAt: user.createdAt,
        lastLoginAt: user.lastLoginAt,
        timesRecorded: flag(user.timesRecorded ?? true),
      });
    const stored = this.findUser(user.userId);
    if (!stored) throw new Error('The user just inserted cannot be read back.');
    return stored;
  }

  findUser(userId: string): StoredUser | undefined {
    const row = this.db
      .prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE userId = ?`)
      .get(userId);
    return row ? toUser(row) : undefined;
  }

  findUserByEmail(email: string): StoredUser | undefined {
    const row = this.db
      .prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE emailKey = ?`)
      .get(foldCase(email));
    return row ? toUser(row) : undefined;
  }

  updateUserFields(userId: string, fields: PersonFields): void {
    this.db
      .prepare(
        `UPDATE users SET firstName = @firstName, middleName = @middleName, lastName = @lastName,
           suffix1 = @suffix1, suffix2 = @suffix2, phoneNumber = @phoneNumber, clinicRole = @clinicRole,
           level = @level, hasDashboardAccess = @hasDashboardAccess, canManageStudies = @canManageStudies
         WHERE userId = @userId`,
      )
      .run({ ...personParams(fields), userId });
  }

  setDeactivated(userId: string, deactivated: boolean): void {
    this.db.prepare('UPDATE users SET deactivated = ? WHERE userId = ?').run(flag(deactivated), userId);
  }

  setLastLogin(userId: string, at: string): void {
    this.db.prepare('UPDATE users SET lastLoginAt = ? WHERE userId = ?').run(at, userId);
  }

  listUsers(filters: UserFilters, after: CursorPosition | undefined, limit: number): Page<StoredUser> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filters.email !== undefined) {
      where.push('emailKey = ?');
      params.push(foldCase(filters.email));
    }
    if (filters.firstName !== undefined) {
      where.push('instr(casefold(firstName), ?) > 0');
      params.push(foldCase(filters.firstName));
    }
    if (filters.lastName !== undefined) {
      where.push('instr(casefold(lastName), ?) > 0');
      params.push(foldCase(filters.lastName));
    }
    if (filters.level !== undefined) {
      where.push('level = ?');
      params.push(filters.level);
    }
    if (filters.invitedSource !== undefined) {
      where.push('invitedSource = ?');
      params.push(filters.invitedSource);
    }
    afterCursor(after, where, params);
    const rows = this.db
      .prepare<unknown[], UserRow>(
        `SELECT ${USER_COLUMNS} FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY createdAt DESC, seq DESC LIMIT ?`,
      )
      .all(...params, limit + 1);
    return { rows: rows.slice(0, limit).map(toUser), hasMore: rows.length > limit };
  }

  // ---- invitations ---------------------------------------------------------------------------------------------

  insertInvitation(invitation: Inserted<StoredInvitation>): StoredInvitation {
    this.db
      .prepare(
        `INSERT INTO invitations (invitationId, userId, clinicId, email, firstName, middleName, lastName, suffix1,
           suffix2, phoneNumber, clinicRole, level, hasDashboardAccess, canManageStudies, invitedSource, inviterId,
           invitedByApiKeyId, status, expiry, createdAt, updatedAt, timesRecorded)
         VALUES (@invitationId, @userId, @clinicId, @email, @firstName, @middleName, @lastName, @suffix1,
           @suffix2, @phoneNumber, @clinicRole, @level, @hasDashboardAccess, @canManageStudies, @invitedSource,
           @inviterId, @invitedByApiKeyId, @status, @expiry, @createdAt, @updatedAt, @timesRecorded)`,
      )
      .run({
        ...personParams(invitation),
        invitationId: invitation.invitationId,
        userId: invitation.userId,
        clinicId: invitation.clinicId,
        email: invitation.email,
        invitedSource: invitation.invitedSource,
        inviterId: invitation.inviterId,
        invitedByApiKeyId: invitation.invitedByApiKeyId,
        status: invitation.status,
        expiry: invitation.expiry,
        createdAt: invitation.createdAt,
        updatedAt: invitation.updatedAt,
        timesRecorded: flag(invitation.timesRecorded ?? true),
      });
    const stored = this.findInvitation(invitation.invitationId);
    if (!stored) throw new Error('The invitation just inserted cannot be read back.');
    return stored;
  }

  findInvitation(invitationId: string): StoredInvitation | undefined {
    const row = this.db
      .prepare<[string], InvitationRow>(
        `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE invitationId = ?`,
      )
      .get(invitationId);
    return row ? toInvitation(row) : undefined;
  }

  /** The user's most recent invitation (a user normally has exactly one). */
  latestInvitationOf(userId: string): StoredInvitation | undefined {
    const row = this.db
      .prepare<[string], InvitationRow>(
        `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE userId = ? ORDER BY createdAt DESC, seq DESC LIMIT 1`,
      )
      .get(userId);
    return row ? toInvitation(row) : undefined;
  }

  updateInvitationFields(invitationId: string, fields: PersonFields, updatedAt: string): void {
    this.db
      .prepare(
        `UPDATE invitations SET firstName = @firstName, middleName = @middleName, lastName = @lastName,
           suffix1 = @suffix1, suffix2 = @suffix2, phoneNumber = @phoneNumber, clinicRole = @clinicRole,
           level = @level, hasDashboardAccess = @hasDashboardAccess, canManageStudies = @canManageStudies,
           updatedAt = @updatedAt
         WHERE invitationId = @invitationId`,
      )
      .run({ ...personParams(fields), invitationId, updatedAt });
  }

  setInvitationStatus(invitationId: string, status: string, updatedAt: string): void {
    this.db
      .prepare('UPDATE invitations SET status = ?, updatedAt = ? WHERE invitationId = ?')
      .run(status, updatedAt, invitationId);
  }

  listInvitations(
    filters: InvitationFilters,
    after: CursorPosition | undefined,
    limit: number,
  ): Page<StoredInvitation> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filters.status !== undefined && filters.status.length > 0) {
      where.push(`status IN (${filters.status.map(() => '?').join(', ')})`);
      params.push(...filters.status);
    }
    const expiredSql = "(status = 'sent' AND expiry IS NOT NULL AND expiry < ?)";
    if (filters.expired === 'expired') {
      where.push(expiredSql);
      params.push(filters.now);
    } else if (filters.expired === 'not-expired') {
      where.push(`NOT ${expiredSql}`);
      params.push(filters.now);
    }
    // An invitation without a recorded creation time is in no date range.
    if (filters.createdFrom !== undefined || filters.createdBefore !== undefined)
      where.push('timesRecorded = 1');
    if (filters.createdFrom !== undefined) {
      where.push('createdAt >= ?');
      params.push(filters.createdFrom);
    }
    if (filters.createdBefore !== undefined) {
      where.push('createdAt < ?');
      params.push(filters.createdBefore);
    }
    if (filters.userId !== undefined) {
      where.push('userId = ?');
      params.push(filters.userId);
    }
    afterCursor(after, where, params);
    const rows = this.db
      .prepare<unknown[], InvitationRow>(
        `SELECT ${INVITATION_COLUMNS} FROM invitations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY createdAt DESC, seq DESC LIMIT ?`,
      )
      .all(...params, limit + 1);
    return { rows: rows.slice(0, limit).map(toInvitation), hasMore: rows.length > limit };
  }

  // ---- outbox --------------------------------------------------------------------------------------------------

  insertOutbox(message: OutboxMessage): void {
    this.db
      .prepare(
        `INSERT INTO outbox (id, toAddress, subject, text, userId, invitationId, createdAt)
         VALUES (@id, @toAddress, @subject, @text, @userId, @invitationId, @createdAt)`,
      )
      .run({
        id: message.id,
        toAddress: message.to,
        subject: message.subject,
        text: message.text,
        userId: message.userId,
        invitationId: message.invitationId,
        createdAt: message.createdAt,
      });
  }

  /** Newest first. */
  listOutbox(): OutboxMessage[] {
    return this.db
      .prepare<[], OutboxRow>(
        `SELECT id, toAddress, subject, text, userId, invitationId, createdAt FROM outbox
         ORDER BY createdAt DESC, seq DESC`,
      )
      .all()
      .map(({ toAddress, ...rest }) => ({ ...rest, to: toAddress }));
  }

  clearOutbox(): void {
    this.db.prepare('DELETE FROM outbox').run();
  }
}
