import type { FastifyInstance } from 'fastify';
import { UserIdParamsSchema } from '../../contract/ids.ts';
import { InviteUserInputSchema, ListUsersQuerySchema, UpdateUserInputSchema } from '../../contract/users.ts';
import type { ActionResult, User } from '../../contract/users.ts';
import type { AvaraClient, CallContext } from '../avara/client.ts';
import type { RunIdempotent } from '../idempotency/idempotent-route.ts';
import { sendInvite } from '../idempotency/invite-recovery.ts';
import { fieldChanges } from '../audit/field-changes.ts';
import {
  EmptyBodySchema,
  callContext,
  checkAdminRuleAfterUpdate,
  flattenQuery,
  parseOrReject,
} from './route-helpers.ts';
import { UpstreamProblemError, callUpstream } from '../avara/upstream-problem.ts';
import type { Directory } from '../directory/directory.ts';

/**
 * /api/users: one allowlisted route per upstream endpoint. Parse with the contract, call Avara, return. Every change
 * carries an Idempotency-Key (see idempotency/idempotent-route.ts) and is written to the audit trail before it is
 * sent (and refused if it cannot be). After a change Avara accepted, the person is read again into the directory
 * before the answer goes out; a live read corrects the directory too.
 */
export function registerUserRoutes(
  app: FastifyInstance,
  { client, idempotent, directory }: { client: AvaraClient; idempotent: RunIdempotent; directory: Directory },
): void {
  app.post('/api/users', { config: { role: 'inviter' } }, async (request, reply) => {
    const input = parseOrReject(InviteUserInputSchema, request.body);
    const audit = {
      action: 'user.invite',
      target: { targetEmail: input.email },
      targetsOf: (created: User) => ({ targetUserId: created.userId }),
    } as const;
    return idempotent(request, reply, { body: input, audit }, async (attempt) => {
      const result = await sendInvite(client, input, attempt, request.id);
      if (result.status < 300) await directory.syncUser(result.body.userId, request.id, result.body);
      return result;
    });
  });

  app.get('/api/users', { config: { query: true, role: 'viewer' } }, async (request) => {
    const query = parseOrReject(ListUsersQuerySchema, flattenQuery(request.query));
    return callUpstream('list-users', () => client.listUsers(query, callContext(request)));
  });

  app.get('/api/users/:userId', { config: { role: 'viewer' } }, async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    try {
      const user = await callUpstream('get-user', () => client.getUser(userId, callContext(request)));
      await directory.noteUser(user);
      return user;
    } catch (error) {
      if (error instanceof UpstreamProblemError && error.upstream.status === 404)
        await directory.forgetUser(userId);
      throw error;
    }
  });

  app.patch('/api/users/:userId', { config: { role: 'administrator' } }, async (request, reply) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    const patch = parseOrReject(UpdateUserInputSchema, request.body);
    const audit = { action: 'user.update', target: { targetUserId: userId } } as const;
    return idempotent(
      request,
      reply,
      { body: patch, params: { userId }, audit },
      async ({ key, onStatus, noteChanges }) => {
        const ctx = callContext(request, key);
        // The record as it is: the admin rule holds for the merged result, and the audit says what changed.
        const before = await callUpstream('get-user', () =>
          client.getUser(userId, { requestId: ctx.requestId }),
        );
        noteChanges(fieldChanges(before, patch));
        checkAdminRuleAfterUpdate(patch, before);
        const user = await callUpstream('update-user', () =>
          client.updateUser(userId, patch, { ...ctx, onStatus }),
        );
        noteChanges(fieldChanges(before, patch, user));
        await directory.syncUser(userId, request.id, user);
        return { status: 200, body: user };
      },
    );
  });

  /** Revoke access and reactivate: one user, no body, Avara's action result back. */
  const registerUserAction = (
    name: 'revoke-access' | 'reactivate',
    call: (userId: string, ctx: CallContext) => Promise<ActionResult>,
  ) =>
    app.post(`/api/users/:userId/${name}`, { config: { role: 'administrator' } }, async (request, reply) => {
      const { userId } = parseOrReject(UserIdParamsSchema, request.params);
      parseOrReject(EmptyBodySchema, request.body);
      const audit = { action: `user.${name}`, target: { targetUserId: userId } } as const;
      return idempotent(
        request,
        reply,
        { body: undefined, params: { userId }, audit },
        async ({ key, onStatus }) => {
          const ctx = callContext(request, key);
          const result = await callUpstream(name, () => call(userId, { ...ctx, onStatus }));
          await directory.syncUser(userId, request.id);
          return { status: 200, body: result };
        },
      );
    });
  registerUserAction('revoke-access', (userId, ctx) => client.revokeAccess(userId, ctx));
  registerUserAction('reactivate', (userId, ctx) => client.reactivateUser(userId, ctx));
}
