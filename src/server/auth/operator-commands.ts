import { parseArgs } from 'node:util';
import { DisplayNameSchema } from '../../contract/operators.ts';
import { EmailSchema } from '../../contract/person.ts';
import type { AuditActor } from '../audit/audit-trail.ts';
import { AuditUnavailableError } from '../audit/audit-trail.ts';
import { OperatorExistsError, type OperatorRecord } from '../store/operators.ts';
import { OperatorRoleSchema, ROLE_LABELS } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import {
  LastAdministratorError,
  OperatorNotFoundError,
  WeakPasswordError,
  type OperatorService,
} from './operator-service.ts';

/** The operator command-line tool's logic (`npm run operator -- …`), separate from process wiring so it is testable. */

export const OPERATOR_USAGE = `Manage the operators who may sign in to Viewer Admin.

Usage: npm run operator -- <command> [arguments]

  add <email> [--name "Display Name"] [--role viewer|inviter|administrator]
                                        add an operator (an Administrator unless --role says otherwise);
                                        prompts for a password (empty: generate one)
  set-role <email> <role>               change an operator's role: viewer, inviter or administrator
  disable <email>                       disable an operator and end their sessions at once
  enable <email>                        enable a disabled operator
  reset-password <email>                set a new password (prompted or generated) that must be changed at sign-in
  list                                  list operators

Passwords are printed once and never stored in clear. Uses DATA_DIR (default ./.data).`;

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Ask for a password without echoing it; undefined when there is no terminal (a password is then generated). */
  promptPassword?: (question: string) => Promise<string>;
}

/** What the audit trail records as the actor for command-line changes. */
export const CLI_ACTOR: AuditActor = { operatorId: null, operatorEmail: null, requestId: 'command-line' };

function formatTime(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

function status(operator: OperatorRecord): string {
  if (operator.disabled) return 'disabled';
  return operator.mustChangePassword ? 'must change password' : 'active';
}

async function choosePassword(io: CommandIo, email: string): Promise<string | undefined> {
  if (!io.promptPassword) return undefined;
  const first = await io.promptPassword(`New password for ${email} (leave empty to generate one): `);
  if (first === '') return undefined;
  const again = await io.promptPassword('Type it again: ');
  if (again !== first)
    throw new WeakPasswordError('The two passwords are not the same. Nothing was changed.');
  return first;
}

function parseEmail(raw: string | undefined): string {
  const result = EmailSchema.safeParse(raw ?? '');
  if (!result.success) throw new UsageError(result.error.issues[0]?.message ?? 'Enter an email address.');
  return result.data;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseRole(raw: string | undefined): OperatorRole {
  const result = OperatorRoleSchema.safeParse(raw ?? '');
  if (!result.success) throw new UsageError('Choose a role: viewer, inviter or administrator.');
  return result.data;
}

/** Run one command. Returns the process exit code (0 success, 1 failure, 2 usage error). */
export async function runOperatorCommand(
  argv: readonly string[],
  service: OperatorService,
  io: CommandIo,
): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, target, ...rest] = positionals;
    // set-role takes the role as a second argument; no other command takes one.
    const [roleArgument, ...extra] = command === 'set-role' ? rest : [undefined, ...rest];
    if (values.help || command === undefined || command === 'help') {
      io.out(OPERATOR_USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    if (extra.length > 0) throw new UsageError(`Unexpected argument: ${extra.join(' ')}`);
    if (values.name !== undefined && command !== 'add') throw new UsageError('--name goes with add only.');
    if (values.role !== undefined && command !== 'add') throw new UsageError('--role goes with add only.');

    switch (command) {
      case 'list': {
        if (target !== undefined) throw new UsageError('list takes no arguments.');
        const operators = await service.list();
        if (operators.length === 0)
          io.out('No operators yet. The server creates the first one when it starts.');
        for (const o of operators) {
          io.out(
            `${o.email}\t${o.displayName}\t${status(o)}\tcreated ${formatTime(o.createdAt)}\tlast sign-in ${formatTime(o.lastSignInAt)}\t${ROLE_LABELS[o.role]}`,
          );
        }
        return 0;
      }
      case 'add': {
        const email = parseEmail(target);
        const name = DisplayNameSchema.safeParse(values.name ?? email.split('@')[0] ?? email);
        if (!name.success) throw new UsageError(name.error.issues[0]?.message ?? 'Enter a display name.');
        const role = values.role === undefined ? 'administrator' : parseRole(values.role);
        const chosen = await choosePassword(io, email);
        const added = await service.add({ email, displayName: name.data, role, password: chosen }, CLI_ACTOR);
        io.out(
          `Added ${added.operator.email} (${added.operator.displayName}) as ${ROLE_LABELS[added.operator.role]}.`,
        );
        if (added.generated) io.out(`Password (shown once, write it down now): ${added.password}`);
        io.out('They must choose their own password when they first sign in.');
        return 0;
      }
      case 'disable':
      case 'enable': {
        const email = parseEmail(target);
        const operator = await service.setDisabled(email, command === 'disable', CLI_ACTOR);
        io.out(
          command === 'disable'
            ? `Disabled ${operator.email}; their sessions have ended.`
            : `Enabled ${operator.email}.`,
        );
        return 0;
      }
      case 'set-role': {
        const email = parseEmail(target);
        const role = parseRole(roleArgument);
        const operator = await service.setRole(email, role, CLI_ACTOR);
        io.out(`${operator.email} is now ${ROLE_LABELS[operator.role]}.`);
        return 0;
      }
      case 'reset-password': {
        const email = parseEmail(target);
        const chosen = await choosePassword(io, email);
        const reset = await service.resetPassword(email, CLI_ACTOR, chosen);
        io.out(`Reset the password of ${reset.operator.email}; their sessions have ended.`);
        if (chosen === undefined) io.out(`New password (shown once, write it down now): ${reset.password}`);
        io.out('They must choose their own password when they next sign in.');
        return 0;
      }
      default:
        throw new UsageError(`Unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      io.err(`${error.message}\n\n${OPERATOR_USAGE}`);
      return 2;
    }
    if (
      error instanceof OperatorExistsError ||
      error instanceof OperatorNotFoundError ||
      error instanceof WeakPasswordError ||
      error instanceof LastAdministratorError ||
      error instanceof AuditUnavailableError
    ) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}
