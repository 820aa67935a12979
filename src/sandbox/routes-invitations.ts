import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import { InvitationIdParamsSchema } from '../contract/ids.ts';
import type { Invitation, InvitationPage } from '../contract/invitations.ts';
import { ListInvitationsQuerySchema, RevokeInvitationBodySchema } from '../contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule } from '../contract/person.ts';
import type { ActionResult } from '../contract/users.ts';
import { UpdateUserInputSchema, mergeUpdate } from '../contract/users.ts';
import type { SandboxContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { INVITATION_NOT_FOUND, badRequest, conflict, notFound, parseInput } from './errors.ts';
import { isPending, personOf, presentInvitation } from './present.ts';
import { DEFAULT_PAGE_SIZE, EMAIL_CANNOT_CHANGE, invalidCursor } from './routes-users.ts';
import type { StoredInvitation } from './store.ts';

export const ONLY_PENDING_EDITABLE = 'Only a pending invitation can be edited.';
export const NO_LONGER_PENDING = 'This invitation is no longer pending.';
export const INVITATION_REVOKED = 'The invitation was revoked. Its link no longer works.';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` → the first instant of that UTC day, or of the day after. */
function startOfDay(date: string, plusDays = 0): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + plusDays * DAY_MS).toISOString();
}

function findInvitationOr404(ctx: SandboxContext, params: unknown): StoredInvitation {
  const parsed = z.safeParse(InvitationIdParamsSchema, params);
  const invitation = parsed.success ? ctx.store.findInvitation(parsed.data.invitationId) : undefined;
  if (!invitation) throw notFound(INVITATION_NOT_FOUND);
  return invitation;
}

export function registerInvitationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;

  app.get('/v1/viewer/users/invitations', async (request): Promise<InvitationPage> => {
    const query = parseInput(ListInvitationsQuerySchema, request.query, { query: true });
    const after = query.cursor === undefined ? undefined : decodeCursor('invitations', query.cursor);
    if (query.cursor !== undefined && after === undefined) throw invalidCursor();
    const page = store.listInvitations(
      {
        status: query.status,
        expired: query.expired,
        createdFrom: query.startDate === undefined ? undefined : startOfDay(query.startDate),
        createdBefore: query.endDate === undefined ? undefined : startOfDay(query.endDate, 1),
        userId: query.userId,
        now: ctx.now().toISOString(),
      },
      after,
      query.limit ?? DEFAULT_PAGE_SIZE,
    );
    const last = page.rows.at(-1);
    return {
      invitations: page.rows.map(presentInvitation),
      cursor: page.hasMore && last ? encodeCursor('invitations', last) : null,
      hasMore: page.hasMore,
    };
  });

  app.get('/v1/viewer/users/invitations/:invitationId', async (request): Promise<Invitation> =>
    presentInvitation(findInvitationOr404(ctx, request.params)),
  );

  // Edit while pending: the invitation and the user it pre-created change together.
  app.patch('/v1/viewer/users/invitations/:invitationId', async (request): Promise<Invitation> => {
    findInvitationOr404(ctx, request.params);
    const patch = parseInput(UpdateUserInputSchema, request.body, {
      unexpectedFieldMessages: { email: EMAIL_CANNOT_CHANGE },
    });
    const now = ctx.now();
    const updated = store.transaction(() => {
      const current = findInvitationOr404(ctx, request.params);
      if (!isPending(current, now)) throw conflict(ONLY_PENDING_EDITABLE);
      const merged = mergeUpdate(personOf(current), patch);
      if (breaksAdminRule(merged)) {
        throw badRequest(ADMIN_NEEDS_DASHBOARD, [
          { path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD },
        ]);
      }
      store.updateInvitationFields(current.invitationId, merged, now.toISOString());
      if (store.findUser(current.userId)) store.updateUserFields(current.userId, merged);
      return findInvitationOr404(ctx, request.params);
    });
    return presentInvitation(updated);
  });

  // Revoke by invitation id, or by user id (that user's latest invitation); both given must agree.
  app.post('/v1/viewer/users/invitations/revoke', async (request): Promise<ActionResult> => {
    const body = parseInput(RevokeInvitationBodySchema, request.body);
    const now = ctx.now();
    return store.transaction(() => {
      const invitation =
        body.invitationId !== undefined
          ? store.findInvitation(body.invitationId)
          : body.userId !== undefined
            ? store.latestInvitationOf(body.userId)
            : undefined;
      if (!invitation || (body.userId !== undefined && invitation.userId !== body.userId)) {
        throw notFound(INVITATION_NOT_FOUND);
      }
      if (!isPending(invitation, now)) return { success: false, message: NO_LONGER_PENDING };
      store.setInvitationStatus(invitation.invitationId, 'revoked', now.toISOString());
      return { success: true, message: INVITATION_REVOKED };
    });
  });
}
