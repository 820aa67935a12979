import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { SqliteDatabase } from './database.ts';

/** An operator of this dashboard (not an Avara user), as stored. Times are milliseconds since the epoch. */
export interface OperatorRecord {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

export interface NewOperator {
  email: string;
  displayName: string;
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
  recordSignIn(id: string, at: number): Promise<void>;
}

export function newOperatorId(): string {
  return `opr_${randomBytes(16).toString('hex')}`;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const OperatorRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  display_name: z.string(),
  password_hash: z.string(),
  disabled: z.number(),
  must_change_password: z.number(),
  created_at: z.number(),
  last_sign_in_at: z.nullable(z.number()),
});

function toRecord(row: unknown): OperatorRecord | undefined {
  if (row === undefined) return undefined;
  const r = OperatorRowSchema.parse(row);
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    mustChangePassword: r.must_change_password === 1,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqliteOperatorStore(db: SqliteDatabase): OperatorStore {
  const insert = db.prepare(
    `INSERT INTO operators (id, email, display_name, password_hash, disabled, must_change_password, created_at)
     VALUES (@id, @email, @displayName, @passwordHash, 0, @mustChangePassword, @createdAt)`,
  );
  const byId = db.prepare('SELECT * FROM operators WHERE id = ?');
  const byEmail = db.prepare('SELECT * FROM operators WHERE email = ?');
  const all = db.prepare('SELECT * FROM operators ORDER BY created_at, rowid');
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM operators').pluck();
  const disable = db.prepare('UPDATE operators SET disabled = ? WHERE id = ?');
  const password = db.prepare(
    'UPDATE operators SET password_hash = ?, must_change_password = ? WHERE id = ?',
  );
  const signIn = db.prepare('UPDATE operators SET last_sign_in_at = ? WHERE id = ?');

  function insertOne(operator: NewOperator): OperatorRecord {
    const id = newOperatorId();
    try {
      insert.run({
        id,
        email: normalizeEmail(operator.email),
        displayName: operator.displayName.trim(),
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
    async recordSignIn(id, at) {
      signIn.run(at, id);
    },
  };
}
