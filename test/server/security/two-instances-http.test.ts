import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { expectProblem, http } from '../../support/http.ts';
import { startTestIdp, type TestIdp } from '../../support/oidc-provider.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { apiClientOf, hop, newSsoBrowser, signInAtProvider, startSso } from '../../support/sso-client.ts';
import { startBff, startStack, type Stack } from '../../support/stack.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

/**
 * Two BFFs on one PostgreSQL database, as behind a round-robin balancer: the sign-in throttle, the per-operator rate
 * limit and pending single sign-ons are shared. Each app has its own connections to the database; what only one
 * app's memory held before would not be seen by the other. Operators, sessions and the audit trail come from one
 * store object both apps hold (their PostgreSQL versions are another part of issue 18).
 */

/** The balancer's address, the same for both instances (the provider knows this callback only). */
const PUBLIC_ORIGIN = 'https://viewer-admin.clinic.test';

let idp: TestIdp;
let stack: Stack;
let second: { url: string; close(): Promise<void> };
const closers: (() => Promise<void>)[] = [];

/** Each instance's own store (its own pool) on one PostgreSQL database. */
async function instanceStores(): Promise<[Store, Store]> {
  const url = await freshPostgresUrl();
  const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  return [a, b];
}

beforeAll(async () => {
  idp = await startTestIdp({
    ada: { email: 'ada@clinic.test', emailVerified: true, name: 'Ada Lovelace', groups: ['staff'] },
    grace: { email: 'grace@clinic.test', emailVerified: true, name: 'Grace Hopper', groups: ['staff'] },
  });
  idp.register(PUBLIC_ORIGIN);
  const [a, b] = await instanceStores();
  const sso = idp.settings({ allowedDomains: ['clinic.test'], publicOrigin: PUBLIC_ORIGIN });
  // The test client is the trusted "proxy", so each attempt can come from its own X-Forwarded-For address.
  const security = { trustProxy: ['127.0.0.1'], apiLimit: { requests: 8, windowMs: 60_000 } };
  stack = await startStack({ seed: false, admin: 'none', store: a, sso, security });
  second = await startBff({
    upstreamUrl: stack.sandboxUrl,
    apiKey: stack.sandboxKey,
    admin: 'none',
    store: b,
    sso,
    security,
  });
});

afterAll(async () => {
  await second?.close();
  await stack?.close();
  await idp?.close();
  for (const close of closers.splice(0)) await close();
});

describe('two instances on one PostgreSQL database', () => {
  it('a single sign-on started on A finishes on B, once', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = await startSso(stack.bffUrl, browser);
    const callbackUrl = new URL(await signInAtProvider(authorizationUrl, browser, idp.issuer, 'ada'));
    expect(callbackUrl.origin).toBe(PUBLIC_ORIGIN);
    // The balancer sends the provider's redirect to B.
    const onB = `${second.url}${callbackUrl.pathname}${callbackUrl.search}`;
    const flowCookie = browser.bff.header();
    const callback = await hop(onB, browser.bff);
    expect(callback.status, callback.text).toBe(200);
    const ada = await apiClientOf(stack.bffUrl, browser);
    expect(ada.session.operator).toMatchObject({ email: 'ada@clinic.test', displayName: 'Ada Lovelace' });

    // The same callback replayed (to either instance) finds no flow waiting.
    for (const url of [onB, `${stack.bffUrl}${callbackUrl.pathname}${callbackUrl.search}`]) {
      const replay = await http(url, 'GET', '', { headers: { cookie: flowCookie } });
      expect(replay.status).toBe(303);
      expect(replay.headers.location).toBe('/?sso=expired');
    }
  });

  it('six wrong passwords for one account, alternating A and B: the sixth is 429 with Retry-After', async () => {
    const instances = [stack.bffUrl, second.url];
    for (let i = 0; i < 5; i += 1) {
      const answer = await http(instances[i % 2] ?? '', 'POST', '/api/session', {
        body: { email: 'ada@clinic.test', password: `guess ${i} guess` },
        headers: { ...CSRF_HEADERS, 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      expect(answer.status, answer.text).toBe(401);
    }
    const sixth = await http(second.url, 'POST', '/api/session', {
      body: { email: 'ada@clinic.test', password: 'guess 5 guess' },
      headers: { ...CSRF_HEADERS, 'x-forwarded-for': '203.0.113.99' },
    });
    const problem = expectProblem(sixth, 429, 'rate-limited');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(problem.retryAfter).toBe(Number(sixth.headers['retry-after']));
  });

  it('the per-operator rate limit counts requests to both instances', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = await startSso(stack.bffUrl, browser);
    const callbackUrl = new URL(await signInAtProvider(authorizationUrl, browser, idp.issuer, 'grace'));
    expect(
      (await hop(`${stack.bffUrl}${callbackUrl.pathname}${callbackUrl.search}`, browser.bff)).status,
    ).toBe(200);
    const cookie = browser.bff.header();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const answer = await http(i % 2 === 0 ? stack.bffUrl : second.url, 'GET', '/api/session', {
        headers: { ...CSRF_HEADERS, cookie },
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expectProblem(answer, 429, 'rate-limited');
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
  });
});
