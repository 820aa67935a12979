import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, http } from '../../support/http.ts';
import { CSRF_HEADERS, TEST_OPERATOR, sessionCookieOf } from '../../support/session.ts';
import { startBff, startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** The per-operator /api limit, and whose X-Forwarded-For is believed (TRUST_PROXY). */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ seed: false, security: { apiLimit: { requests: 10, windowMs: 60_000 } } });
});
afterAll(async () => {
  await stack.close();
});

describe('the /api limit per operator', () => {
  it('answers 429 with Retry-After once an operator has used their allowance, per operator', async () => {
    const mine = stack.client;
    let status = 200;
    let count = 0;
    while (status === 200 && count < 20) {
      status = (await mine.get('/api/mode')).status;
      count += 1;
    }
    // The sign-in itself is not counted; the allowance is 10 requests per minute here.
    expect(count).toBe(11);
    const refused = await mine.get('/api/mode');
    const problem = expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(problem.retryAfter).toBe(Number(refused.headers['retry-after']));
    // Another session of the same operator shares the allowance...
    expectProblem(await (await stack.signIn()).get('/api/mode'), 429, 'rate-limited');
  });
});

describe('TRUST_PROXY unset', () => {
  it('ignores X-Forwarded-For: a client cannot pick the address it is limited by', async () => {
    for (let i = 0; i < 5; i += 1) {
      await http(stack.bffUrl, 'POST', '/api/session', {
        body: { email: `nobody${i}@clinic.test`, password: 'wrong wrong wrong' },
        headers: { ...CSRF_HEADERS, 'x-forwarded-for': `203.0.113.${i}` },
      });
    }
    const answer = await http(stack.bffUrl, 'POST', '/api/session', {
      body: TEST_OPERATOR,
      headers: { ...CSRF_HEADERS, 'x-forwarded-for': '198.51.100.200' },
    });
    expectProblem(answer, 429, 'rate-limited');
  });

  it('ignores X-Forwarded-Proto and -Host: the origin check uses the real connection', async () => {
    const answer = await stack.api('GET', '/api/session', {
      headers: {
        origin: 'https://evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      },
    });
    expectProblem(answer, 403, 'forbidden');
  });
});

describe('TRUST_PROXY set to the proxy', () => {
  it('believes the proxy about the protocol and host the browser used, and answers only the public origin', async () => {
    const behindProxy = await startBff({
      upstreamUrl: 'http://127.0.0.1:9',
      apiKey: 'sk_proxy_test_key',
      security: { trustProxy: ['127.0.0.1'], publicOrigins: ['https://viewer-admin.clinic.example'] },
    });
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'viewer-admin.clinic.example' };
    try {
      const signedIn = await http(behindProxy.url, 'POST', '/api/session', {
        body: TEST_OPERATOR,
        headers: { ...CSRF_HEADERS, ...forwarded, origin: 'https://viewer-admin.clinic.example' },
      });
      expect(signedIn.status, signedIn.text).toBe(200);
      const cookie = sessionCookieOf(signedIn) ?? '';
      const viaProxy = await http(behindProxy.url, 'GET', '/api/session', {
        headers: { ...CSRF_HEADERS, ...forwarded, cookie, origin: 'https://viewer-admin.clinic.example' },
      });
      expect(viaProxy.status).toBe(200);
      const forged = await http(behindProxy.url, 'GET', '/api/session', {
        headers: { ...CSRF_HEADERS, ...forwarded, cookie, origin: 'https://evil.example' },
      });
      expectProblem(forged, 403, 'forbidden');
      // Any other host, forwarded or direct, is not served at all.
      const hosts: Record<string, string>[] = [
        { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
        {},
      ];
      for (const headers of hosts) {
        const otherHost = await http(behindProxy.url, 'GET', '/api/session', {
          headers: { ...CSRF_HEADERS, ...headers, cookie },
        });
        expectProblem(otherHost, 421, 'misdirected-request');
      }
    } finally {
      await behindProxy.close();
    }
  });
});
