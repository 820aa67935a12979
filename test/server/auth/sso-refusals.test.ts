import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInMethodsSchema } from '../../../src/contract/session.ts';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import { AddOperatorResultSchema, OperatorListSchema } from '../../../src/contract/operators.ts';
import {
  SSO_FLOW_COOKIE,
  SSO_STARTS_ALL_PER_MINUTE,
  SSO_STARTS_PER_MINUTE,
} from '../../../src/server/routes/sso.ts';
import { http } from '../../support/http.ts';
import { TEST_IDP_NAME, startTestIdp, type TestIdp } from '../../support/oidc-provider.ts';
import { CSRF_HEADERS, TEST_OPERATOR } from '../../support/session.ts';
import {
  apiClientOf,
  hop,
  newSsoBrowser,
  signInAtProvider,
  ssoSignIn,
  startSso,
} from '../../support/sso-client.ts';
import { startBff, startStack, type Stack } from '../../support/stack.ts';

/** The detail of the last refusal the BFF logged (the library's reason: the test proves it is the one meant). */
function lastRefusal(stack: Stack): string {
  const refusals = stack.logs
    .entries()
    .map((entry) => entry.sso)
    .filter((sso): sso is { detail: string } => typeof sso === 'object' && sso !== null && 'detail' in sso);
  return refusals.at(-1)?.detail ?? '';
}

/** What single sign-on refuses: tampered or replayed answers, expired tokens, a provider that is down, passwords off. */

const ACCOUNTS = {
  ada: { email: 'ada@clinic.test', emailVerified: true, name: 'Ada Lovelace', groups: ['staff'] },
  // The same address as the password operator the stack starts with.
  local: { email: TEST_OPERATOR.email, emailVerified: false, name: 'Local Person' },
  localVerified: { email: TEST_OPERATOR.email, emailVerified: true, name: 'Local Person' },
  bob: { email: 'bob@clinic.test', emailVerified: true, name: 'Bob' },
  added: { email: 'added@clinic.test', emailVerified: true, name: 'Added Person' },
};

