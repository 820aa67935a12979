import { NewPasswordSchema } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import type { AuditActor, AuditTrail, PendingAudit } from '../audit/audit-trail.ts';
import type { OperatorRecord, OperatorStore } from '../store/operators.ts';
import { NO_PASSWORD } from '../store/identities.ts';
import type { SessionStore } from '../store/sessions.ts';
import { generatePassword, type PasswordHasher } from './password.ts';

/** Managing operators, shared by the command-line tool and the /api/operators routes. Every change is audited. */

export class OperatorNotFoundError extends Error {
  override readonly name = 'OperatorNotFoundError';
  constructor() {
    super('There is no operator with that email address or id.');
  }
}

export class SelfDisableError extends Error {
  override readonly name = 'SelfDisableError';
  constructor() {
    super('You cannot disable your own account. Ask another operator to do it.');
  }
}

/** The change would leave nobody who can manage operators. */
export class LastAdministratorError extends Error {
  override readonly name = 'LastAdministratorError';
  constructor(change: 'demote' | 'disable') {
    super(
      change === 'demote'
        ? 'This is the last active Administrator: make another operator an Administrator first.'
        : 'You cannot disable the last active Administrator: make another operator an Administrator first.',
    );
  }
}

/** An operator made by single sign-on has no password here: the provider is their only way in. */
export class SingleSignOnOnlyError extends Error {
  override readonly name = 'SingleSignOnOnlyError';
  constructor() {
    super('This operator signs in through single sign-on and has no password here to reset.');
  }
}

export class SelfResetError extends Error {
  override readonly name = 'SelfResetError';
  constructor() {
    super('You cannot reset your own password. Use Change password in the account menu.');
  }
}

export class WeakPasswordError extends Error {
  override readonly name = 'WeakPasswordError';
}

export interface OperatorServiceDeps {
  operators: OperatorStore;
  sessions: SessionStore;
  audit: AuditTrail;
  hasher: PasswordHasher;
  now?: () => number;
}

export interface AddedOperator {
  operator: OperatorRecord;
  /** The first password, shown once. */
  password: string;
  generated: boolean;
}

export interface OperatorService {
  list(): Promise<OperatorRecord[]>;
  find(idOrEmail: string): Promise<OperatorRecord>;
  /**
   * Add an operator. Without a password one is generated. The new operator must choose their own password at first
   * sign-in (whoever added them knows this one). Throws OperatorExistsError for a taken email.
   */
  add(
    input: {
      email: string;
      displayName: string;
      /** Administrator unless given. */
      role?: OperatorRole | undefined;
      password?: string | undefined;
    },
    actor: AuditActor,
  ): Promise<AddedOperator>;
  /** Disabling ends the operator's sessions at once. An operator cannot disable themselves. */
  setDisabled(idOrEmail: string, disabled: boolean, actor: AuditActor): Promise<OperatorRecord>;
  /** Change an operator's role (audited with the role before and after). The last active Administrator stays one. */
  setRole(idOrEmail: string, role: OperatorRole, actor: AuditActor): Promise<OperatorRecord>;
  /**
   * A new (generated unless given) password that must be changed at next sign-in; ends every session. Not for the
   * acting operator's own account (they change their own password, which needs the current one).
   */
  resetPassword(
    idOrEmail: string,
    actor: AuditActor,
    password?: string,
  ): Promise<{ operator: OperatorRecord; password: string }>;
}

function checkPassword(password: string): void {
  const result = NewPasswordSchema.safeParse(password);
  if (!result.success)
    throw new WeakPasswordError(result.error.issues[0]?.message ?? 'Choose a longer password.');
}

/** Run the audited action; when it throws, record the failure before passing the error on. */
async function completing<T>(pending: PendingAudit, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    await pending.complete({ outcome: 'failure', detail: error instanceof Error ? error.message : null });
    throw error;
  }
}

export function createOperatorService(deps: OperatorServiceDeps): OperatorService {
  const now = deps.now ?? (() => Date.now());
  const { operators, sessions, audit, hasher } = deps;

  async function find(idOrEmail: string): Promise<OperatorRecord> {
    const found = idOrEmail.startsWith('opr_')
      ? await operators.findById(idOrEmail)
      : await operators.findByEmail(idOrEmail);
    if (!found) throw new OperatorNotFoundError();
    return found;
  }

  return {
    list: () => operators.list(),
    find,
    async add(input, actor) {
      const generated = input.password === undefined;
      const password = input.password ?? generatePassword();
      checkPassword(password);
      const passwordHash = await hasher.hash(password);
      const pending = await audit.begin({ ...actor, action: 'operator.add', targetEmail: input.email });
      const operator = await completing(pending, () =>
        operators.create({
          email: input.email,
          displayName: input.displayName,
          role: input.role ?? 'administrator',
          passwordHash,
          mustChangePassword: true,
          createdAt: now(),
        }),
      );
      await pending.complete({ outcome: 'success', targetOperatorId: operator.id });
      return { operator, password, generated };
    },
    async setDisabled(idOrEmail, disabled, actor) {
      const target = await find(idOrEmail);
      if (disabled && actor.operatorId === target.id) throw new SelfDisableError();
      const pending = await audit.begin({
        ...actor,
        action: disabled ? 'operator.disable' : 'operator.enable',
        targetOperatorId: target.id,
        targetEmail: target.email,
      });
      const ended = await completing(pending, async () => {
        if (!disabled) await operators.setDisabled(target.id, false);
        else {
          const changed = await operators.guardedChange(target.id, { disabled: true });
          if (changed.outcome === 'not-found') throw new OperatorNotFoundError();
          if (changed.outcome === 'last-administrator') throw new LastAdministratorError('disable');
        }
        return disabled ? sessions.revokeAllFor(target.id) : 0;
      });
      await pending.complete({
        outcome: 'success',
        detail: disabled ? `Ended ${ended} session${ended === 1 ? '' : 's'}.` : null,
      });
      return { ...target, disabled };
    },
    async setRole(idOrEmail, role, actor) {
      const target = await find(idOrEmail);
      const pending = await audit.begin({
        ...actor,
        action: 'operator.role-change',
        targetOperatorId: target.id,
        targetEmail: target.email,
      });
      const changes = [{ field: 'operatorRole', from: target.role, to: role }];
      const changed = await completing(pending, () => operators.guardedChange(target.id, { role }));
      if (changed.outcome !== 'changed') {
        const error =
          changed.outcome === 'not-found'
            ? new OperatorNotFoundError()
            : new LastAdministratorError('demote');
        await pending.complete({ outcome: 'refused', detail: error.message, changes });
        throw error;
      }
      const from = changed.before.role;
      await pending.complete({ outcome: 'success', changes: [{ field: 'operatorRole', from, to: role }] });
      return { ...changed.before, role };
    },
    async resetPassword(idOrEmail, actor, chosen) {
      const target = await find(idOrEmail);
      if (actor.operatorId === target.id) throw new SelfResetError();
      if (target.passwordHash === NO_PASSWORD) throw new SingleSignOnOnlyError();
      const password = chosen ?? generatePassword();
      checkPassword(password);
      const passwordHash = await hasher.hash(password);
      const pending = await audit.begin({
        ...actor,
        action: 'operator.reset-password',
        targetOperatorId: target.id,
        targetEmail: target.email,
      });
      await completing(pending, async () => {
        await operators.setPassword(target.id, passwordHash, true);
        await sessions.revokeAllFor(target.id);
      });
      await pending.complete({ outcome: 'success' });
      return { operator: { ...target, mustChangePassword: true }, password };
    },
  };
}
