import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema, type AuditRecord } from '../../../src/contract/audit.ts';
import { AddOperatorResultSchema } from '../../../src/contract/operators.ts';
import { expectProblem, http, type HttpAnswer } from '../../support/http.ts';
import { CSRF_HEADERS, deviceCookieOf, signIn } from '../../support/session.ts';
import { startStack, type Stack } from '../../support/stack.ts';

/**
 * Concurrent guessing over real HTTP: attempts are reserved before the password is hashed, so however many arrive at
 * once only 5 are judged; device tokens keep an operator's own browsers out of their account's lockout; a lockout is
 * one audit record and one log line; refused attempts are summarised, not logged or audited one by one.
 */

const PAUSED_LINE = 'Signing in is paused after repeated failures';
const MINUTE = 60_000;

let stack: Stack;
/** The BFF's clock runs `offset` ahead of the real one. */
let offset = 0;

beforeAll(async () => {
  // The test client is the trusted "proxy", so each attempt can come from its own X-Forwarded-For address.
  stack = await startStack({
    seed: false,
    security: { trustProxy: ['127.0.0.1'], now: () => Date.now() + offset },
  });
});
afterAll(async () => {
  await stack.close();
});

function attempt(
  target: Stack,
  body: { email: string; password: string },
  from: string,
  cookie?: string,
): Promise<HttpAnswer> {
  return http(target.bffUrl, 'POST', '/api/session', {
    body,
    headers: { ...CSRF_HEADERS, 'x-forwarded-for': from, ...(cookie === undefined ? {} : { cookie }) },
  });
}

/** A new operator with a password of their own, and the device cookie of the browser they chose it in. */
async function newOperator(target: Stack, email: string) {
  const admin = await target.signIn();
  const added = await admin.post('/api/operators', { email, displayName: email.split('@')[0] });
  expect(added.status, added.text).toBe(201);
  const { initialPassword } = AddOperatorResultSchema.parse(added.json());
  const first = await signIn(target.bffUrl, { email, password: initialPassword });
  const password = `${email} has a long password`;
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: password,
  });
  expect(changed.status, changed.text).toBe(200);
  const again = await attempt(target, { email, password }, '192.0.2.200');
  expect(again.status).toBe(200);
  const device = deviceCookieOf(again);
  if (device === undefined) throw new Error('Signing in set no device cookie.');
  return {
    email,
    device,
    right: { email, password },
    wrong: { email, password: 'not the password at all' },
  };
}

async function auditOf(target: Stack, action: string, email: string): Promise<AuditRecord[]> {
  const admin = await target.signIn();
  const answer = await admin.get(`/api/audit?action=${action}&limit=100`);
  expect(answer.status, answer.text).toBe(200);
  return AuditPageSchema.parse(answer.json()).records.filter((r) => r.operatorEmail === email);
}

const statuses = (answers: HttpAnswer[]) =>
  answers.reduce<Record<number, number>>(
    (counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }),
    {},
  );

/** The log lines written for these requests (by request id), and lines saying a lockout started. */
function linesFor(target: Stack, answers: HttpAnswer[]) {
  const ids = new Set(answers.map((a) => a.headers['x-request-id']));
  const entries = target.logs.entries();
  return {
    perRequest: [...ids].map((id) => entries.filter((e) => e.reqId === id).length),
    all: entries.filter((e) => typeof e.reqId === 'string' && ids.has(e.reqId)),
    paused: entries.filter((e) => e.msg === PAUSED_LINE && typeof e.reqId === 'string' && ids.has(e.reqId)),
  };
}

