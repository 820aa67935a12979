import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import { EMAIL_TAKEN_CODE } from '../contract/avara-error.ts';
import { UserIdParamsSchema } from '../contract/ids.ts';
import { INVITATION_LIFETIME_DAYS } from '../contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule } from '../contract/person.ts';
import type { ActionResult, User, UserPage } from '../contract/users.ts';
import {
  InviteUserInputSchema,
  ListUsersQuerySchema,
  UpdateUserInputSchema,
  UserActionBodySchema,
  mergeUpdate,
} from '../contract/users.ts';
import type { SandboxContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { SandboxError } from './errors.ts';
import { USER_NOT_FOUND, badRequest, conflict, notFound, parseInput } from './errors.ts';
import { newId } from './ids.ts';
import { composeInvitationEmail } from './outbox.ts';
import { isPending, personOf, presentUser } from './present.ts';
import type { StoredUser } from './store.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_PAGE_SIZE = 20;
export const EMAIL_TAKEN_MESSAGE = 'A user with this email already exists.';
export const EMAIL_CANNOT_CHANGE =
  'The email address cannot be changed. Invite the person with the new address.';
export const OWNER_LEVEL_FIXED = "The clinic owner's level cannot be changed.";
export const OWNER_CANNOT_BE_REVOKED = "The clinic owner's access cannot be revoked.";
export const INVALID_CURSOR = 'That page link is not valid. Start again from the first page.';

/** The user a `:userId` path names; a malformed id is "not found", like an unknown one. */
export function findUserOr404(ctx: SandboxContext, params: unknown): StoredUser {
  const parsed = z.safeParse(UserIdParamsSchema, params);
  const user = parsed.success ? ctx.store.findUser(parsed.data.userId) : undefined;
  if (!user) throw notFound(USER_NOT_FOUND);
  return user;
}

export function invalidCursor(): SandboxError {
  return badRequest(INVALID_CURSOR, [{ path: 'cursor', message: INVALID_CURSOR }]);
}

function emailTaken(): SandboxError {
  return conflict(EMAIL_TAKEN_MESSAGE, {
    code: EMAIL_TAKEN_CODE,
    errors: [{ path: 'email', message: EMAIL_TAKEN_MESSAGE }],
  });
}

export function registerUserRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;

  // Invite: the user and their invitation are created together, and the e-mail lands in the outbox.
  app.post('/v1/viewer/users', async (request): Promise<User> => {
    const input = parseInput(InviteUserInputSchema, request.body);
    const now = ctx.now();
    const createdAt = now.toISOString();
    const person = {
      firstName: input.firstName,
      middleName: input.middleName ?? null,
      lastName: input.lastName,
      suffix1: input.suffix1 ?? null,
      suffix2: input.suffix2 ?? null,
      phoneNumber: input.phoneNumber ?? null,
      clinicRole: input.clinicRole,
      level: input.level,
      hasDashboardAccess: input.hasDashboardAccess,
      canManageStudies: input.canManageStudies,
    };
    const user = store.transaction(() => {
      if (store.findUserByEmail(input.email)) throw emailTaken();
      const created = store.insertUser({
        ...person,
        userId: newId('usr'),
        email: input.email,
        invitedSource: 'api',
        createdAt,
        lastLoginAt: null,
      });
      const invitation = store.insertInvitation({
        ...person,
        invitationId: newId('inv'),
        userId: created.userId,
        clinicId: store.clinicId,
        email: created.email,
        invitedSource: 'api',
        inviterId: null,
        invitedByApiKeyId: store.apiKeyId,
        status: 'sent',
        expiry: new Date(now.getTime() + INVITATION_LIFETIME_DAYS * DAY_MS).toISOString(),
        createdAt,
        updatedAt: createdAt,
      });
      store.insertOutbox(composeInvitationEmail(invitation, now));
      return created;
    });
    return presentUser(user);
  });

  app.get('/v1/viewer/users', async (request): Promise<UserPage> => {
    const query = parseInput(ListUsersQuerySchema, request.query, { query: true });
    const after = query.cursor === undefined ? undefined : decodeCursor('users', query.cursor);
    if (query.cursor !== undefined && after === undefined) throw invalidCursor();
    const page = store.listUsers(query, after, query.limit ?? DEFAULT_PAGE_SIZE);
    const last = page.rows.at(-1);
    return {
      users: page.rows.map(presentUser),
      cursor: page.hasMore && last ? encodeCursor('users', last) : null,
      hasMore: page.hasMore,
    };
  });

  app.get('/v1/viewer/users/:userId', async (request): Promise<User> =>
    presentUser(findUserOr404(ctx, request.params)),
  );

  app.patch('/v1/viewer/users/:userId', async (request): Promise<User> => {
    findUserOr404(ctx, request.params);
    const patch = parseInput(UpdateUserInputSchema, request.body, {
      unexpectedFieldMessages: { email: EMAIL_CANNOT_CHANGE },
    });
    const now = ctx.now();
    const updated = store.transaction(() => {
      const current = findUserOr404(ctx, request.params);
      if (current.level === 'owner' && patch.level !== undefined) {
        throw badRequest(OWNER_LEVEL_FIXED, [{ path: 'level', message: OWNER_LEVEL_FIXED }]);
      }
      const merged = mergeUpdate(personOf(current), patch);
      if (breaksAdminRule(merged)) {
        throw badRequest(ADMIN_NEEDS_DASHBOARD, [
          { path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD },
        ]);
      }
      store.updateUserFields(current.userId, merged);
      // A pending invitation describes the same person: keep it in step so the e-mail and the list agree.
      const invitation = store.latestInvitationOf(current.userId);
      if (invitation && isPending(invitation, now)) {
        store.updateInvitationFields(invitation.invitationId, merged, now.toISOString());
      }
      return findUserOr404(ctx, request.params);
    });
    return presentUser(updated);
  });

  app.post('/v1/viewer/users/revoke-access', async (request): Promise<ActionResult> => {
    const { userId } = parseInput(UserActionBodySchema, request.body);
    return store.transaction(() => {
      const user = store.findUser(userId);
      if (!user) throw notFound(USER_NOT_FOUND);
      if (user.level === 'owner') {
        throw badRequest(OWNER_CANNOT_BE_REVOKED, [{ path: 'userId', message: OWNER_CANNOT_BE_REVOKED }]);
      }
      if (user.deactivated) return { success: false, message: "This user's access is already revoked." };
      store.setDeactivated(userId, true);
      return {
        success: true,
        message: "Access revoked. The user's data is kept and access can be restored.",
      };
    });
  });

  app.post('/v1/viewer/users/reactivate', async (request): Promise<ActionResult> => {
    const { userId } = parseInput(UserActionBodySchema, request.body);
    return store.transaction(() => {
      const user = store.findUser(userId);
      if (!user) throw notFound(USER_NOT_FOUND);
      if (!user.deactivated) return { success: false, message: 'This user already has access.' };
      store.setDeactivated(userId, false);
      return { success: true, message: 'Access restored.' };
    });
  });
}
