import type { FastifyInstance } from 'fastify';
import type { User } from '../contract/users.ts';
import type { SandboxContext } from './context.ts';
import { conflict, notFound, parseInput, USER_NOT_FOUND } from './errors.ts';
import type { FaultList, RequestLogBody, FaultQueue } from './fault.ts';
import { FaultRequestSchema } from './fault.ts';
import { isPending, presentUser } from './present.ts';
import type { RequestLog } from './request-log.ts';
import { findUserOr404 } from './routes-users.ts';

export const ACCESS_REVOKED_NO_SIGN_IN = "This user's access is revoked, so they cannot sign in.";
export const NO_USABLE_INVITATION =
  'This person cannot sign in: their invitation expired, was revoked or was declined.';

/** Always on: the outbox and simulated sign-ins (handy for demos). */
export function registerSandboxRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;

  app.get('/__sandbox/outbox', async () => ({ messages: store.listOutbox() }));

  app.delete('/__sandbox/outbox', async (_request, reply) => {
    store.clearOutbox();
    return reply.code(204).send();
  });

  // The person follows the e-mail link and signs in: a pending invitation is accepted, lastLoginAt is set.
  app.post('/__sandbox/users/:userId/sign-in', async (request): Promise<User> => {
    const now = ctx.now();
    const at = now.toISOString();
    const user = store.transaction(() => {
      const current = findUserOr404(ctx, request.params);
      if (current.deactivated) throw conflict(ACCESS_REVOKED_NO_SIGN_IN);
      const invitation = store.latestInvitationOf(current.userId);
      const pending = invitation !== undefined && isPending(invitation, now);
      if (current.lastLoginAt === null && invitation && !pending && invitation.status !== 'accepted') {
        throw conflict(NO_USABLE_INVITATION);
      }
      if (invitation && pending) store.setInvitationStatus(invitation.invitationId, 'accepted', at);
      store.setLastLogin(current.userId, at);
      const updated = store.findUser(current.userId);
      if (!updated) throw notFound(USER_NOT_FOUND);
      return updated;
    });
    return presentUser(user);
  });
}

/** Only with `faultInjection: true`: the fault queue and the request log. */
export function registerFaultRoutes(app: FastifyInstance, faults: FaultQueue, requests: RequestLog): void {
  app.post('/__sandbox/faults', async (request, reply): Promise<FaultList> => {
    const input = parseInput(FaultRequestSchema, request.body);
    faults.add(Array.isArray(input) ? input : [input]);
    reply.code(201);
    return { faults: faults.list() };
  });

  app.get('/__sandbox/faults', async (): Promise<FaultList> => ({ faults: faults.list() }));

  app.delete('/__sandbox/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });

  app.get('/__sandbox/requests', async (): Promise<RequestLogBody> => ({ requests: requests.list() }));

  app.delete('/__sandbox/requests', async (_request, reply) => {
    requests.clear();
    return reply.code(204).send();
  });
}
