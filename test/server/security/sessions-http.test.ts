import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AddOperatorResultSchema, OperatorSchema } from '../../../src/contract/operators.ts';
import { ProblemSchema } from '../../../src/contract/problem.ts';
import { SessionSchema } from '../../../src/contract/session.ts';
import { expectProblem, http } from '../../support/http.ts';
import type { HttpAnswer } from '../../support/http.ts';
import {
  CSRF_HEADERS,
  TEST_OPERATOR,
  clientFor,
  sessionCookieOf,
  setCookiesOf,
  signIn,
} from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** Sign-in, sessions and sign-out over real HTTP: cookies, rotation, expiry, revocation, identical failures, 429. */

let stack: Stack;

beforeAll(async () => {
  // The test client is the trusted "proxy", so each test can sign in from its own X-Forwarded-For address.
  stack = await startStack({ seed: false, security: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  vi.useRealTimers();
});

function signInRaw(body: unknown, headers: Record<string, string> = {}) {
  return http(stack.bffUrl, 'POST', '/api/session', { body, headers: { ...CSRF_HEADERS, ...headers } });
}

/** Add an operator through the API and return them signed in with their own (changed) password. */
async function newOperator(email: string) {
  const added = await stack.client.post('/api/operators', { email, displayName: email.split('@')[0] });
  expect(added.status, added.text).toBe(201);
  const { initialPassword } = AddOperatorResultSchema.parse(added.json());
  const first = await signIn(stack.bffUrl, { email, password: initialPassword });
  const password = `${email} has a long password`;
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: password,
  });
  expect(changed.status, changed.text).toBe(200);
  return {
    password,
    client: clientFor(stack.bffUrl, sessionCookieOf(changed) ?? '', SessionSchema.parse(changed.json())),
  };
}

