import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticated, SessionManager } from '../auth/session-manager.ts';
import { clearedSessionCookie, readSessionCookie } from '../auth/cookie.ts';
import { ProblemError } from '../problems.ts';
import { SECURITY_HEADERS, contentSecurityPolicy, newCspNonce } from './headers.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator's session (null on routes that do not need one, and outside /api). */
    auth: Authenticated | null;
    /** This response's CSP nonce (for the SPA shell's <meta name="csp-nonce">). */
    cspNonce: string;
  }
  interface FastifyContextConfig {
    /** The route works without a session (sign-in only). CSRF and content-type rules still apply. */
    public?: boolean;
    /** The route stays usable while the operator must change their password (the session routes). */
    duringPasswordChange?: boolean;
  }
}

/** Requests per operator per minute on /api: far above what a person clicking can do, low enough to stop a runaway. */
export const DEFAULT_API_LIMIT = { requests: 600, windowMs: 60_000 };

export interface ApiGuardOptions {
  sessions: SessionManager;
  apiLimit?: { requests: number; windowMs: number } | undefined;
  now?: (() => number) | undefined;
}

export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

const forbidden = (title: string, detail: string) =>
  new ProblemError({ code: 'forbidden', status: 403, title, detail });

/** Refuse anything a page on another site could have sent. Every /api route, GET included. */
function checkSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw forbidden('Requests from other sites are refused', 'Open Viewer Admin itself and try again there.');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw forbidden('Requests from other sites are refused', 'Open Viewer Admin itself and try again there.');
  }
  if (request.headers['x-csrf'] !== '1') {
    throw forbidden(
      'This request did not come from the Viewer Admin app',
      'Every request to /api must carry the header X-CSRF: 1, which only the app itself can send.',
    );
  }
}

function checkContentType(request: FastifyRequest): void {
  const length = request.headers['content-length'];
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return;
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ProblemError({
      code: 'unsupported-media-type',
      status: 415,
      title: 'Send the details as JSON',
      detail: 'This address accepts JSON only (Content-Type: application/json).',
    });
  }
}

/**
 * The one gate in front of every /api route, present and future: it runs as an onRequest hook, so it also covers
 * routes added later and unknown /api paths. In order: same-origin and X-CSRF (403), a live session (401; the sign-in
 * route alone is public), the password-change requirement (403), the per-operator rate limit (429), and JSON-only
 * bodies (415). Then, on every response of the whole app, the security headers and the CSP with a fresh nonce; no
 * CORS header ever leaves.
 */
export function registerApiGuard(
  app: FastifyInstance,
  options: ApiGuardOptions,
): { apiLimiter: RateLimiter } {
  const limit = options.apiLimit ?? DEFAULT_API_LIMIT;
  const apiLimiter = createRateLimiter({ limit: limit.requests, windowMs: limit.windowMs, now: options.now });

  app.decorateRequest('auth', null);
  app.decorateRequest('cspNonce', '');

  app.addHook('onRequest', async (request, reply) => {
    request.cspNonce = newCspNonce();
    if (!isApiPath(request.url)) return;
    reply.header('cache-control', 'no-store');
    checkSameOrigin(request);
    const config = request.routeOptions.config;
    if (config.public !== true) {
      const sessionId = readSessionCookie(request.headers.cookie);
      const auth = await options.sessions.authenticate(sessionId);
      if (!auth) {
        if (request.headers.cookie?.includes('__Host-va_session='))
          reply.header('set-cookie', clearedSessionCookie());
        throw new ProblemError({
          code: 'unauthenticated',
          status: 401,
          title: 'Please sign in',
          detail:
            sessionId === undefined
              ? 'Sign in to use Viewer Admin.'
              : 'Your session has ended. Sign in again to carry on.',
        });
      }
      request.auth = auth;
      if (auth.operator.mustChangePassword && config.duringPasswordChange !== true) {
        throw new ProblemError({
          code: 'password-change-required',
          status: 403,
          title: 'Choose a new password first',
          detail: 'Your password was set by someone else. Choose your own before carrying on.',
        });
      }
      // Refused requests are not counted, so an operator who waits Retry-After seconds gets in again.
      const state = apiLimiter.peek(auth.operator.id);
      if (state.limited) {
        throw new ProblemError({
          code: 'rate-limited',
          status: 429,
          title: 'Too many requests',
          detail: `Slow down a little: try again in ${state.retryAfterSeconds} seconds.`,
          retryAfter: state.retryAfterSeconds,
        });
      }
      apiLimiter.hit(auth.operator.id);
    }
    checkContentType(request);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('content-security-policy', contentSecurityPolicy(request.cspNonce || newCspNonce()));
    if (isApiPath(request.url)) reply.header('cache-control', 'no-store');
    for (const name in reply.getHeaders()) {
      if (name.toLowerCase().startsWith('access-control-')) reply.removeHeader(name);
    }
    return payload;
  });

  return { apiLimiter };
}