describe('concurrent guesses', () => {
  it('24 at once from one address: exactly 5 judged; then the right password is refused without a device token and accepted with one', async () => {
    const dana = await newOperator(stack, 'flood.24@clinic.test');
    const flood = await Promise.all(
      Array.from({ length: 24 }, () => attempt(stack, dana.wrong, '203.0.113.24')),
    );
    expect(statuses(flood)).toEqual({ 401: 5, 429: 19 });
    for (const refused of flood.filter((a) => a.status === 429)) {
      const problem = expectProblem(refused, 429, 'rate-limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(problem.retryAfter).toBe(Number(refused.headers['retry-after']));
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    // Each judged attempt is in the audit trail, with the address it came from.
    const failures = (await auditOf(stack, 'session.sign-in', dana.email)).filter(
      (r) => r.outcome === 'failure',
    );
    expect(failures).toHaveLength(5);
    expect(failures.map((r) => r.clientAddress)).toEqual(Array(5).fill('203.0.113.24'));

    // The account is locked for anyone without a device token, from any address...
    const refused = await attempt(stack, dana.right, '198.51.100.24');
    expect(expectProblem(refused, 429, 'rate-limited').detail).toMatch(/this account/);
    // ...but not for the browser Dana signed in with before (from anywhere but the guessing address).
    const own = await attempt(stack, dana.right, '198.51.100.25', dana.device);
    expect(own.status, own.text).toBe(200);
    expect(deviceCookieOf(own)).toBeDefined();
    expect(deviceCookieOf(own)).not.toBe(dana.device);
    // The address's own limit holds for everyone.
    expectProblem(await attempt(stack, dana.right, '203.0.113.24', dana.device), 429, 'rate-limited');
  });

  it('200 at once: 5 judged, one lockout record and line, no line or record per refusal, one summary line per address', async () => {
    const own = await startStack({ seed: false, security: { trustProxy: ['127.0.0.1'] } });
    let closed = false;
    try {
      const lee = await newOperator(own, 'flood.200@clinic.test');
      const flood = await Promise.all(
        Array.from({ length: 200 }, () => attempt(own, lee.wrong, '203.0.113.200')),
      );
      expect(statuses(flood)).toEqual({ 401: 5, 429: 195 });
      expect(
        (await auditOf(own, 'session.sign-in', lee.email)).filter((r) => r.outcome === 'failure'),
      ).toHaveLength(5);
      // The address and the account were locked by the same failure: one record, one line.
      const paused = await auditOf(own, 'session.sign-in-paused', lee.email);
      expect(paused).toHaveLength(1);
      expect(paused[0]).toMatchObject({ outcome: 'refused', clientAddress: '203.0.113.200' });
      expect(paused[0]?.detail).toMatch(/this client address and this account/);
      const lines = linesFor(own, flood);
      expect(lines.paused).toHaveLength(1);
      expect(lines.paused[0]).toMatchObject({
        level: 40,
        signInPaused: { scopes: ['address', 'account'], address: '203.0.113.200', minutes: 15 },
      });
      // At most one line per refused sign-in: the four judged ones' request lines and the lockout's own line.
      expect(Math.max(...lines.perRequest)).toBe(1);
      expect(lines.all).toHaveLength(5);
      expect(lines.all.filter((e) => e.msg === 'request completed')).toHaveLength(4);

      // The 195 refusals are one summary line, written when the window ends (here: when the server stops).
      await own.close();
      closed = true;
      const summaries = own.logs.entries().filter((e) => e.signInRefused !== undefined);
      expect(summaries).toEqual([
        expect.objectContaining({
          level: 40,
          signInRefused: expect.objectContaining({
            address: '203.0.113.200',
            paused: 195,
            busy: 0,
            windowMinutes: 15,
          }),
        }),
      ]);
    } finally {
      if (!closed) await own.close();
    }
  });
});

describe('an address at its limit', () => {
  it('is refused before its request body is read: a broken or oversized body gets the same 429, quietly', async () => {
    const from = '203.0.113.77';
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await attempt(stack, { email: `nobody${i}@clinic.test`, password: 'wrong wrong wrong' }, from))
          .status,
      ).toBe(401);
    }
    const before = stack.logs.lines().length;
    for (const rawBody of ['{"email":', 'x'.repeat(70 * 1024), '{"email":"a@b.c","email":"d@e.f"}']) {
      const refused = await http(stack.bffUrl, 'POST', '/api/session', {
        rawBody,
        headers: { ...CSRF_HEADERS, 'content-type': 'application/json', 'x-forwarded-for': from },
      });
      // Read, these bodies would be a 400 or a 413: the address's pause answers first.
      expectProblem(refused, 429, 'rate-limited');
    }
    expect(stack.logs.lines().slice(before)).toEqual([]);
    // Another address is not held back.
    expect(
      (await attempt(stack, { email: 'nobody@clinic.test', password: 'wrong wrong wrong' }, '203.0.113.78'))
        .status,
    ).toBe(401);
  });
});

