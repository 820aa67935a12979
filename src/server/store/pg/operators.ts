import * as z from 'zod/mini';
import type { OperatorRole } from '../../../contract/session.ts';
import {
  OperatorExistsError,
  newOperatorId,
  normalizeEmail,
  operatorColumns,
  operatorFromColumns,
  type NewOperator,
  type OperatorRecord,
  type OperatorStore,
} from '../operators.ts';
import type { PostgresDatabase, PostgresQueryable } from './database.ts';

const OPERATOR_COLUMN_NAMES = operatorColumns().split(', ');

/** The operator in a row that selected operatorColumns() (unqualified names). */
export function operatorFromRow(row: Record<string, unknown>): OperatorRecord {
  return operatorFromColumns(OPERATOR_COLUMN_NAMES.map((name) => row[name]));
}

/** The operator the statement selects (its operatorColumns()), if any. */
export async function selectOperator(
  client: PostgresQueryable,
  text: string,
  values: unknown[],
): Promise<OperatorRecord | undefined> {
  const row = (await client.query(text, values)).rows[0];
  return row === undefined ? undefined : operatorFromRow(row);
}

export function isPostgresUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === '23505';
}

/**
 * Taken by every change that creates the first operator or may remove an active Administrator, on any instance: the
 * check and the write then happen one at a time across instances (a transaction-level advisory lock).
 */
export const OPERATORS_LOCK = 0x5641_4f50_4552; // "VAOPER"

const count = z.coerce.number();

export function createPostgresOperatorStore(db: PostgresDatabase): OperatorStore {
  const byIdSql = `SELECT ${operatorColumns()} FROM operators WHERE id = $1`;

  async function insertOne(client: PostgresQueryable, operator: NewOperator): Promise<OperatorRecord> {
    const id = newOperatorId();
    try {
      const created = await selectOperator(
        client,
        `INSERT INTO operators (id, email, display_name, role, password_hash, disabled, must_change_password,
           created_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)
         RETURNING ${operatorColumns()}`,
        [
          id,
          normalizeEmail(operator.email),
          operator.displayName.trim(),
          operator.role,
          operator.passwordHash,
          operator.mustChangePassword ? 1 : 0,
          operator.createdAt,
        ],
      );
      if (!created) throw new Error('The new operator could not be read back.');
      return created;
    } catch (error) {
      if (isPostgresUniqueViolation(error)) throw new OperatorExistsError();
      throw error;
    }
  }

  async function changed(text: string, values: unknown[]): Promise<boolean> {
    return (await db.query(text, values)).rowCount === 1;
  }

  return {
    async count() {
      const result = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM operators');
      return count.parse(result.rows[0]?.n);
    },
    async create(operator) {
      return insertOne(db, operator);
    },
    async createFirst(operator) {
      return db.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [OPERATORS_LOCK]);
        const result = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM operators');
        return count.parse(result.rows[0]?.n) === 0 ? insertOne(client, operator) : undefined;
      });
    },
    async findById(id) {
      return selectOperator(db, byIdSql, [id]);
    },
    async findByEmail(email) {
      return selectOperator(db, `SELECT ${operatorColumns()} FROM operators WHERE email = $1`, [
        normalizeEmail(email),
      ]);
    },
    async list() {
      // Oldest first; operators made in the same millisecond (SQLite: in insertion order) by id, there being no rowid.
      const result = await db.query(`SELECT ${operatorColumns()} FROM operators ORDER BY created_at, id`);
      return result.rows.map(operatorFromRow);
    },
    async setDisabled(id, disabled) {
      return changed('UPDATE operators SET disabled = $1 WHERE id = $2', [disabled ? 1 : 0, id]);
    },
    async setPassword(id, passwordHash, mustChangePassword) {
      return changed('UPDATE operators SET password_hash = $1, must_change_password = $2 WHERE id = $3', [
        passwordHash,
        mustChangePassword ? 1 : 0,
        id,
      ]);
    },
    async setRole(id, role: OperatorRole) {
      return changed('UPDATE operators SET role = $1 WHERE id = $2', [role, id]);
    },
    async guardedChange(id, change) {
      return db.transaction(async (client) => {
        // One change at a time that may take an Administrator away, whichever instance makes it.
        await client.query('SELECT pg_advisory_xact_lock($1)', [OPERATORS_LOCK]);
        const before = await selectOperator(client, byIdSql, [id]);
        if (!before) return { outcome: 'not-found' as const };
        const losesAdministrator =
          before.role === 'administrator' &&
          !before.disabled &&
          ('disabled' in change || change.role !== 'administrator');
        if (losesAdministrator) {
          const others = await client.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM operators
             WHERE role = 'administrator' AND disabled = 0 AND id <> $1`,
            [id],
          );
          if (count.parse(others.rows[0]?.n) === 0) return { outcome: 'last-administrator' as const };
        }
        if ('disabled' in change) await client.query('UPDATE operators SET disabled = 1 WHERE id = $1', [id]);
        else await client.query('UPDATE operators SET role = $1 WHERE id = $2', [change.role, id]);
        return { outcome: 'changed' as const, before };
      });
    },
    async recordSignIn(id, at) {
      await db.query('UPDATE operators SET last_sign_in_at = $1 WHERE id = $2', [at, id]);
    },
  };
}
