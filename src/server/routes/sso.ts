import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearedSessionCookie, readCookie, readSessionCookie, sessionCookie } from '../auth/cookie.ts';
import { requestFacts } from '../auth/request-auth.ts';
import type { SessionManager } from '../auth/session-manager.ts';
import { FLOW_TTL_MS, SsoRefusedError, type Sso } from '../auth/sso.ts';
import { SSO_CALLBACK_PATH } from '../auth/sso-settings.ts';
import { clientAddressKey, createMemoryRateLimit, type SharedRateLimit } from '../security/rate-limit.ts';
import type { SsoFlowStore } from '../store/sso-flows.ts';

/**
 * The browser's side of single sign-on, outside /api (these are navigations, which cannot send X-CSRF; the flow's
 * own cookie, state, nonce and PKCE protect them instead). Never cached. Failures send the browser back to the
 * sign-in screen with a reason it explains (`/?sso=<reason>`), never an error page.
 */

/** Binds a sign-in to the browser that started it. Lax: it must come back on the provider's redirect. */
export const SSO_FLOW_COOKIE = '__Host-va_sso_flow';
/** Finds the ID token again for the provider's sign-out (kept here, server-side). */
export const SSO_LOGOUT_COOKIE = '__Host-va_sso_logout';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/**
 * Sign-ins one address may start a minute: far above a person's retries, and what bounds the flow table (each pending
 * sign-in is a row until it is finished or expires).
 */
export const SSO_STARTS_PER_MINUTE = 30;
export const SSO_START_LIMIT = { limit: SSO_STARTS_PER_MINUTE, windowMs: 60_000 };
/**
 * Sign-ins everyone together may start a minute: bounds the flow table (10 minutes of them) whatever the number of
 * addresses a sender has (an IPv6 network, a botnet). Far above a hospital's morning rush.
 */
export const SSO_STARTS_ALL_PER_MINUTE = 1_000;
export const SSO_START_ALL_LIMIT = { limit: SSO_STARTS_ALL_PER_MINUTE, windowMs: 60_000 };
/** The one key of the limit on everyone's starts together. */
const ALL_STARTS = 'all';

export function ssoCallbackUrl(origin: string): string {
  return `${origin}${SSO_CALLBACK_PATH}`;
}

export function registerSsoRoutes(
  app: FastifyInstance,
  options: {
    sso: Sso;
    sessions: SessionManager;
    now: () => number;
    /** Sign-ins started per address (shared by every instance on PostgreSQL); default: in memory. */
    starts?: SharedRateLimit | undefined;
    /** Sign-ins started by everyone together (shared likewise); default: in memory. */
    startsAll?: SharedRateLimit | undefined;
    /** Where the logout tickets are kept (any instance signs out of the provider with them). */
    tickets: SsoFlowStore;
  },
): void {
  const { sso, sessions, now, tickets } = options;
  const starts = options.starts ?? createMemoryRateLimit({ ...SSO_START_LIMIT, now, maxKeys: 10_000 });
  const startsAll = options.startsAll ?? createMemoryRateLimit({ ...SSO_START_ALL_LIMIT, now, maxKeys: 1 });
  const maxAgeSeconds = sessions.settings.maxHours * 3600;

  const originOf = (request: FastifyRequest) =>
    sso.settings.publicOrigin ?? `${request.protocol}://${request.host}`;
  const cookieValue = (request: FastifyRequest, name: string) => {
    const value = readCookie(request.headers.cookie, name);
    return value !== undefined && TOKEN.test(value) ? value : undefined;
  };
  const clearedFlowCookie = `${SSO_FLOW_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
  const backToSignIn = (reply: FastifyReply, reason: string, cookies: string[] = []) => {
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    return reply.code(303).header('location', `/?sso=${reason}`).send();
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/auth/sso/')) reply.header('cache-control', 'no-store');
  });

  app.get('/auth/sso/start', async (request, reply) => {
    // By the address's rate-limit key (an IPv6 client by its /64), then everyone's together.
    if ((await starts.take(clientAddressKey(request.ip))).limited) return backToSignIn(reply, 'busy');
    if ((await startsAll.take(ALL_STARTS)).limited) return backToSignIn(reply, 'busy');
    try {
      const { flowId, url } = await sso.start(ssoCallbackUrl(originOf(request)));
      reply.header(
        'set-cookie',
        `${SSO_FLOW_COOKIE}=${flowId}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${FLOW_TTL_MS / 1000}`,
      );
      return reply.code(303).header('location', url).send();
    } catch (error) {
      if (!(error instanceof SsoRefusedError)) throw error;
      request.log.warn(
        { sso: { refused: error.reason, detail: error.logDetail } },
        'Single sign-on could not start',
      );
      return backToSignIn(reply, error.reason);
    }
  });

  app.get(SSO_CALLBACK_PATH, async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const callbackUrl = new URL(`${ssoCallbackUrl(originOf(request))}${query}`);
    const facts = requestFacts(request);
    try {
      const { auth, idToken } = await sso.finish(cookieValue(request, SSO_FLOW_COOKIE), callbackUrl, facts);
      const at = now();
      const ticket = randomBytes(32).toString('base64url');
      // Kept until the session could have ended anyway.
      await tickets.saveLogoutTicket(ticket, { idToken, expiresAt: at + maxAgeSeconds * 1000 }, at);
      reply.header('set-cookie', [
        clearedFlowCookie,
        sessionCookie(auth.sessionId),
        `${SSO_LOGOUT_COOKIE}=${ticket}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`,
      ]);
      // A page of our own that moves on by itself: the session cookie is SameSite=Strict, and browsers hold it back
      // on a redirect chain that began at the provider, but send it on a navigation this page starts.
      reply.type('text/html; charset=utf-8');
      return reply.send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/">' +
          '<title>Signing in</title></head><body><p>Signing you in… <a href="/">Continue</a></p></body></html>',
      );
    } catch (error) {
      if (!(error instanceof SsoRefusedError)) throw error;
      request.log.warn(
        { sso: { refused: error.reason, detail: error.logDetail } },
        'Single sign-on was refused',
      );
      return backToSignIn(reply, error.reason, [clearedFlowCookie]);
    }
  });

  app.get('/auth/sso/logout', async (request, reply) => {
    // A page of another site may not sign anyone out of the provider (or out of here).
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return backToSignIn(reply, 'failed');
    const ticketId = cookieValue(request, SSO_LOGOUT_COOKIE);
    const ticket = ticketId === undefined ? undefined : await tickets.takeLogoutTicket(ticketId, now());
    const cookies = [`${SSO_LOGOUT_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`];
    // Still signed in here (the link is only offered after signing out, but it may be opened directly): end it too.
    const auth = await sessions.authenticate(readSessionCookie(request.headers.cookie));
    if (auth) {
      await sessions.signOut(auth, requestFacts(request));
      cookies.push(clearedSessionCookie());
    }
    const url = await sso.endSessionUrl(ticket?.idToken, `${originOf(request)}/`);
    if (url === undefined) return backToSignIn(reply, 'no-provider-sign-out', cookies);
    reply.header('set-cookie', cookies);
    return reply.code(303).header('location', url).send();
  });
}