describe('tampered and replayed answers', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS);
    stack = await startStack({ seed: false, sso: idp.settings() });
    idp.register(stack.bffUrl);
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  it('refuses a callback whose state is not the one sent', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = await startSso(stack.bffUrl, browser);
    const callbackUrl = new URL(await signInAtProvider(authorizationUrl, browser, idp.issuer, 'ada'));
    callbackUrl.searchParams.set('state', 'not-the-state-that-was-sent');
    const answer = await hop(callbackUrl.href, browser.bff);
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=failed`);
    expect(lastRefusal(stack)).toContain('"state"');
    expect(browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it("refuses another browser's answer (the flow is bound to the browser that started it)", async () => {
    const victim = newSsoBrowser();
    await startSso(stack.bffUrl, victim);
    const attacker = newSsoBrowser();
    const attackerUrl = await startSso(stack.bffUrl, attacker);
    const callbackUrl = await signInAtProvider(attackerUrl, attacker, idp.issuer, 'bob');
    // Login CSRF: the attacker's code and state, carried into the victim's browser.
    const answer = await hop(callbackUrl, victim.bff);
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=failed`);
    expect(victim.bff.cookies.has('__Host-va_session')).toBe(false);
    // Without any flow cookie at all.
    const bare = await hop(callbackUrl, newSsoBrowser().bff);
    expect(bare.location).toBe(`${stack.bffUrl}/?sso=expired`);
  });

  it('refuses a replayed callback (code and flow are single use)', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = await startSso(stack.bffUrl, browser);
    const flowCookie = browser.bff.cookies.get(SSO_FLOW_COOKIE) ?? '';
    const callbackUrl = await signInAtProvider(authorizationUrl, browser, idp.issuer, 'ada');
    const first = await hop(callbackUrl, browser.bff);
    expect(first.status).toBe(200);
    expect(browser.bff.cookies.has(SSO_FLOW_COOKIE)).toBe(false);

    const replay = newSsoBrowser();
    replay.bff.cookies.set(SSO_FLOW_COOKIE, flowCookie);
    const again = await hop(callbackUrl, replay.bff);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`${stack.bffUrl}/?sso=expired`);
    expect(replay.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = new URL(await startSso(stack.bffUrl, browser));
    authorizationUrl.searchParams.set('nonce', 'a-nonce-this-browser-never-sent');
    const callbackUrl = await signInAtProvider(authorizationUrl.href, browser, idp.issuer, 'ada');
    const answer = await hop(callbackUrl, browser.bff);
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=failed`);
    expect(lastRefusal(stack)).toContain('"nonce"');
    expect(browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it('refuses a code sent without the PKCE challenge it was issued for', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = new URL(await startSso(stack.bffUrl, browser));
    // An attacker's own challenge: the BFF's verifier then does not match it at the token endpoint.
    authorizationUrl.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const callbackUrl = await signInAtProvider(authorizationUrl.href, browser, idp.issuer, 'ada');
    const answer = await hop(callbackUrl, browser.bff);
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=failed`);
    expect(lastRefusal(stack)).toContain('invalid_grant');
  });

  it('says so when the person cancels at the provider', async () => {
    const browser = newSsoBrowser();
    const authorizationUrl = new URL(await startSso(stack.bffUrl, browser));
    const state = authorizationUrl.searchParams.get('state') ?? '';
    const answer = await hop(
      `${stack.bffUrl}/auth/sso/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(idp.issuer)}`,
      browser.bff,
    );
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=cancelled`);

    const other = newSsoBrowser();
    await startSso(stack.bffUrl, other);
    const forged = await hop(
      `${stack.bffUrl}/auth/sso/callback?error=access_denied&state=not-its-state&iss=${encodeURIComponent(idp.issuer)}`,
      other.bff,
    );
    expect(forged.location).toBe(`${stack.bffUrl}/?sso=failed`);
  });

  it('links an existing password operator only when the provider says the e-mail is verified', async () => {
    const unverified = await ssoSignIn(stack.bffUrl, idp.issuer, 'local');
    expect(unverified.callback.location).toBe(`${stack.bffUrl}/?sso=taken`);

    const verified = await ssoSignIn(stack.bffUrl, idp.issuer, 'localVerified');
    expect(verified.callback.status).toBe(200);
    const client = await apiClientOf(stack.bffUrl, verified.browser);
    expect(client.session.operator).toMatchObject({
      id: stack.client.session.operator.id,
      role: 'administrator',
    });
  });

  it('an operator added with a first password and then linked: no password change asked, the first password retired', async () => {
    const added = await stack.api('POST', '/api/operators', {
      body: { email: 'added@clinic.test', displayName: 'Added Person', role: 'viewer' },
    });
    expect(added.status, added.text).toBe(201);
    const { initialPassword } = AddOperatorResultSchema.parse(added.json());

    const linked = await ssoSignIn(stack.bffUrl, idp.issuer, 'added');
    expect(linked.callback.status).toBe(200);
    const client = await apiClientOf(stack.bffUrl, linked.browser);
    expect(client.session.mustChangePassword).toBe(false);
    expect((await client.get('/api/directory/status')).status).toBe(200);

    const withFirstPassword = await http(stack.bffUrl, 'POST', '/api/session', {
      headers: { ...CSRF_HEADERS },
      body: { email: 'added@clinic.test', password: initialPassword },
    });
    expect(withFirstPassword.status).toBe(401);
  });

  it('an operator made by single sign-on has no password to reset (409 naming why)', async () => {
    const bob = await ssoSignIn(stack.bffUrl, idp.issuer, 'bob');
    expect(bob.callback.status).toBe(200);
    const { operators } = OperatorListSchema.parse((await stack.api('GET', '/api/operators')).json());
    const id = operators.find((o) => o.email === 'bob@clinic.test')?.id ?? '';
    const reset = await stack.api('POST', `/api/operators/${id}/reset-password`, { body: {} });
    expect(reset.status).toBe(409);
    expect(reset.json()).toMatchObject({ title: 'This operator signs in through single sign-on' });
  });

  it('refuses a disabled operator', async () => {
    const bob = await ssoSignIn(stack.bffUrl, idp.issuer, 'bob');
    expect(bob.callback.status).toBe(200);
    const { operators } = OperatorListSchema.parse((await stack.api('GET', '/api/operators')).json());
    const id = operators.find((o) => o.email === 'bob@clinic.test')?.id ?? '';
    expect((await stack.api('POST', `/api/operators/${id}/disable`)).status).toBe(200);
    const again = await ssoSignIn(stack.bffUrl, idp.issuer, 'bob');
    expect(again.callback.location).toBe(`${stack.bffUrl}/?sso=disabled`);
    expect(again.browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it('tells the sign-in screen both ways in, and the provider sign-out once its metadata is known', async () => {
    const answer = await http(stack.bffUrl, 'GET', '/api/session/methods', { headers: { ...CSRF_HEADERS } });
    expect(answer.status, answer.text).toBe(200);
    expect(SignInMethodsSchema.parse(answer.json())).toEqual({
      password: true,
      sso: { providerName: TEST_IDP_NAME, providerSignOut: true },
    });
  });

  it("offers the provider's sign-out with the ID token as hint, and ends the local session too", async () => {
    const { browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    const client = await apiClientOf(stack.bffUrl, browser);
    const answer = await hop(`${stack.bffUrl}/auth/sso/logout`, browser.bff);
    expect(answer.status).toBe(303);
    const url = new URL(answer.location ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe(idp.clientId);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.bffUrl}/`);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await client.get('/api/session')).status).toBe(401);
    // The provider accepts it: its own sign-out page, then back to the BFF.
    const atProvider = await hop(url.href, browser.idp);
    expect(atProvider.status).toBe(200);
  });
});

