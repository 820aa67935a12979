import type { FastifyInstance } from 'fastify';
import { UserIdParamsSchema } from '../../contract/ids.ts';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule } from '../../contract/person.ts';
import {
  InviteUserInputSchema,
  ListUsersQuerySchema,
  UpdateUserInputSchema,
  mergeUpdate,
} from '../../contract/users.ts';
import type { AvaraClient } from '../avara/client.ts';
import { validationProblem } from '../problems.ts';
import {
  EmptyBodySchema,
  adminRuleNeedsStoredRecord,
  callContext,
  callUpstream,
  flattenQuery,
  parseOrReject,
} from './route-helpers.ts';

/** /api/users: one allowlisted route per upstream endpoint. Parse with the contract, call Avara, return. */
export function registerUserRoutes(app: FastifyInstance, { client }: { client: AvaraClient }): void {
  app.post('/api/users', async (request, reply) => {
    const input = parseOrReject(InviteUserInputSchema, request.body);
    const ctx = callContext(request);
    const user = await callUpstream('invite', () => client.inviteUser(input, ctx));
    return reply.code(201).send(user);
  });

  app.get('/api/users', async (request) => {
    const query = parseOrReject(ListUsersQuerySchema, flattenQuery(request.query));
    return callUpstream('list-users', () => client.listUsers(query, callContext(request)));
  });

  app.get('/api/users/:userId', async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    return callUpstream('get-user', () => client.getUser(userId, callContext(request)));
  });

  app.patch('/api/users/:userId', async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    const patch = parseOrReject(UpdateUserInputSchema, request.body);
    const ctx = callContext(request);
    // The admin rule holds for the record as it will be, not just the patch: check the merged result first.
    if (adminRuleNeedsStoredRecord(patch)) {
      const current = await callUpstream('get-user', () =>
        client.getUser(userId, { requestId: ctx.requestId }),
      );
      if (breaksAdminRule(mergeUpdate(current, patch))) {
        throw validationProblem([{ path: ['hasDashboardAccess'], message: ADMIN_NEEDS_DASHBOARD }]);
      }
    }
    return callUpstream('update-user', () => client.updateUser(userId, patch, ctx));
  });

  app.post('/api/users/:userId/revoke-access', async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    parseOrReject(EmptyBodySchema, request.body);
    return callUpstream('revoke-access', () => client.revokeAccess(userId, callContext(request)));
  });

  app.post('/api/users/:userId/reactivate', async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    parseOrReject(EmptyBodySchema, request.body);
    return callUpstream('reactivate', () => client.reactivateUser(userId, callContext(request)));
  });
}
