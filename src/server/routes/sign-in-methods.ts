import type { FastifyInstance } from 'fastify';
import type { SignInMethods } from '../../contract/session.ts';
import type { Sso } from '../auth/sso.ts';
import { ProblemError } from '../problems.ts';

/** How one signs in here: password unless LOCAL_SIGN_IN=off, single sign-on when OIDC_* is set. */
export function signInMethodsOf(sso: Sso | undefined): SignInMethods {
  if (!sso) return { password: true, sso: null };
  return {
    password: sso.settings.localSignIn,
    sso: { providerName: sso.settings.providerName, providerSignOut: sso.providerSignOut() },
  };
}

/**
 * GET /api/session/methods (public: the sign-in screen asks before anyone is signed in) and, with LOCAL_SIGN_IN=off,
 * the refusal of password sign-in.
 */
export function registerSignInMethodRoutes(app: FastifyInstance, { sso }: { sso: Sso | undefined }): void {
  app.get('/api/session/methods', { config: { public: true } }, async () => signInMethodsOf(sso));
  if (!sso || sso.settings.localSignIn) return;
  const providerName = sso.settings.providerName;
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/api/session') return;
    throw new ProblemError({
      code: 'forbidden',
      status: 403,
      title: `Sign in with ${providerName}`,
      detail: `Passwords are turned off here (LOCAL_SIGN_IN=off): use "Sign in with ${providerName}".`,
    });
  });
}