describe('device tokens', () => {
  it('a forged, another account’s, malformed or missing token does not escape the account’s lockout', async () => {
    const dana = await newOperator(stack, 'forged.token@clinic.test');
    const lee = await newOperator(stack, 'other.account@clinic.test');
    for (let i = 0; i < 5; i += 1) {
      expect((await attempt(stack, dana.wrong, `203.0.113.${40 + i}`)).status).toBe(401);
    }
    const [name, value = ''] = dana.device.split('=');
    const parts = value.split('.');
    const forgedMac = [...parts.slice(0, 4), 'A'.repeat(43)].join('.');
    const forgedEmail = [parts[0], Buffer.from(lee.email).toString('base64url'), ...parts.slice(2)].join('.');
    for (const cookie of [
      `${name}=${forgedMac}`,
      `${name}=${forgedEmail}`,
      lee.device,
      `${name}=v1.garbage`,
      `${name}=`,
      undefined,
    ]) {
      expectProblem(await attempt(stack, dana.right, '198.51.100.40', cookie), 429, 'rate-limited');
    }
    expect((await attempt(stack, dana.right, '198.51.100.41', dana.device)).status).toBe(200);
  });

  it('a token fails alone: 5 wrong passwords lock that browser out (one record, one line), not the account', async () => {
    const sam = await newOperator(stack, 'device.lockout@clinic.test');
    const tries = [];
    for (let i = 0; i < 5; i += 1)
      tries.push(await attempt(stack, sam.wrong, `203.0.113.${60 + i}`, sam.device));
    expect(statuses(tries)).toEqual({ 401: 5 });
    const paused = await auditOf(stack, 'session.sign-in-paused', sam.email);
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ clientAddress: '203.0.113.64' });
    expect(paused[0]?.detail).toMatch(/this browser/);
    expect(linesFor(stack, tries).paused).toEqual([
      expect.objectContaining({ signInPaused: expect.objectContaining({ scopes: ['device'] }) }),
    ]);
    const refused = await attempt(stack, sam.right, '198.51.100.60', sam.device);
    expect(expectProblem(refused, 429, 'rate-limited').detail).toMatch(/this browser/);
    // The account did not count the token's failures: the right password without the token still works.
    const elsewhere = await attempt(stack, sam.right, '198.51.100.61');
    expect(elsewhere.status).toBe(200);
  });

  it('an expired token, or one locked out before, no longer escapes the account’s lockout', async () => {
    const kim = await newOperator(stack, 'expired.token@clinic.test');
    const burnt = kim.device;
    for (let i = 0; i < 5; i += 1)
      expect((await attempt(stack, kim.wrong, `203.0.113.${80 + i}`, burnt)).status).toBe(401);
    // After the token's lockout ends, it is just a cookie: the account's lockout applies to it.
    offset += 16 * MINUTE;
    const fresh = deviceCookieOf(await attempt(stack, kim.right, '198.51.100.80'));
    for (let i = 0; i < 5; i += 1)
      expect((await attempt(stack, kim.wrong, `203.0.113.${90 + i}`)).status).toBe(401);
    expectProblem(await attempt(stack, kim.right, '198.51.100.81', burnt), 429, 'rate-limited');
    expect((await attempt(stack, kim.right, '198.51.100.82', fresh)).status).toBe(200);

    // 90 days later every token has expired.
    offset += 91 * 24 * 60 * MINUTE;
    const old = deviceCookieOf(await attempt(stack, kim.right, '198.51.100.83'));
    offset += 91 * 24 * 60 * MINUTE;
    for (let i = 0; i < 5; i += 1)
      expect((await attempt(stack, kim.wrong, `203.0.113.${100 + i}`)).status).toBe(401);
    expectProblem(await attempt(stack, kim.right, '198.51.100.84', old), 429, 'rate-limited');
  });
});
