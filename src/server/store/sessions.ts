import { hash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { SqliteDatabase } from './sqlite.ts';
import { OPERATOR_COLUMN_COUNT, operatorColumns, operatorFromColumns } from './operators.ts';
import type { OperatorRecord } from './operators.ts';

/** A server-side session. Only the SHA-256 of its id is stored; times are milliseconds since the epoch. */
export interface SessionRecord {
  idHash: string;
  operatorId: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  find(idHash: string): Promise<SessionRecord | undefined>;
  /**
   * The session and its operator, in one lookup (every /api request makes it). A session always has its operator:
   * deleting an operator deletes its sessions (a foreign key).
   */
  findWithOperator(idHash: string): Promise<{ session: SessionRecord; operator: OperatorRecord } | undefined>;
  touch(idHash: string, at: number): Promise<void>;
  revoke(idHash: string): Promise<void>;
  /** End every session of the operator (sign-out everywhere, disable, password change). Returns how many ended. */
  revokeAllFor(operatorId: string): Promise<number>;
  /** Forget sessions past their absolute end or idle since before `idleBefore`. Returns how many. */
  deleteExpired(now: number, idleBefore: number): Promise<number>;
}

/** A new session id: 32 random bytes (256 bits), base64url. Goes to the cookie; never stored as is. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionId(id: string): string {
  // One-shot (a string is hashed as UTF-8): every /api request hashes its cookie.
  return hash('sha256', id, 'hex');
}

const SessionRowSchema = z.object({
  id_hash: z.string(),
  operator_id: z.string(),
  created_at: z.number(),
  last_seen_at: z.number(),
  expires_at: z.number(),
});

/**
 * A session joined with its operator, read as an array (better-sqlite3's `raw()`): the operator's columns
 * (operatorColumns), then these. For the lookup every /api request makes, no object with a property per column is built.
 */
const SessionTimesSchema = z.tuple([z.number(), z.number(), z.number()]); // created_at, last_seen_at, expires_at
const RawRowSchema = z.array(z.unknown());

export function createSqliteSessionStore(db: SqliteDatabase): SessionStore {
  const insert = db.prepare(
    `INSERT INTO sessions (id_hash, operator_id, created_at, last_seen_at, expires_at)
     VALUES (@idHash, @operatorId, @createdAt, @lastSeenAt, @expiresAt)`,
  );
  const byHash = db.prepare('SELECT * FROM sessions WHERE id_hash = ?');
  const withOperator = db
    .prepare(
      `SELECT ${operatorColumns('o')}, s.created_at, s.last_seen_at, s.expires_at
       FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = ?`,
    )
    .raw();
  const touch = db.prepare('UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id_hash = ?');
  const revoke = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const revokeAll = db.prepare('DELETE FROM sessions WHERE operator_id = ?');
  const expired = db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?');

  return {
    async create(session) {
      insert.run(session);
    },
    async find(idHash) {
      const row: unknown = byHash.get(idHash);
      if (row === undefined) return undefined;
      const r = SessionRowSchema.parse(row);
      return {
        idHash: r.id_hash,
        operatorId: r.operator_id,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        expiresAt: r.expires_at,
      };
    },
    async findWithOperator(idHash) {
      const found: unknown = withOperator.get(idHash);
      if (found === undefined) return undefined;
      const row = RawRowSchema.parse(found);
      const operator = operatorFromColumns(row.slice(0, OPERATOR_COLUMN_COUNT));
      const [createdAt, lastSeenAt, expiresAt] = SessionTimesSchema.parse(row.slice(OPERATOR_COLUMN_COUNT));
      return { session: { idHash, operatorId: operator.id, createdAt, lastSeenAt, expiresAt }, operator };
    },
    async touch(idHash, at) {
      touch.run(at, idHash);
    },
    async revoke(idHash) {
      revoke.run(idHash);
    },
    async revokeAllFor(operatorId) {
      return revokeAll.run(operatorId).changes;
    },
    async deleteExpired(now, idleBefore) {
      return expired.run(now, idleBefore).changes;
    },
  };
}