describe('an expired ID token', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS, { idTokenTtlSeconds: 60 });
    // The BFF's clock is ten minutes ahead: every ID token it receives has expired (beyond the 30 s tolerance).
    stack = await startStack({
      seed: false,
      sso: idp.settings(),
      security: { now: () => Date.now() + 10 * 60_000 },
    });
    idp.register(stack.bffUrl);
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  it('is refused', async () => {
    const { callback, browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    expect(callback.location).toBe(`${stack.bffUrl}/?sso=failed`);
    expect(lastRefusal(stack)).toContain('"exp"');
    expect(browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });
});

describe('a provider that is down', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS);
    const settings = idp.settings();
    await idp.close();
    stack = await startStack({ seed: false, sso: settings });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('sends the browser back to the sign-in screen with a reason, and passwords still work', async () => {
    const answer = await hop(`${stack.bffUrl}/auth/sso/start`, newSsoBrowser().bff);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${stack.bffUrl}/?sso=unavailable`);
    expect((await stack.signIn()).session.operator.email).toBe(TEST_OPERATOR.email);
    const methods = await http(stack.bffUrl, 'GET', '/api/session/methods', { headers: { ...CSRF_HEADERS } });
    expect(SignInMethodsSchema.parse(methods.json())).toEqual({
      password: true,
      sso: { providerName: TEST_IDP_NAME, providerSignOut: false },
    });
  });
});

describe('LOCAL_SIGN_IN=off', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS);
    stack = await startStack({
      seed: false,
      admin: 'none',
      sso: idp.settings({ localSignIn: false, roleMap: [['va-admins', 'administrator']] }),
    });
    idp.register(stack.bffUrl);
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  it('creates no bootstrap operator, refuses passwords, and makes the first single sign-on an Administrator', async () => {
    const password = await http(stack.bffUrl, 'POST', '/api/session', {
      body: TEST_OPERATOR,
      headers: { ...CSRF_HEADERS },
    });
    expect(password.status).toBe(403);
    expect(password.json()).toMatchObject({ title: `Sign in with ${TEST_IDP_NAME}` });
    const methods = await http(stack.bffUrl, 'GET', '/api/session/methods', { headers: { ...CSRF_HEADERS } });
    expect(SignInMethodsSchema.parse(methods.json()).password).toBe(false);

    const first = await ssoSignIn(stack.bffUrl, idp.issuer, 'bob');
    const bob = await apiClientOf(stack.bffUrl, first.browser);
    expect(bob.session.operator.role).toBe('administrator');
    const second = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    expect((await apiClientOf(stack.bffUrl, second.browser)).session.operator.role).toBe('viewer');
    // Bob is in no mapped group, but a sign-in never demotes the last active Administrator.
    const again = await ssoSignIn(stack.bffUrl, idp.issuer, 'bob');
    expect((await apiClientOf(stack.bffUrl, again.browser)).session.operator.role).toBe('administrator');
    const audit = AuditPageSchema.parse((await bob.get('/api/audit?action=session.sign-in')).json());
    expect(audit.records.map((r) => r.detail).join('\n')).toContain('they are the last active Administrator');
  });
});

describe('without OIDC_*', () => {
  it('serves no single sign-on route, and the sign-in screen is told passwords only', async () => {
    const bff = await startBff({ upstreamUrl: 'http://127.0.0.1:9', apiKey: 'sk_test_unused' });
    try {
      for (const path of ['/auth/sso/start', '/auth/sso/callback?code=x&state=y', '/auth/sso/logout']) {
        expect((await http(bff.url, 'GET', path)).status, path).toBe(404);
      }
      const methods = await http(bff.url, 'GET', '/api/session/methods', { headers: { ...CSRF_HEADERS } });
      expect(SignInMethodsSchema.parse(methods.json())).toEqual({ password: true, sso: null });
    } finally {
      await bff.close();
    }
  });
});

describe('floods from many addresses', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS);
    // The test client is the trusted proxy: each start says which address it comes from.
    stack = await startStack({ seed: false, sso: idp.settings(), security: { trustProxy: ['127.0.0.1'] } });
    idp.register(stack.bffUrl);
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });
  const startFrom = (address: string) =>
    http(stack.bffUrl, 'GET', '/auth/sso/start', { headers: { 'x-forwarded-for': address } });

  it('counts an IPv6 client by its /64: new addresses in the same network share its limit', async () => {
    for (let start = 0; start < SSO_STARTS_PER_MINUTE; start += 1) {
      const answer = await startFrom(`2001:db8:1:2::${(start + 1).toString(16)}`);
      expect(answer.headers.location ?? '').toMatch(new RegExp(`^${idp.issuer}`));
    }
    expect((await startFrom('2001:db8:1:2:ffff::1')).headers.location).toBe('/?sso=busy');
    expect((await startFrom('2001:db8:1:3::1')).headers.location ?? '').toMatch(new RegExp(`^${idp.issuer}`));
  });

  it(`everyone together starts at most ${SSO_STARTS_ALL_PER_MINUTE} sign-ins a minute, whatever their addresses`, async () => {
    // One start was made by the test above (2001:db8:1:3::1), and 30 from its network.
    const made = SSO_STARTS_PER_MINUTE + 1;
    for (let start = made; start < SSO_STARTS_ALL_PER_MINUTE; start += 1) {
      const answer = await startFrom(`10.${(start >> 16) & 255}.${(start >> 8) & 255}.${start & 255}`);
      expect(answer.headers.location ?? '').toMatch(new RegExp(`^${idp.issuer}`));
    }
    expect((await startFrom('198.51.100.99')).headers.location).toBe('/?sso=busy');
  }, 60_000);
});

describe('floods and other sites', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp(ACCOUNTS);
    stack = await startStack({ seed: false, sso: idp.settings() });
    idp.register(stack.bffUrl);
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  it(`one address starts at most ${SSO_STARTS_PER_MINUTE} sign-ins a minute; the next is sent back with a reason`, async () => {
    for (let start = 0; start < SSO_STARTS_PER_MINUTE; start += 1) {
      const answer = await http(stack.bffUrl, 'GET', '/auth/sso/start');
      expect(answer.headers.location ?? '').toMatch(new RegExp(`^${idp.issuer}`));
    }
    const refused = await http(stack.bffUrl, 'GET', '/auth/sso/start');
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/?sso=busy');
  });

  it('a page of another site cannot send anyone through the provider sign-out', async () => {
    const answer = await http(stack.bffUrl, 'GET', '/auth/sso/logout', {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/?sso=failed');
  });
});
