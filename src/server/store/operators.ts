import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { OperatorRoleSchema } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import type { SqliteDatabase } from './sqlite.ts';

/** An operator of this dashboard (not an Avara user), as stored. Times are milliseconds since the epoch. */
export interface OperatorRecord {
  id: string;
  email: string;
  displayName: string;
  role: OperatorRole;
  passwordHash: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

export interface NewOperator {
  email: string;
  displayName: string;
  role: OperatorRole;
  passwordHash: string;
  mustChangePassword: boolean;
  createdAt: number;
}

export class OperatorExistsError extends Error {
  override readonly name = 'OperatorExistsError';
  constructor() {
    super('An operator with this email address already exists.');
  }
}

/**
 * Where operators live. Asynchronous on purpose, so a server database can replace SQLite without touching callers.
 * Emails are compared case-insensitively (stored lower-cased).
 */
export interface OperatorStore {
  count(): Promise<number>;
  /** Throws OperatorExistsError when the email is taken. */
  create(operator: NewOperator): Promise<OperatorRecord>;
  /** Create the operator only when there is none at all (bootstrap); undefined when one already exists. */
  createFirst(operator: NewOperator): Promise<OperatorRecord | undefined>;
  findById(id: string): Promise<OperatorRecord | undefined>;
  findByEmail(email: string): Promise<OperatorRecord | undefined>;
  /** All operators, oldest first. */
  list(): Promise<OperatorRecord[]>;
  /** False when there is no such operator. */
  setDisabled(id: string, disabled: boolean): Promise<boolean>;
  setPassword(id: string, passwordHash: string, mustChangePassword: boolean): Promise<boolean>;
  /** False when there is no such operator. */
  setRole(id: string, role: OperatorRole): Promise<boolean>;
  /**
   * Change a role, or disable, unless that leaves no active Administrator: checked and written in one transaction
   * (with PostgreSQL under a lock every instance takes), so two concurrent changes cannot both take the last one away.
   */
  guardedChange(
    id: string,
    change: { role: OperatorRole } | { disabled: true },
  ): Promise<
    { outcome: 'changed'; before: OperatorRecord } | { outcome: 'not-found' | 'last-administrator' }
  >;
  recordSignIn(id: string, at: number): Promise<void>;
}

export function newOperatorId(): string {
  return `opr_${randomBytes(16).toString('hex')}`;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The operators columns every read selects, in this order: rows are read as arrays (better-sqlite3's `raw()`). */
const OPERATOR_COLUMNS = [
  'id',
  'email',
  'display_name',
  'role',
  'password_hash',
  'disabled',
  'must_change_password',
  'created_at',
  'last_sign_in_at',
] as const;
export const OPERATOR_COLUMN_COUNT = OPERATOR_COLUMNS.length;

/** The SELECT list of an operator's columns, qualified with `table` when given (for joins). */
export function operatorColumns(table?: string): string {
  return OPERATOR_COLUMNS.map((column) => (table ? `${table}.${column}` : column)).join(', ');
}

const OperatorColumnsSchema = z.tuple([
  z.string(),
  z.string(),
  z.string(),
  OperatorRoleSchema,
  z.string(),
  z.number(),
  z.number(),
  z.number(),
  z.nullable(z.number()),
]);

/** The record of an operator's columns, read in the order of operatorColumns(). */
export function operatorFromColumns(values: unknown): OperatorRecord {
  const [id, email, displayName, role, passwordHash, disabled, mustChangePassword, createdAt, lastSignInAt] =
    OperatorColumnsSchema.parse(values);
  return {
    id,
    email,
    displayName,
    role,
    passwordHash,
    disabled: disabled === 1,
    mustChangePassword: mustChangePassword === 1,
    createdAt,
    lastSignInAt,
  };
}

function toRecord(row: unknown): OperatorRecord | undefined {
  return row === undefined ? undefined : operatorFromColumns(row);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqliteOperatorStore(db: SqliteDatabase): OperatorStore {
  const insert = db.prepare(
    `INSERT INTO operators (id, email, display_name, role, password_hash, disabled, must_change_password, created_at)
     VALUES (@id, @email, @displayName, @role, @passwordHash, 0, @mustChangePassword, @createdAt)`,
  );
  const byId = db.prepare(`SELECT ${operatorColumns()} FROM operators WHERE id = ?`).raw();
  const byEmail = db.prepare(`SELECT ${operatorColumns()} FROM operators WHERE email = ?`).raw();
  const all = db.prepare(`SELECT ${operatorColumns()} FROM operators ORDER BY created_at, rowid`).raw();
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM operators').pluck();
  const disable = db.prepare('UPDATE operators SET disabled = ? WHERE id = ?');
  const password = db.prepare(
    'UPDATE operators SET password_hash = ?, must_change_password = ? WHERE id = ?',
  );
  const signIn = db.prepare('UPDATE operators SET last_sign_in_at = ? WHERE id = ?');
  const role = db.prepare('UPDATE operators SET role = ? WHERE id = ?');

  function insertOne(operator: NewOperator): OperatorRecord {
    const id = newOperatorId();
    try {
      insert.run({
        id,
        email: normalizeEmail(operator.email),
        displayName: operator.displayName.trim(),
        role: operator.role,
        passwordHash: operator.passwordHash,
        mustChangePassword: operator.mustChangePassword ? 1 : 0,
        createdAt: operator.createdAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new OperatorExistsError();
      throw error;
    }
    const created = toRecord(byId.get(id));
    if (!created) throw new Error('The new operator could not be read back.');
    return created;
  }

  const otherActiveAdministrators = db
    .prepare("SELECT COUNT(*) FROM operators WHERE role = 'administrator' AND disabled = 0 AND id <> ?")
    .pluck();
  const guarded = db.transaction((id: string, change: { role: OperatorRole } | { disabled: true }) => {
    const before = toRecord(byId.get(id));
    if (!before) return { outcome: 'not-found' as const };
    const losesAdministrator =
      before.role === 'administrator' &&
      !before.disabled &&
      ('disabled' in change || change.role !== 'administrator');
    if (losesAdministrator && z.number().parse(otherActiveAdministrators.get(id)) === 0)
      return { outcome: 'last-administrator' as const };
    if ('disabled' in change) disable.run(1, id);
    else role.run(change.role, id);
    return { outcome: 'changed' as const, before };
  });

  const insertIfNone = db.transaction((operator: NewOperator) =>
    z.number().parse(countAll.get()) === 0 ? insertOne(operator) : undefined,
  );

  return {
    async count() {
      return z.number().parse(countAll.get());
    },
    async create(operator) {
      return insertOne(operator);
    },
    async createFirst(operator) {
      return insertIfNone.immediate(operator);
    },
    async findById(id) {
      return toRecord(byId.get(id));
    },
    async findByEmail(email) {
      return toRecord(byEmail.get(normalizeEmail(email)));
    },
    async list() {
      return all.all().flatMap((row) => toRecord(row) ?? []);
    },
    async setDisabled(id, disabled) {
      return disable.run(disabled ? 1 : 0, id).changes === 1;
    },
    async setPassword(id, passwordHash, mustChangePassword) {
      return password.run(passwordHash, mustChangePassword ? 1 : 0, id).changes === 1;
    },
    async setRole(id, next) {
      return role.run(next, id).changes === 1;
    },
    async guardedChange(id, change) {
      return guarded.immediate(id, change);
    },
    async recordSignIn(id, at) {
      signIn.run(at, id);
    },
  };
}
