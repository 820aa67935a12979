import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { expect } from 'vitest';
import { SessionSchema, type Session } from '../../src/contract/session.ts';
import { http, type HttpAnswer, type HttpOptions } from './http.ts';

// Kept apart (test-operator.ts) so that scripts outside Vitest (benchmarks) can start servers with it.
import { TEST_OPERATOR } from './test-operator.ts';

export { TEST_OPERATOR };

/** The headers the web app sends on every /api call. */
export const CSRF_HEADERS = { 'x-csrf': '1' } as const;

export interface SignedInClient {
  session: Session;
  /** `__Host-va_session=…`, for a Cookie header. */
  cookie: string;
  sessionId: string;
  /** An HTTP call with the session cookie and X-CSRF (add or override headers per call). */
  request(method: Dispatcher.HttpMethod, path: string, options?: HttpOptions): Promise<HttpAnswer>;
  get(path: string, options?: HttpOptions): Promise<HttpAnswer>;
  post(path: string, body?: unknown, options?: HttpOptions): Promise<HttpAnswer>;
  patch(path: string, body?: unknown, options?: HttpOptions): Promise<HttpAnswer>;
  delete(path: string, options?: HttpOptions): Promise<HttpAnswer>;
}

/** Each Set-Cookie of a response, whole (the test client joins repeated headers with ", "). */
export function setCookiesOf(answer: HttpAnswer): string[] {
  const header = answer.headers['set-cookie'];
  return header === undefined ? [] : header.split(/, (?=[^;=\s]+=)/);
}

/** The device token cookie a response set (name=value only), or undefined. */
export function deviceCookieOf(answer: HttpAnswer): string | undefined {
  return /(__Host-va_device=[A-Za-z0-9._-]+)/.exec(answer.headers['set-cookie'] ?? '')?.[1];
}

/** The session cookie a response set (name=value only), or undefined. */
export function sessionCookieOf(answer: HttpAnswer): string | undefined {
  const header = answer.headers['set-cookie'];
  return /(__Host-va_session=[A-Za-z0-9_-]+)/.exec(header ?? '')?.[1];
}

/** The changes to Avara's users and invitations, and bulk invites: the BFF requires an Idempotency-Key on each. */
const CHANGE_PATH = /^\/api\/(users|invitations|bulk-invites)(\/|\?|$)/;

/**
 * The Idempotency-Key the web app would send: a fresh one for each change, unless the test gives its own header or
 * asks for none (`idempotencyKey: false`).
 */
function idempotencyHeader(
  method: Dispatcher.HttpMethod,
  path: string,
  options: HttpOptions,
): Record<string, string> {
  if (method === 'GET' || method === 'HEAD' || !CHANGE_PATH.test(path)) return {};
  if (options.idempotencyKey === false || options.headers?.['idempotency-key'] !== undefined) return {};
  return { 'idempotency-key': options.idempotencyKey ?? randomUUID() };
}

/** `defaults`: headers and a dispatcher sent with every call (a proxy's headers, a TLS agent). */
export function clientFor(
  baseUrl: string,
  cookie: string,
  session: Session,
  defaults: Pick<HttpOptions, 'headers' | 'dispatcher'> = {},
): SignedInClient {
  const request = (method: Dispatcher.HttpMethod, path: string, options: HttpOptions = {}) => {
    // A test's own Cookie header (other cookies a browser may hold) is sent beside the session cookie.
    const extra = options.headers?.cookie;
    const headers = {
      ...CSRF_HEADERS,
      ...idempotencyHeader(method, path, options),
      ...defaults.headers,
      ...options.headers,
      cookie: extra ? `${cookie}; ${extra}` : cookie,
    };
    return http(baseUrl, method, path, {
      ...options,
      headers,
      dispatcher: options.dispatcher ?? defaults.dispatcher,
    });
  };
  return {
    session,
    cookie,
    sessionId: cookie.split('=')[1] ?? '',
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
  };
}

/** POST /api/session and return a client that carries the session. Fails the test if sign-in does not work. */
export async function signIn(
  baseUrl: string,
  credentials: { email: string; password: string } = TEST_OPERATOR,
): Promise<SignedInClient> {
  const answer = await http(baseUrl, 'POST', '/api/session', {
    body: credentials,
    headers: { ...CSRF_HEADERS },
  });
  expect(answer.status, answer.text).toBe(200);
  const cookie = sessionCookieOf(answer);
  if (!cookie) throw new Error('Signing in set no session cookie.');
  return clientFor(baseUrl, cookie, SessionSchema.parse(answer.json()));
}
