import type { FastifyInstance } from 'fastify';
import type { Operator, OperatorNameList } from '../../contract/operators.ts';
import {
  AddOperatorInputSchema,
  ChangeOperatorRoleInputSchema,
  OperatorIdParamsSchema,
} from '../../contract/operators.ts';
import { AuditUnavailableError } from '../audit/audit-trail.ts';
import {
  LastAdministratorError,
  OperatorNotFoundError,
  SelfDisableError,
  SelfResetError,
  SingleSignOnOnlyError,
  type OperatorService,
} from '../auth/operator-service.ts';
import { actorOf } from '../auth/request-auth.ts';
import { auditUnavailableProblem } from '../auth/session-manager.ts';
import { ProblemError } from '../problems.ts';
import { OperatorExistsError, type OperatorRecord } from '../store/operators.ts';
import { EmptyBodySchema, parseOrReject } from './route-helpers.ts';

/** What the API says about an operator: never the password hash. */
export function toOperator(record: OperatorRecord): Operator {
  return {
    id: record.id,
    email: record.email,
    displayName: record.displayName,
    role: record.role,
    disabled: record.disabled,
    mustChangePassword: record.mustChangePassword,
    createdAt: new Date(record.createdAt).toISOString(),
    lastSignInAt: record.lastSignInAt === null ? null : new Date(record.lastSignInAt).toISOString(),
  };
}

function operatorProblem(error: unknown): unknown {
  if (error instanceof AuditUnavailableError) return auditUnavailableProblem();
  if (error instanceof OperatorExistsError) {
    return new ProblemError({
      code: 'duplicate-email',
      status: 409,
      title: 'That email address already has an operator account',
      detail: 'Use another address, or enable the existing account.',
      errors: [{ path: 'email', message: 'An operator with this email address already exists.' }],
    });
  }
  if (error instanceof OperatorNotFoundError) {
    return new ProblemError({ code: 'not-found', status: 404, title: 'There is no such operator' });
  }
  if (error instanceof SelfDisableError) {
    return new ProblemError({
      code: 'conflict',
      status: 409,
      title: 'You cannot disable your own account',
      detail: 'Ask another operator to do it, so there is always someone who can sign in.',
    });
  }
  if (error instanceof LastAdministratorError) {
    return new ProblemError({
      code: 'last-administrator',
      status: 409,
      title: 'Viewer Admin needs at least one active Administrator',
      detail: error.message,
    });
  }
  if (error instanceof SingleSignOnOnlyError) {
    return new ProblemError({
      code: 'conflict',
      status: 409,
      title: 'This operator signs in through single sign-on',
      detail: 'They have no password here to reset: their identity provider lets them in.',
    });
  }
  if (error instanceof SelfResetError) {
    return new ProblemError({
      code: 'conflict',
      status: 409,
      title: 'You cannot reset your own password',
      detail: 'Use Change password in the account menu: it asks for your current password.',
    });
  }
  return error;
}

/** /api/operators: list, add, disable and enable the dashboard's operators. Every change is audited. */
export function registerOperatorRoutes(
  app: FastifyInstance,
  { operators }: { operators: OperatorService },
): void {
  app.get('/api/operators', { config: { role: 'administrator' } }, async () => ({
    operators: (await operators.list()).map(toOperator),
  }));

  app.get('/api/operators/names', { config: { role: 'viewer' } }, async (): Promise<OperatorNameList> => ({
    operators: (await operators.list()).map(({ id, displayName }) => ({ id, displayName })),
  }));

  app.post('/api/operators', { config: { role: 'administrator' } }, async (request, reply) => {
    const input = parseOrReject(AddOperatorInputSchema, request.body);
    try {
      const added = await operators.add({ ...input, role: input.role ?? 'viewer' }, actorOf(request));
      return reply.code(201).send({ operator: toOperator(added.operator), initialPassword: added.password });
    } catch (error) {
      throw operatorProblem(error);
    }
  });

  // The one-time password is in this answer only: never logged (bodies are not) and stored only as its hash.
  app.post('/api/operators/:id/reset-password', { config: { role: 'administrator' } }, async (request) => {
    const { id } = parseOrReject(OperatorIdParamsSchema, request.params);
    parseOrReject(EmptyBodySchema, request.body);
    try {
      const reset = await operators.resetPassword(id, actorOf(request));
      return { operator: toOperator(reset.operator), oneTimePassword: reset.password };
    } catch (error) {
      throw operatorProblem(error);
    }
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/api/operators/:id/${action}`, { config: { role: 'administrator' } }, async (request) => {
      const { id } = parseOrReject(OperatorIdParamsSchema, request.params);
      parseOrReject(EmptyBodySchema, request.body);
      try {
        const updated = await operators.setDisabled(id, action === 'disable', actorOf(request));
        return toOperator(updated);
      } catch (error) {
        throw operatorProblem(error);
      }
    });
  }

  app.post('/api/operators/:id/role', { config: { role: 'administrator' } }, async (request) => {
    const { id } = parseOrReject(OperatorIdParamsSchema, request.params);
    const { role } = parseOrReject(ChangeOperatorRoleInputSchema, request.body);
    try {
      return toOperator(await operators.setRole(id, role, actorOf(request)));
    } catch (error) {
      throw operatorProblem(error);
    }
  });
}