describe('signing in', () => {
  it('sets a __Host- session cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain', async () => {
    const answer = await signInRaw(TEST_OPERATOR);
    expect(answer.status).toBe(200);
    const [cookie = '', device = '', ...more] = setCookiesOf(answer);
    expect(more).toEqual([]);
    const [pair = '', ...attributes] = cookie.split(';').map((part) => part.trim());
    expect(pair).toMatch(/^__Host-va_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
    expect(cookie).not.toMatch(/domain|expires|max-age/i);
    // And a device token, kept for 90 days (it only ever spares this browser the account's lockout).
    const [devicePair = '', ...deviceAttributes] = device.split(';').map((part) => part.trim());
    expect(devicePair).toMatch(
      /^__Host-va_device=v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/,
    );
    expect(deviceAttributes.sort()).toEqual([
      'HttpOnly',
      'Max-Age=7776000',
      'Path=/',
      'SameSite=Strict',
      'Secure',
    ]);
    expect(device).not.toMatch(/domain|expires/i);
    expect(SessionSchema.parse(answer.json())).toMatchObject({
      operator: { email: TEST_OPERATOR.email },
      mustChangePassword: false,
      idleTimeoutMinutes: 30,
    });
    expect(answer.text).not.toMatch(/hash|scrypt/i);
    expect(answer.text).not.toContain(TEST_OPERATOR.password);
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('GET /api/session says who is signed in', async () => {
    const client = await stack.signIn();
    const answer = await client.get('/api/session');
    expect(SessionSchema.parse(answer.json()).operator.email).toBe(TEST_OPERATOR.email);
  });

  it('rotates the id at every sign-in, and the old id is refused', async () => {
    const before = await stack.signIn();
    const again = await signInRaw(TEST_OPERATOR, { cookie: before.cookie });
    const after = sessionCookieOf(again);
    expect(after).toBeDefined();
    expect(after).not.toBe(before.cookie);
    expectProblem(await before.get('/api/session'), 401, 'unauthenticated');
    expect(
      (await http(stack.bffUrl, 'GET', '/api/session', { headers: { ...CSRF_HEADERS, cookie: after ?? '' } }))
        .status,
    ).toBe(200);
  });

  it('answers an unknown email and a wrong password identically, in about the same time', async () => {
    const VARYING = new Set(['x-request-id', 'date', 'content-security-policy', 'content-length']);
    const strip = (answer: HttpAnswer) => {
      const problem = Object.entries(ProblemSchema.parse(answer.json())).filter(
        ([key]) => key !== 'requestId',
      );
      const headers = Object.entries(answer.headers).filter(([name]) => !VARYING.has(name));
      return { status: answer.status, problem, headers };
    };
    const from = { 'x-forwarded-for': '198.51.100.1' };
    const unknown = await signInRaw(
      { email: 'nobody.here@clinic.test', password: 'some password here' },
      from,
    );
    const wrong = await signInRaw({ email: TEST_OPERATOR.email, password: 'some password here' }, from);
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(unknown.status).toBe(401);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    // Timing: both run one scrypt verification (a dummy one for the unknown email).
    const time = async (body: unknown, address: string) => {
      const started = performance.now();
      await signInRaw(body, { 'x-forwarded-for': address });
      return performance.now() - started;
    };
    let unknownMs = 0;
    let wrongMs = 0;
    const other = await newOperator('timing.check@clinic.test');
    for (let i = 0; i < 3; i += 1) {
      unknownMs += await time({ email: `ghost${i}@clinic.test`, password: 'x'.repeat(20) }, '198.51.100.2');
      wrongMs += await time({ email: 'timing.check@clinic.test', password: 'x'.repeat(20) }, '198.51.100.3');
    }
    expect(unknownMs / wrongMs).toBeGreaterThan(0.33);
    expect(unknownMs / wrongMs).toBeLessThan(3);
    expect(other.password).toBeDefined();
  });

  it('refuses malformed sign-in bodies with field errors, without a session', async () => {
    const problem = expectProblem(await signInRaw({ email: 'not an email' }), 400, 'validation');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['email', 'password']);
  });
});

describe('brute force', () => {
  it('5 failures for an account → 429 with Retry-After, even for the right password from elsewhere', async () => {
    const { password } = await newOperator('brute.force@clinic.test');
    for (let i = 0; i < 5; i += 1) {
      const answer = await signInRaw(
        { email: 'brute.force@clinic.test', password: `guess ${i} guess` },
        { 'x-forwarded-for': `203.0.113.${i + 1}` },
      );
      expect(answer.status).toBe(401);
    }
    const refused = await signInRaw(
      { email: 'brute.force@clinic.test', password },
      { 'x-forwarded-for': '203.0.113.99' },
    );
    const problem = expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(problem.retryAfter).toBe(Number(refused.headers['retry-after']));
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('5 failures from one address (IPv6: one /64) → 429 for every account from there', async () => {
    const { password } = await newOperator('shared.address@clinic.test');
    for (let i = 0; i < 5; i += 1) {
      const answer = await signInRaw(
        { email: `guess${i}@clinic.test`, password: 'guessing away here' },
        { 'x-forwarded-for': `2001:db8:5:5::${i + 1}` },
      );
      expect(answer.status).toBe(401);
    }
    const body = { email: 'shared.address@clinic.test', password };
    expectProblem(await signInRaw(body, { 'x-forwarded-for': '2001:db8:5:5:abcd::9' }), 429, 'rate-limited');
    expect((await signInRaw(body, { 'x-forwarded-for': '2001:db8:5:6::1' })).status).toBe(200);
  });
});

describe('ending sessions', () => {
  it('sign-out ends the session at once and clears the cookie', async () => {
    const client = await stack.signIn();
    const answer = await client.delete('/api/session');
    expect(answer.status).toBe(204);
    expect(answer.headers['set-cookie']).toMatch(/^__Host-va_session=; .*Max-Age=0/);
    expectProblem(await client.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await client.get('/api/users?limit=1'), 401, 'unauthenticated');
  });

  it('disabling an operator ends their sessions at once; enabling lets them sign in again', async () => {
    const { client, password } = await newOperator('to.disable@clinic.test');
    expect((await client.get('/api/session')).status).toBe(200);
    const disabled = await stack.client.post(`/api/operators/${client.session.operator.id}/disable`, {});
    expect(OperatorSchema.parse(disabled.json()).disabled).toBe(true);
    expectProblem(await client.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await signInRaw({ email: 'to.disable@clinic.test', password }), 403, 'account-disabled');
    await stack.client.post(`/api/operators/${client.session.operator.id}/enable`, {});
    expect((await signInRaw({ email: 'to.disable@clinic.test', password })).status).toBe(200);
  });

  it('an operator cannot disable themselves', async () => {
    const problem = expectProblem(
      await stack.client.post(`/api/operators/${stack.client.session.operator.id}/disable`, {}),
      409,
      'conflict',
    );
    expect(problem.title).toMatch(/own account/);
  });
});

describe('a password set by someone else', () => {
  it('must be changed before anything else: every other /api route answers 403 password-change-required', async () => {
    const added = await stack.client.post('/api/operators', {
      email: 'new.one@clinic.test',
      displayName: 'New One',
    });
    const { initialPassword } = AddOperatorResultSchema.parse(added.json());
    const first = await signIn(stack.bffUrl, { email: 'new.one@clinic.test', password: initialPassword });
    expect(first.session.mustChangePassword).toBe(true);
    for (const path of ['/api/users?limit=1', '/api/mode', '/api/operators', '/api/audit']) {
      expectProblem(await first.get(path), 403, 'password-change-required');
    }
    expect((await first.get('/api/session')).status).toBe(200);
    expectProblem(
      await first.post('/api/session/password', { currentPassword: initialPassword, newPassword: 'short' }),
      400,
      'validation',
    );
    const changed = await first.post('/api/session/password', {
      currentPassword: initialPassword,
      newPassword: 'my own long password',
    });
    expect(changed.status).toBe(200);
    // The password change rotates the session too.
    expectProblem(await first.get('/api/session'), 401, 'unauthenticated');
    const fresh = clientFor(
      stack.bffUrl,
      sessionCookieOf(changed) ?? '',
      SessionSchema.parse(changed.json()),
    );
    expect((await fresh.get('/api/mode')).status).toBe(200);
  });
});

describe('session lifetime over HTTP (fake clock)', () => {
  it('an idle session ends after 30 minutes; an active one lives until 8 hours after sign-in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T08:00:00Z'));
    const idle = await stack.signIn();
    const active = await stack.signIn();
    vi.setSystemTime(new Date('2026-03-02T08:29:00Z'));
    expect((await active.get('/api/session')).status).toBe(200);
    vi.setSystemTime(new Date('2026-03-02T08:31:00Z'));
    expectProblem(await idle.get('/api/session'), 401, 'unauthenticated');
    for (const time of [
      '08:55',
      '09:20',
      '09:45',
      '10:10',
      '10:35',
      '11:00',
      '11:25',
      '11:50',
      '12:15',
      '12:40',
      '13:05',
      '13:30',
      '13:55',
      '14:20',
      '14:45',
      '15:10',
      '15:35',
    ]) {
      vi.setSystemTime(new Date(`2026-03-02T${time}:00Z`));
      expect((await active.get('/api/session')).status, time).toBe(200);
    }
    vi.setSystemTime(new Date('2026-03-02T16:00:00Z'));
    const ended = await active.get('/api/session');
    expectProblem(ended, 401, 'unauthenticated');
    expect(ended.headers['set-cookie']).toMatch(/Max-Age=0/);
  });
});

describe('SESSION_IDLE_MINUTES=1 over HTTP (fake clock)', () => {
  it('a session making a request every 10 seconds is never signed out for idleness', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2026-03-02T08:00:00Z');
    vi.setSystemTime(start);
    const short = await startStack({ seed: false, security: { session: { idleMinutes: 1, maxHours: 8 } } });
    try {
      const busy = short.client;
      const quiet = await short.signIn();
      for (let seconds = 10; seconds <= 300; seconds += 10) {
        vi.setSystemTime(start + seconds * 1000);
        expect((await busy.get('/api/session')).status, `after ${seconds} s`).toBe(200);
      }
      // The quiet one, untouched since sign-in, ended long ago; the busy one ends a minute after its last request.
      expectProblem(await quiet.get('/api/session'), 401, 'unauthenticated');
      vi.setSystemTime(start + 300_000 + 61_000);
      expectProblem(await busy.get('/api/session'), 401, 'unauthenticated');
    } finally {
      vi.useRealTimers();
      await short.close();
    }
  });
});
