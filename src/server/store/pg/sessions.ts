import * as z from 'zod/mini';
import { operatorColumns } from '../operators.ts';
import type { SessionRecord, SessionStore } from '../sessions.ts';
import type { PostgresDatabase } from './database.ts';
import { operatorFromRow } from './operators.ts';

const SessionRowSchema = z.object({
  id_hash: z.string(),
  operator_id: z.string(),
  created_at: z.number(),
  last_seen_at: z.number(),
  expires_at: z.number(),
});

function toSession(row: unknown): SessionRecord {
  const r = SessionRowSchema.parse(row);
  return {
    idHash: r.id_hash,
    operatorId: r.operator_id,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
  };
}

/** The sessions in PostgreSQL: every instance reads them at each request, so a sign-out anywhere ends them everywhere. */
export function createPostgresSessionStore(db: PostgresDatabase): SessionStore {
  return {
    async create(session) {
      await db.query(
        `INSERT INTO sessions (id_hash, operator_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [session.idHash, session.operatorId, session.createdAt, session.lastSeenAt, session.expiresAt],
      );
    },
    async find(idHash) {
      const row = (await db.query('SELECT * FROM sessions WHERE id_hash = $1', [idHash])).rows[0];
      return row === undefined ? undefined : toSession(row);
    },
    async findWithOperator(idHash) {
      const row = (
        await db.query(
          `SELECT ${operatorColumns('o')}, s.id_hash, s.operator_id, s.created_at AS s_created_at,
             s.last_seen_at, s.expires_at
           FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = $1`,
          [idHash],
        )
      ).rows[0];
      if (row === undefined) return undefined;
      return {
        session: toSession({ ...row, created_at: row.s_created_at }),
        operator: operatorFromRow(row),
      };
    },
    async touch(idHash, at) {
      await db.query('UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id_hash = $2', [
        at,
        idHash,
      ]);
    },
    async revoke(idHash) {
      await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
    },
    async revokeAllFor(operatorId) {
      return (await db.query('DELETE FROM sessions WHERE operator_id = $1', [operatorId])).rowCount ?? 0;
    },
    async deleteExpired(now, idleBefore) {
      return (
        (
          await db.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2', [
            now,
            idleBefore,
          ])
        ).rowCount ?? 0
      );
    },
  };
}
