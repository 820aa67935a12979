import * as z from 'zod/mini';
import { NO_PASSWORD, type IdentityStore } from '../identities.ts';
import { OperatorExistsError, newOperatorId, normalizeEmail, operatorColumns } from '../operators.ts';
import type { PostgresDatabase } from './database.ts';
import { OPERATORS_LOCK, isPostgresUniqueViolation, selectOperator } from './operators.ts';

const count = z.coerce.number();

/** Operators' identities at an OpenID provider, in PostgreSQL (see IdentityStore). */
export function createPostgresIdentityStore(db: PostgresDatabase): IdentityStore {
  const byIdSql = `SELECT ${operatorColumns()} FROM operators WHERE id = $1`;
  const insertIdentity =
    'INSERT INTO operator_identities (issuer, subject, operator_id, created_at) VALUES ($1, $2, $3, $4)';

  return {
    async find(issuer, subject) {
      return selectOperator(
        db,
        `SELECT ${operatorColumns('o')} FROM operator_identities i JOIN operators o ON o.id = i.operator_id
         WHERE i.issuer = $1 AND i.subject = $2`,
        [issuer, subject],
      );
    },
    async link(issuer, subject, operatorId, at) {
      return db.transaction(async (client) => {
        // The operator's row locked: two links of one operator at once are decided one after the other.
        await client.query('SELECT 1 FROM operators WHERE id = $1 FOR UPDATE', [operatorId]);
        const linked = await client.query('SELECT 1 FROM operator_identities WHERE operator_id = $1', [
          operatorId,
        ]);
        if (linked.rowCount !== 0) return 'already-linked' as const;
        await client.query(insertIdentity, [issuer, subject, operatorId, at]);
        const retired = await client.query(
          `UPDATE operators SET password_hash = '${NO_PASSWORD}', must_change_password = 0
           WHERE id = $1 AND must_change_password = 1`,
          [operatorId],
        );
        return retired.rowCount === 1 ? ('password-retired' as const) : ('linked' as const);
      });
    },
    async create(issuer, subject, profile, at) {
      try {
        return await db.transaction(async (client) => {
          // Whether this is the first operator ever is decided one instance at a time (as createFirst).
          await client.query('SELECT pg_advisory_xact_lock($1)', [OPERATORS_LOCK]);
          const first =
            count.parse((await client.query('SELECT COUNT(*) AS n FROM operators')).rows[0]?.n) === 0;
          const id = newOperatorId();
          await client.query(
            `INSERT INTO operators (id, email, display_name, role, password_hash, disabled, must_change_password,
               created_at)
             VALUES ($1, $2, $3, $4, '${NO_PASSWORD}', 0, 0, $5)`,
            [
              id,
              normalizeEmail(profile.email),
              profile.displayName.trim(),
              first ? 'administrator' : profile.role,
              at,
            ],
          );
          await client.query(insertIdentity, [issuer, subject, id, at]);
          const operator = await selectOperator(client, byIdSql, [id]);
          if (!operator) throw new Error('The new operator could not be read back.');
          return { operator, first };
        });
      } catch (error) {
        if (isPostgresUniqueViolation(error)) throw new OperatorExistsError();
        throw error;
      }
    },
    async update(operatorId, profile) {
      try {
        await db.query('UPDATE operators SET email = $1, display_name = $2, role = $3 WHERE id = $4', [
          normalizeEmail(profile.email),
          profile.displayName.trim(),
          profile.role,
          operatorId,
        ]);
      } catch (error) {
        if (isPostgresUniqueViolation(error)) throw new OperatorExistsError();
        throw error;
      }
      return selectOperator(db, byIdSql, [operatorId]);
    },
  };
}
