import type { FastifyInstance } from 'fastify';
import { InvitationIdParamsSchema } from '../../contract/ids.ts';
import { ListInvitationsQuerySchema } from '../../contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule } from '../../contract/person.ts';
import { UpdateUserInputSchema, mergeUpdate } from '../../contract/users.ts';
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

/** /api/invitations: list, read, edit while pending, revoke. */
export function registerInvitationRoutes(app: FastifyInstance, { client }: { client: AvaraClient }): void {
  app.get('/api/invitations', async (request) => {
    const query = parseOrReject(ListInvitationsQuerySchema, flattenQuery(request.query));
    return callUpstream('list-invitations', () => client.listInvitations(query, callContext(request)));
  });

  app.get('/api/invitations/:invitationId', async (request) => {
    const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
    return callUpstream('get-invitation', () => client.getInvitation(invitationId, callContext(request)));
  });

  app.patch('/api/invitations/:invitationId', async (request) => {
    const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
    const patch = parseOrReject(UpdateUserInputSchema, request.body);
    const ctx = callContext(request);
    // The admin rule holds for the record as it will be, not just the patch: check the merged result first.
    if (adminRuleNeedsStoredRecord(patch)) {
      const current = await callUpstream('get-invitation', () =>
        client.getInvitation(invitationId, { requestId: ctx.requestId }),
      );
      if (breaksAdminRule(mergeUpdate(current, patch))) {
        throw validationProblem([{ path: ['hasDashboardAccess'], message: ADMIN_NEEDS_DASHBOARD }]);
      }
    }
    return callUpstream('update-invitation', () => client.updateInvitation(invitationId, patch, ctx));
  });

  app.post('/api/invitations/:invitationId/revoke', async (request) => {
    const { invitationId } = parseOrReject(InvitationIdParamsSchema, request.params);
    parseOrReject(EmptyBodySchema, request.body);
    return callUpstream('revoke-invitation', () =>
      client.revokeInvitation(invitationId, callContext(request)),
    );
  });
}
