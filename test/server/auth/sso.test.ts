import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import { OperatorListSchema } from '../../../src/contract/operators.ts';
import { startStack, type Stack } from '../../support/stack.ts';
import { TEST_IDP_NAME, startTestIdp, type TestIdp } from '../../support/oidc-provider.ts';
import { apiClientOf, hop, newSsoBrowser, ssoSignIn } from '../../support/sso-client.ts';

/** Single sign-on against a real OpenID provider on loopback: the happy path and what changes at each sign-in. */

let idp: TestIdp;
let stack: Stack;

beforeAll(async () => {
  idp = await startTestIdp({
    ada: {
      email: 'ada@clinic.test',
      emailVerified: true,
      name: 'Ada Lovelace',
      groups: ['staff', 'va-inviters'],
    },
    outsider: { email: 'eve@elsewhere.test', emailVerified: true, name: 'Eve', groups: ['staff'] },
    nogroup: { email: 'nogroup@clinic.test', emailVerified: true, name: 'No Group', groups: ['visitors'] },
    unverified: { email: 'claimed@clinic.test', emailVerified: false, name: 'Claimed', groups: ['staff'] },
    grace: { email: 'grace@clinic.test', emailVerified: true, name: 'Grace', groups: ['staff'] },
    lookalike: { email: 'grace@clinic.test', emailVerified: true, name: 'Not Grace', groups: ['staff'] },
  });
  stack = await startStack({
    seed: false,
    sso: idp.settings({
      allowedDomains: ['clinic.test'],
      allowedGroups: ['staff'],
      roleMap: [
        ['va-admins', 'administrator'],
        ['va-inviters', 'inviter'],
      ],
    }),
  });
  idp.register(stack.bffUrl);
});

afterAll(async () => {
  await stack?.close();
  await idp?.close();
});

describe('single sign-on', () => {
  it('signs a new operator in with the mapped role, the same session as a password, and an audit record', async () => {
    const { callback, browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    expect(callback.status, callback.text).toBe(200);
    expect(callback.text).toContain('http-equiv="refresh"');
    const session = callback.setCookies.find((c) => c.startsWith('__Host-va_session='));
    expect(session).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict$/);

    const ada = await apiClientOf(stack.bffUrl, browser);
    expect(ada.session.operator).toMatchObject({
      email: 'ada@clinic.test',
      displayName: 'Ada Lovelace',
      role: 'inviter',
    });
    expect(ada.session.idleTimeoutMinutes).toBe(30);
    // The same CSRF rule as any session: no X-CSRF, no answer.
    const noCsrf = await ada.get('/api/session', { headers: { 'x-csrf': '' } });
    expect(noCsrf.status).toBe(403);

    const operators = OperatorListSchema.parse((await stack.api('GET', '/api/operators')).json());
    expect(operators.operators.find((o) => o.email === 'ada@clinic.test')?.role).toBe('inviter');
    const audit = AuditPageSchema.parse((await stack.api('GET', '/api/audit?action=session.sign-in')).json());
    const record = audit.records.find((e) => e.operatorEmail === 'ada@clinic.test');
    expect(record).toMatchObject({ outcome: 'success' });
    expect(record?.detail).toContain(`Single sign-on with ${TEST_IDP_NAME}. Created as Inviter.`);
  });

  it('brings name and role up to date at the next sign-in', async () => {
    idp.accounts.set('ada', {
      email: 'ada@clinic.test',
      emailVerified: true,
      name: 'Ada King',
      groups: ['staff', 'va-admins'],
    });
    const { callback, browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    expect(callback.status, callback.text).toBe(200);
    const ada = await apiClientOf(stack.bffUrl, browser);
    expect(ada.session.operator).toMatchObject({ displayName: 'Ada King', role: 'administrator' });
  });

  it('refuses someone outside the allowed domains', async () => {
    const { callback, browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'outsider');
    expect(callback.status).toBe(303);
    expect(callback.location).toBe(`${stack.bffUrl}/?sso=domain`);
    expect(browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it('refuses an address in an allowed domain that the provider does not say is verified', async () => {
    const { callback, browser } = await ssoSignIn(stack.bffUrl, idp.issuer, 'unverified');
    expect(callback.location).toBe(`${stack.bffUrl}/?sso=domain`);
    expect(browser.bff.cookies.has('__Host-va_session')).toBe(false);
  });

  it('another identity with the same verified e-mail cannot take over an operator already linked to one', async () => {
    const grace = await ssoSignIn(stack.bffUrl, idp.issuer, 'grace');
    expect(grace.callback.status).toBe(200);
    const graceId = (await apiClientOf(stack.bffUrl, grace.browser)).session.operator.id;
    // Another account at the provider that now carries Grace's (verified) address.
    const other = await ssoSignIn(stack.bffUrl, idp.issuer, 'lookalike');
    expect(other.callback.location).toBe(`${stack.bffUrl}/?sso=taken`);
    expect(other.browser.bff.cookies.has('__Host-va_session')).toBe(false);
    const again = await ssoSignIn(stack.bffUrl, idp.issuer, 'grace');
    expect((await apiClientOf(stack.bffUrl, again.browser)).session.operator.id).toBe(graceId);
  });

  it('refuses someone outside the allowed groups', async () => {
    const { callback } = await ssoSignIn(stack.bffUrl, idp.issuer, 'nogroup');
    expect(callback.location).toBe(`${stack.bffUrl}/?sso=group`);
  });

  it('refuses, and signs out everywhere, an operator whose group no longer qualifies', async () => {
    const first = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    const ada = await apiClientOf(stack.bffUrl, first.browser);
    idp.accounts.set('ada', {
      email: 'ada@clinic.test',
      emailVerified: true,
      name: 'Ada King',
      groups: ['alumni'],
    });
    const again = await ssoSignIn(stack.bffUrl, idp.issuer, 'ada');
    expect(again.callback.location).toBe(`${stack.bffUrl}/?sso=group`);
    expect((await ada.get('/api/session')).status).toBe(401);
  });

  it('never caches its pages and keeps the security headers', async () => {
    const answer = await hop(`${stack.bffUrl}/auth/sso/start`, newSsoBrowser().bff);
    expect(answer.status).toBe(303);
    const raw = await fetch(`${stack.bffUrl}/auth/sso/callback?code=x&state=y`, { redirect: 'manual' });
    expect(raw.status).toBe(303);
    expect(raw.headers.get('location')).toBe('/?sso=expired');
    expect(raw.headers.get('cache-control')).toBe('no-store');
    expect(raw.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(raw.headers.get('x-frame-options')).toBe('DENY');
  });
});
