import { request } from 'undici';
import { expect } from 'vitest';
import { SessionSchema } from '../../src/contract/session.ts';
import { SSO_FLOW_COOKIE } from '../../src/server/routes/sso.ts';
import { clientFor, type SignedInClient } from './session.ts';

/**
 * A browser's part in single sign-on, over plain HTTP: cookies kept per site, redirects followed by hand so each
 * step can be looked at (or tampered with) by a test.
 */

export interface HopAnswer {
  status: number;
  location: string | undefined;
  setCookies: string[];
  text: string;
}

export class CookieJar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  take(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export async function hop(
  url: string,
  jar: CookieJar,
  init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {},
): Promise<HopAnswer> {
  const headers: Record<string, string> = { accept: 'text/html' };
  const cookie = jar.header();
  if (cookie !== '') headers.cookie = cookie;
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await request(url, { method: init.method ?? 'GET', headers, body });
  const raw = response.headers['set-cookie'];
  const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  jar.take(setCookies);
  const location = response.headers.location;
  return {
    status: response.statusCode,
    location: typeof location === 'string' ? new URL(location, url).href : undefined,
    setCookies,
    text: await response.body.text(),
  };
}

/** Follow the provider's redirects until one leaves it (back to the BFF); returns that address. */
async function throughProvider(url: string, jar: CookieJar, issuer: string, login: string): Promise<string> {
  let next = url;
  for (let step = 0; step < 10; step += 1) {
    if (!next.startsWith(issuer)) return next;
    const answer = await hop(next, jar);
    if (answer.status === 200 && answer.text.includes('name="login"')) {
      const submitted = await hop(next, jar, {
        method: 'POST',
        form: { prompt: 'login', login, password: 'any password' },
      });
      expect(submitted.status, submitted.text).toBe(303);
      next = submitted.location ?? '';
      continue;
    }
    expect([302, 303], answer.text).toContain(answer.status);
    next = answer.location ?? '';
  }
  throw new Error('The provider kept redirecting.');
}

export interface SsoBrowser {
  /** The BFF's cookies (session, flow, logout ticket). */
  bff: CookieJar;
  /** The provider's cookies (its own session). */
  idp: CookieJar;
}

export function newSsoBrowser(): SsoBrowser {
  return { bff: new CookieJar(), idp: new CookieJar() };
}

/** GET /auth/sso/start: the provider's authorization address (the flow cookie is now in `browser.bff`). */
export async function startSso(bffUrl: string, browser: SsoBrowser): Promise<string> {
  const started = await hop(`${bffUrl}/auth/sso/start`, browser.bff);
  expect(started.status, started.text).toBe(303);
  expect(browser.bff.cookies.has(SSO_FLOW_COOKIE)).toBe(true);
  return started.location ?? '';
}

/** Sign in on the provider's page as `login`: the callback address it sends the browser back to. */
export async function signInAtProvider(
  authorizationUrl: string,
  browser: SsoBrowser,
  issuer: string,
  login: string,
): Promise<string> {
  return throughProvider(authorizationUrl, browser.idp, issuer, login);
}

/** The whole sign-in; returns the callback's answer (200 page moving on to /, or 303 back to the sign-in screen). */
export async function ssoSignIn(
  bffUrl: string,
  issuer: string,
  login: string,
  browser: SsoBrowser = newSsoBrowser(),
): Promise<{ callback: HopAnswer; callbackUrl: string; browser: SsoBrowser }> {
  const authorizationUrl = await startSso(bffUrl, browser);
  const callbackUrl = await signInAtProvider(authorizationUrl, browser, issuer, login);
  const callback = await hop(callbackUrl, browser.bff);
  return { callback, callbackUrl, browser };
}

/** A signed-in /api client from a browser's session cookie. */
export async function apiClientOf(bffUrl: string, browser: SsoBrowser): Promise<SignedInClient> {
  const sessionId = browser.bff.cookies.get('__Host-va_session');
  if (sessionId === undefined) throw new Error('No session cookie after single sign-on.');
  const cookie = `__Host-va_session=${sessionId}`;
  const answer = await clientFor(bffUrl, cookie, placeholderSession).get('/api/session');
  expect(answer.status, answer.text).toBe(200);
  return clientFor(bffUrl, cookie, SessionSchema.parse(answer.json()));
}

const placeholderSession = {
  operator: { id: `opr_${'0'.repeat(32)}`, email: '', displayName: '', role: 'viewer' as const },
  mustChangePassword: false,
  expiresAt: new Date(0).toISOString(),
  idleTimeoutMinutes: 0,
};
