import type { FastifyInstance } from 'fastify';
import { InvitationIdParamsSchema } from '../../contract/ids.ts';
import { ListInvitationsQuerySchema } from '../../contract/invitations.ts';
import type { Invitation } from '../../contract/invitations.ts';
import { UpdateUserInputSchema } from '../../contract/users.ts';
import type { AvaraClient } from '../avara/client.ts';
import type { RunIdempotent } from '../idempotency/idempotent-route.ts';
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
 * /api/invitations: list, read, edit while pending, revoke. Changes are audited before they are sent, and the person
 * is read again into the directory once Avara accepted one; a live read corrects the directory too.
 */
export function registerInvitationRoutes(
  app: FastifyInstance,
  { client, idempotent, directory }: { client: AvaraClient; idempotent: RunIdempotent; directory: Directory },
): void {
  app.get('/api/invitations', { config: { query: true, role: 'viewer' } }, async (request) => {
    const query = parseOrReject(ListInvitationsQuerySchema, flattenQuery(request.query));
    return callUpstream('list-invitations', () => client.listInvitations(query, callContext(request)));
  });

  app.get('/api/invitations/:invitationId', { config: { role: 'viewer' } }, async (request) => {
    const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
    try {
      const invitation = await callUpstream('get-invitation', () =>
        client.getInvitation(invitationId, callContext(request)),
      );
      await directory.noteInvitation(invitation);
      return invitation;
    } catch (error) {
      if (error instanceof UpstreamProblemError && error.upstream.status === 404)
        await directory.forgetInvitation(invitationId);
      throw error;
    }
  });

  app.patch('/api/invitations/:invitationId', { config: { role: 'inviter' } }, async (request, reply) => {
    const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
    const patch = parseOrReject(UpdateUserInputSchema, request.body);
    const audit = {
      action: 'invitation.update',
      target: { targetInvitationId: invitationId },
      targetsOf: (updated: Invitation) => ({ targetUserId: updated.userId }),
    } as const;
    return idempotent(
      request,
      reply,
      { body: patch, params: { invitationId }, audit },
      async ({ key, onStatus, noteChanges }) => {
        const ctx = callContext(request, key);
        // The record as it is: the admin rule holds for the merged result, and the audit says what changed.
        const before = await callUpstream('get-invitation', () =>
          client.getInvitation(invitationId, { requestId: ctx.requestId }),
        );
        noteChanges(fieldChanges(before, patch));
        checkAdminRuleAfterUpdate(patch, before);
        const invitation = await callUpstream('update-invitation', () =>
          client.updateInvitation(invitationId, patch, { ...ctx, onStatus }),
        );
        noteChanges(fieldChanges(before, patch, invitation));
        await directory.syncUser(invitation.userId, request.id);
        return { status: 200, body: invitation };
      },
    );
  });

  app.post(
    '/api/invitations/:invitationId/revoke',
    { config: { role: 'administrator' } },
    async (request, reply) => {
      const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
      parseOrReject(EmptyBodySchema, request.body);
      const audit = { action: 'invitation.revoke', target: { targetInvitationId: invitationId } } as const;
      return idempotent(
        request,
        reply,
        { body: undefined, params: { invitationId }, audit },
        async ({ key, onStatus }) => {
          const ctx = callContext(request, key);
          const result = await callUpstream('revoke-invitation', () =>
            client.revokeInvitation(invitationId, { ...ctx, onStatus }),
          );
          await directory.syncInvitation(invitationId, request.id);
          return { status: 200, body: result };
        },
      );
    },
  );
}
