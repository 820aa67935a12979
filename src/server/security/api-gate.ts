import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperatorRole } from '../../contract/session.ts';
import { ROLE_LABELS, roleAllows, roleNeededMessage } from '../../contract/session.ts';
import type { Authenticated, SessionManager } from '../auth/session-manager.ts';
import { clearedSessionCookie, readSessionCookie } from '../auth/cookie.ts';
import { ProblemError } from '../problems.ts';
import { createMemoryRateLimit, type SharedRateLimit } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator's session (null on routes that do not need one, and outside /api). */
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /** The route works without a session (sign-in only). CSRF and content-type rules still apply. */
    public?: boolean;
    /** The route stays usable while the operator must change their password (the session routes). */
    duringPasswordChange?: boolean;
    /** The route reads a query string (the lists); every other /api route refuses one. */
    query?: boolean;
    /** The least role that may use the route (every route but sign-in declares one). */
    role?: OperatorRole;
  }
}

/** Requests per operator per minute on /api: far above what a person clicking can do, low enough to stop a runaway. */
export const DEFAULT_API_LIMIT = { requests: 600, windowMs: 60_000 };

export interface ApiGateOptions {
  sessions: SessionManager;
  apiLimit?: { requests: number; windowMs: number } | undefined;
  /** The per-operator limit itself (shared by every instance on PostgreSQL); default: in memory, by `apiLimit`. */
  apiRateLimit?: SharedRateLimit | undefined;
  now?: (() => number) | undefined;
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

/** Refuse an operator whose role is below the route's (a route with no role at all is refused too: never open). */
function checkRole(held: OperatorRole, needed: OperatorRole | undefined): void {
  const role = needed ?? 'administrator';
  if (roleAllows(held, role)) return;
  throw new ProblemError({
    code: 'forbidden-role',
    status: 403,
    title: `Your role, ${ROLE_LABELS[held]}, does not include this`,
    detail: roleNeededMessage(role),
  });
}

/** Every /api route but sign-in must say which role may use it; a route without one stops the server starting. */
export function requireRouteRole(route: { method: string | string[]; url: string; config?: unknown }): void {
  const config = (route.config ?? {}) as { public?: boolean; role?: OperatorRole };
  if (config.public === true || config.role !== undefined) return;
  throw new Error(
    `${[route.method].flat().join(',')} ${route.url} declares no role: give it config.role ('viewer', 'inviter' or 'administrator').`,
  );
}

/**
 * The gate of the /api routes. It is attached to the encapsulated context that registers them (plugins/api.ts), so it
 * runs for every route in it, whatever spelling of the path the router mapped onto the route; nothing here compares
 * URL strings. In order: same-origin and X-CSRF (403), a live session (401; only `public` routes go without),
 * the password-change requirement (403), the route's role (403 `forbidden-role`), the per-operator rate limit (429), JSON-only bodies (415), no query string
 * unless the route reads one (400); every answer `Cache-Control: no-store`, and one log line per request.
 */
export function addApiGate(api: FastifyInstance, options: ApiGateOptions): void {
  const limit = options.apiLimit ?? DEFAULT_API_LIMIT;
  const apiLimiter =
    options.apiRateLimit ??
    createMemoryRateLimit({ limit: limit.requests, windowMs: limit.windowMs, now: options.now });

  api.decorateRequest('auth', null);

  api.addHook('onRequest', async (request, reply) => {
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
      checkRole(auth.operator.role, config.role);
      // Refused requests are not counted, so an operator who waits Retry-After seconds gets in again.
      const state = await apiLimiter.take(auth.operator.id);
      if (state.limited) {
        throw new ProblemError({
          code: 'rate-limited',
          status: 429,
          title: 'Too many requests',
          detail: `Slow down a little: try again in ${state.retryAfterSeconds} seconds.`,
          retryAfter: state.retryAfterSeconds,
        });
      }
    }
    checkContentType(request);
  });

  // A route reads a query string only when it says so (`config: { query: true }`): anything else is refused rather
  // than ignored, so no parameter can slip past the contract to Avara or change what a route does.
  api.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.query === true) return;
    const at = request.url.indexOf('?');
    if (at !== -1 && at < request.url.length - 1) {
      throw new ProblemError({
        code: 'validation',
        status: 400,
        title: 'This address takes no query parameters',
        detail: 'Remove everything after the "?" and try again.',
      });
    }
  });

  api.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  // One structured line per request: method, path with query values redacted, status, time, request id.
  api.addHook('onResponse', async (request, reply) => {
    if (request.logLines === 'none') return;
    request.log.info(
      { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
