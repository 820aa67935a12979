import * as z from 'zod/mini';
import type { OperatorRole } from '../../contract/session.ts';
import {
  OperatorExistsError,
  newOperatorId,
  normalizeEmail,
  operatorColumns,
  operatorFromColumns,
  type OperatorRecord,
} from './operators.ts';
import type { SqliteDatabase } from './sqlite.ts';

/** What single sign-on knows of an operator at each sign-in: from the provider's verified claims. */
export interface IdentityProfile {
  email: string;
  displayName: string;
  role: OperatorRole;
}

/** Placeholder in password_hash for an operator created by single sign-on: no password ever matches it. */
export const NO_PASSWORD = 'sso:no-password';

/**
 * Operators' identities at an OpenID provider (issuer + subject), and the changes single sign-on makes to operators:
 * created just in time, brought up to date from the claims at each sign-in. Kept apart from the operator store so
 * password sign-in is untouched.
 */
export interface IdentityStore {
  /** The operator this identity signs in as, if linked. */
  find(issuer: string, subject: string): Promise<OperatorRecord | undefined>;
  /**
   * Link an existing operator to this identity (an identity links once; an operator may have several). A password
   * they were still to replace (chosen by whoever added or reset them) stops working: the provider vouches for them
   * now, and nobody else should hold a way in. An operator already linked to another identity is not linked again
   * (one person, one identity).
   */
  link(
    issuer: string,
    subject: string,
    operatorId: string,
    at: number,
  ): Promise<'linked' | 'password-retired' | 'already-linked'>;
  /**
   * Create an operator for this identity (the first operator ever is an Administrator whatever `profile.role`
   * says). Throws OperatorExistsError when the e-mail is taken.
   */
  create(
    issuer: string,
    subject: string,
    profile: IdentityProfile,
    at: number,
  ): Promise<{ operator: OperatorRecord; first: boolean }>;
  /** Name, e-mail and role from the claims. Throws OperatorExistsError when the e-mail is another operator's. */
  update(operatorId: string, profile: IdentityProfile): Promise<OperatorRecord | undefined>;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqliteIdentityStore(db: SqliteDatabase): IdentityStore {
  const byIdentity = db
    .prepare(
      `SELECT ${operatorColumns('o')} FROM operator_identities i JOIN operators o ON o.id = i.operator_id
       WHERE i.issuer = ? AND i.subject = ?`,
    )
    .raw();
  const byId = db.prepare(`SELECT ${operatorColumns()} FROM operators WHERE id = ?`).raw();
  const insertIdentity = db.prepare(
    'INSERT INTO operator_identities (issuer, subject, operator_id, created_at) VALUES (?, ?, ?, ?)',
  );
  const countAll = db.prepare('SELECT COUNT(*) FROM operators').pluck();
  const retireGivenPassword = db.prepare(
    `UPDATE operators SET password_hash = '${NO_PASSWORD}', must_change_password = 0
     WHERE id = ? AND must_change_password = 1`,
  );
  const identityOf = db.prepare('SELECT 1 FROM operator_identities WHERE operator_id = ?').pluck();
  const linkBoth = db.transaction((issuer: string, subject: string, operatorId: string, at: number) => {
    if (identityOf.get(operatorId) !== undefined) return 'already-linked' as const;
    insertIdentity.run(issuer, subject, operatorId, at);
    return retireGivenPassword.run(operatorId).changes === 1
      ? ('password-retired' as const)
      : ('linked' as const);
  });
  const insertOperator = db.prepare(
    `INSERT INTO operators (id, email, display_name, role, password_hash, disabled, must_change_password, created_at)
     VALUES (@id, @email, @displayName, @role, '${NO_PASSWORD}', 0, 0, @createdAt)`,
  );
  const updateOperator = db.prepare(
    'UPDATE operators SET email = @email, display_name = @displayName, role = @role WHERE id = @id',
  );
  const read = (row: unknown) => (row === undefined ? undefined : operatorFromColumns(row));

  const createBoth = db.transaction(
    (issuer: string, subject: string, profile: IdentityProfile, at: number) => {
      const first = z.number().parse(countAll.get()) === 0;
      const id = newOperatorId();
      insertOperator.run({
        id,
        email: normalizeEmail(profile.email),
        displayName: profile.displayName.trim(),
        role: first ? 'administrator' : profile.role,
        createdAt: at,
      });
      insertIdentity.run(issuer, subject, id, at);
      const operator = read(byId.get(id));
      if (!operator) throw new Error('The new operator could not be read back.');
      return { operator, first };
    },
  );

  return {
    async find(issuer, subject) {
      return read(byIdentity.get(issuer, subject));
    },
    async link(issuer, subject, operatorId, at) {
      return linkBoth.immediate(issuer, subject, operatorId, at);
    },
    async create(issuer, subject, profile, at) {
      try {
        return createBoth.immediate(issuer, subject, profile, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw new OperatorExistsError();
        throw error;
      }
    },
    async update(operatorId, profile) {
      try {
        updateOperator.run({
          id: operatorId,
          email: normalizeEmail(profile.email),
          displayName: profile.displayName.trim(),
          role: profile.role,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new OperatorExistsError();
        throw error;
      }
      return read(byId.get(operatorId));
    },
  };
}
