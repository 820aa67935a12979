import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChangePasswordInputSchema, SignInInputSchema } from '../../contract/session.ts';
import { clearedSessionCookie, sessionCookie } from '../auth/cookie.ts';
import { deviceCookie, readDeviceCookie } from '../auth/device-token.ts';
import { requestFacts, requireAuth } from '../auth/request-auth.ts';
import type { SessionManager, SignedIn } from '../auth/session-manager.ts';
import { QuietProblemError } from '../security/log-lines.ts';
import { EmptyBodySchema, parseOrReject } from './route-helpers.ts';

/** /api/session: sign in (the only public /api route), who am I, sign out, change password. */
export function registerSessionRoutes(
  app: FastifyInstance,
  { sessions }: { sessions: SessionManager },
): void {
  // A refused sign-in writes at most one log line, and none while its address is paused (see log-lines.ts).
  const quietly = (error: unknown, request: { logLines: QuietProblemError['logLines'] | 'all' }) => {
    if (error instanceof QuietProblemError) request.logLines = error.logLines;
    return error;
  };
  const signInOptions = {
    config: { public: true },
    // An address at its limit is refused before the body is read: a flood from one address costs next to nothing.
    onRequest: async (request: FastifyRequest) => {
      try {
        await sessions.refuseIfAddressPaused({ clientAddress: request.ip });
      } catch (error) {
        throw quietly(error, request);
      }
    },
  };
  app.post('/api/session', signInOptions, async (request, reply) => {
    const input = parseOrReject(SignInInputSchema, request.body);
    let auth: SignedIn;
    try {
      auth = await sessions.signIn(input.email, input.password, {
        ...requestFacts(request),
        deviceToken: readDeviceCookie(request.headers.cookie),
      });
    } catch (error) {
      throw quietly(error, request);
    }
    reply.header('set-cookie', [sessionCookie(auth.sessionId), deviceCookie(auth.deviceToken)]);
    return sessions.describe(auth);
  });

  app.get('/api/session', { config: { duringPasswordChange: true, role: 'viewer' } }, async (request) =>
    sessions.describe(requireAuth(request)),
  );

  app.delete(
    '/api/session',
    { config: { duringPasswordChange: true, role: 'viewer' } },
    async (request, reply) => {
      parseOrReject(EmptyBodySchema, request.body);
      await sessions.signOut(requireAuth(request), requestFacts(request));
      reply.header('set-cookie', clearedSessionCookie());
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/session/password',
    { config: { duringPasswordChange: true, role: 'viewer' } },
    async (request, reply) => {
      const input = parseOrReject(ChangePasswordInputSchema, request.body);
      const fresh = await sessions.changePassword(
        requireAuth(request),
        input.currentPassword,
        input.newPassword,
        requestFacts(request),
      );
      reply.header('set-cookie', sessionCookie(fresh.sessionId));
      return sessions.describe(fresh);
    },
  );
}
