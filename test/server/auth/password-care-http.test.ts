import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { AddOperatorResultSchema, ResetPasswordResultSchema } from '../../../src/contract/operators.ts';
import { ProblemSchema } from '../../../src/contract/problem.ts';
import type { Problem } from '../../../src/contract/problem.ts';
import { SessionSchema } from '../../../src/contract/session.ts';
import { createGatedHasher } from '../../support/gated-hasher.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { expectProblem, http } from '../../support/http.ts';
import { CSRF_HEADERS, TEST_OPERATOR, clientFor, sessionCookieOf, signIn } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** Password care in the app, over real HTTP: change your own, an administrator's reset, the disabled account. */

let stack: Stack;
let nextAddress = 10;

beforeAll(async () => {
  // The test client is the trusted "proxy", so each sign-in can come from its own X-Forwarded-For address.
  stack = await startStack({ seed: false, security: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => {
  await stack.close();
});

/** A fresh client address, so the address throttle of one test never touches another. */
const freshAddress = () => ({ 'x-forwarded-for': `203.0.113.${nextAddress++}` });

function signInRaw(body: unknown, headers: Record<string, string> = freshAddress()) {
  return http(stack.bffUrl, 'POST', '/api/session', { body, headers: { ...CSRF_HEADERS, ...headers } });
}

/** Sign in from a fresh address; fails the test unless it works. */
async function signInFresh(email: string, password: string): Promise<SignedInClient> {
  const answer = await signInRaw({ email, password });
  expect(answer.status, answer.text).toBe(200);
  return clientFor(stack.bffUrl, sessionCookieOf(answer) ?? '', SessionSchema.parse(answer.json()));
}

/** Add an operator through the API and return their id and their own (changed) password. */
async function newOperator(email: string): Promise<{ id: string; password: string }> {
  const added = await stack.client.post('/api/operators', { email, displayName: email.split('@')[0] });
  expect(added.status, added.text).toBe(201);
  const { initialPassword, operator } = AddOperatorResultSchema.parse(added.json());
  const first = await signIn(stack.bffUrl, { email, password: initialPassword });
  const password = `${email} has a long password`;
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: password,
  });
  expect(changed.status, changed.text).toBe(200);
  return { id: operator.id, password };
}

async function auditOf(action: string): Promise<AuditRecord[]> {
  const answer = await stack.api('GET', `/api/audit?action=${action}`);
  expect(answer.status, answer.text).toBe(200);
  return AuditPageSchema.parse(answer.json()).records;
}

describe('changing your own password', () => {
  it('needs the current password, ends every other session, keeps this one under a new id, and is audited', async () => {
    const email = 'changer@clinic.test';
    const { password } = await newOperator(email);
    const here = await signInFresh(email, password);
    const elsewhere = await signInFresh(email, password);
    const newPassword = 'a brand new password of mine';

    const changed = await here.post('/api/session/password', { currentPassword: password, newPassword });
    expect(changed.status, changed.text).toBe(200);
    expect(SessionSchema.parse(changed.json())).toMatchObject({
      operator: { email },
      mustChangePassword: false,
    });
    const freshCookie = sessionCookieOf(changed);
    expect(freshCookie).toBeDefined();
    expect(freshCookie).not.toBe(here.cookie);

    // The other browser and the old id are signed out; this browser carries on with its new id.
    expectProblem(await elsewhere.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await here.get('/api/session'), 401, 'unauthenticated');
    const fresh = clientFor(stack.bffUrl, freshCookie ?? '', SessionSchema.parse(changed.json()));
    expect((await fresh.get('/api/session')).status).toBe(200);

    // Only the new password signs in now.
    expectProblem(await signInRaw({ email, password }), 401, 'unauthenticated');
    await signInFresh(email, newPassword);

    const [record] = (await auditOf('session.password-change')).filter((r) => r.operatorEmail === email);
    expect(record).toMatchObject({ outcome: 'success' });
  });

  it('puts a wrong current password on its field, changes nothing and ends no session', async () => {
    const email = 'wrong.current@clinic.test';
    const { password } = await newOperator(email);
    const here = await signInFresh(email, password);
    const elsewhere = await signInFresh(email, password);
    const problem = expectProblem(
      await here.post('/api/session/password', {
        currentPassword: 'not my password at all',
        newPassword: 'a brand new password of mine',
      }),
      400,
      'validation',
    );
    expect(problem.errors).toEqual([
      { path: 'currentPassword', message: 'That is not your current password.' },
    ]);
    expect((await here.get('/api/session')).status).toBe(200);
    expect((await elsewhere.get('/api/session')).status).toBe(200);
    await signInFresh(email, password);
    const [record] = (await auditOf('session.password-change')).filter((r) => r.operatorEmail === email);
    expect(record).toMatchObject({ outcome: 'failure', detail: 'Wrong current password.' });
  });

  it('guessing the current password counts against the account like signing in: 5 wrong → 429 everywhere', async () => {
    const email = 'guessed.current@clinic.test';
    const { password } = await newOperator(email);
    const thief = await signInFresh(email, password);
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await thief.post('/api/session/password', {
          currentPassword: `guess number ${i}`,
          newPassword: 'the thief wants this one',
        }),
        400,
        'validation',
      );
    }
    // Further guesses, even the right password, are refused; so is signing in to the account from anywhere new.
    expectProblem(
      await thief.post('/api/session/password', {
        currentPassword: password,
        newPassword: 'the thief wants this one',
      }),
      429,
      'rate-limited',
    );
    const paused = expectProblem(await signInRaw({ email, password }), 429, 'rate-limited');
    expect(paused.retryAfter).toBeGreaterThan(0);
  });
});

describe('an administrator resets another operator’s password', () => {
  it('answers a one-time password that works once, must be changed at sign-in, and ends their sessions', async () => {
    const email = 'forgetful@clinic.test';
    const { id, password } = await newOperator(email);
    const theirs = await signInFresh(email, password);
    const another = await signInFresh(email, password);

    const answer = await stack.client.post(`/api/operators/${id}/reset-password`, {});
    expect(answer.status, answer.text).toBe(200);
    const reset = ResetPasswordResultSchema.parse(answer.json());
    expect(reset.operator).toMatchObject({ id, email, mustChangePassword: true, disabled: false });
    expect(reset.oneTimePassword.length).toBeGreaterThanOrEqual(12);
    expect(answer.headers['cache-control']).toMatch(/no-store/);

    // Every session of theirs ended; the old password no longer works.
    expectProblem(await theirs.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await another.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await signInRaw({ email, password }), 401, 'unauthenticated');

    // The one-time password signs in, but only to choose a new password.
    const first = await signInFresh(email, reset.oneTimePassword);
    expect(first.session.mustChangePassword).toBe(true);
    expectProblem(await first.get('/api/operators'), 403, 'password-change-required');
    const chosen = 'my new remembered password';
    const changed = await first.post('/api/session/password', {
      currentPassword: reset.oneTimePassword,
      newPassword: chosen,
    });
    expect(changed.status, changed.text).toBe(200);
    expect(SessionSchema.parse(changed.json()).mustChangePassword).toBe(false);

    // Once changed, the one-time password is spent.
    expectProblem(await signInRaw({ email, password: reset.oneTimePassword }), 401, 'unauthenticated');
    await signInFresh(email, chosen);

    const [record] = (await auditOf('operator.reset-password')).filter((r) => r.targetEmail === email);
    expect(record).toMatchObject({
      outcome: 'success',
      operatorEmail: stack.client.session.operator.email,
      targetOperatorId: id,
    });

    // Never logged, never stored in plain text.
    expect(stack.logs.lines().join('\n')).not.toContain(reset.oneTimePassword);
    const files = readdirSync(stack.bffDataDir, { withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => f.name).some((name) => name.endsWith('.sqlite') || name.endsWith('.db'))).toBe(
      true,
    );
    for (const file of files) {
      const bytes = readFileSync(join(stack.bffDataDir, file.name));
      expect(bytes.includes(reset.oneTimePassword), file.name).toBe(false);
    }
  });

  it('refuses to reset your own password (409: use Change password), and changes nothing', async () => {
    const me = stack.client.session.operator.id;
    const problem = expectProblem(
      await stack.client.post(`/api/operators/${me}/reset-password`, {}),
      409,
      'conflict',
    );
    expect(problem.title).toBe('You cannot reset your own password');
    expect(problem.detail).toMatch(/Change password/);
    expect((await stack.client.get('/api/session')).status).toBe(200);
  });

  it('answers 404 for an unknown operator and 400 for a body that is not empty', async () => {
    expectProblem(
      await stack.client.post(`/api/operators/opr_${'0'.repeat(32)}/reset-password`, {}),
      404,
      'not-found',
    );
    const { id } = await newOperator('body.check@clinic.test');
    expectProblem(
      await stack.client.post(`/api/operators/${id}/reset-password`, { password: 'chosen by me please' }),
      400,
      'validation',
    );
    expectProblem(await stack.client.post('/api/operators/not-an-id/reset-password', {}), 400, 'validation');
  });
});

describe('a disabled operator signing in', () => {
  /** A stack of its own: its hasher counts every password check, and its throttle allows many tries. */
  const counted = createGatedHasher();
  let own: Stack;
  let address = 10;
  const from = () => ({ ...CSRF_HEADERS, 'x-forwarded-for': `198.51.100.${address++ % 250}` });
  const attempt = (body: unknown) => http(own.bffUrl, 'POST', '/api/session', { body, headers: from() });
  /** The whole problem body but its request id, and whether a cookie was set. */
  const shapeOf = (
    answer: HttpAnswer,
  ): { status: number; problem: Omit<Problem, 'requestId'>; cookie: boolean } => {
    const { requestId, ...problem } = ProblemSchema.parse(answer.json());
    expect(requestId).toBeDefined();
    return { status: answer.status, problem, cookie: answer.headers['set-cookie'] !== undefined };
  };
  const email = 'disabled.one@clinic.test';
  let password = '';

  beforeAll(async () => {
    own = await startStack({
      seed: false,
      security: {
        trustProxy: ['127.0.0.1'],
        passwordHasher: counted.hasher,
        signInLimits: { failures: 10_000, windowMinutes: 15 },
      },
    });
    const added = await own.client.post('/api/operators', { email, displayName: 'Disabled One' });
    const { initialPassword, operator } = AddOperatorResultSchema.parse(added.json());
    const first = await signIn(own.bffUrl, { email, password: initialPassword });
    password = 'the right password for this one';
    const changed = await first.post('/api/session/password', {
      currentPassword: initialPassword,
      newPassword: password,
    });
    expect(changed.status, changed.text).toBe(200);
    const disabled = await own.client.post(`/api/operators/${operator.id}/disable`, {});
    expect(disabled.status, disabled.text).toBe(200);
  });
  afterAll(async () => {
    await own.close();
  });

  it('with the right password is told the account is disabled (403 account-disabled), and gets no session', async () => {
    const answer = await attempt({ email, password });
    const problem = expectProblem(answer, 403, 'account-disabled');
    expect(problem.title).toBe('This account is disabled; ask an administrator');
    expect(answer.headers['set-cookie']).toBeUndefined();
    // Any spelling of the address that signs in gets the same answer.
    expectProblem(await attempt({ email: '  Disabled.One@Clinic.Test ', password }), 403, 'account-disabled');
  });

  it('with a wrong password gets exactly the answer of an unknown email or a wrong password elsewhere', async () => {
    const generic = shapeOf(await attempt({ email: 'nobody.at.all@clinic.test', password }));
    expect(generic).toMatchObject({
      status: 401,
      cookie: false,
      problem: { type: '/problems/unauthenticated' },
    });
    expect(shapeOf(await attempt({ email, password: 'not the right password' }))).toEqual(generic);
    expect(
      shapeOf(await attempt({ email: TEST_OPERATOR.email, password: 'not the right password' })),
    ).toEqual(generic);
  });

  it('costs one password check on every path: unknown email, wrong password, disabled, right password', async () => {
    const checks = async (body: unknown) => {
      const before = counted.started();
      await attempt(body);
      return counted.started() - before;
    };
    expect(await checks({ email: 'nobody.at.all@clinic.test', password: 'x'.repeat(20) })).toBe(1);
    expect(await checks({ email, password: 'x'.repeat(20) })).toBe(1);
    expect(await checks({ email, password })).toBe(1);
    expect(await checks({ email: TEST_OPERATOR.email, password: 'x'.repeat(20) })).toBe(1);
  });

  it('property: no wrong password for a disabled account ever gets the disabled answer', async () => {
    const generic = shapeOf(await attempt({ email: 'nobody.at.all@clinic.test', password: 'x'.repeat(20) }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 80 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
          // Near misses: the right password with a change at one place.
          fc
            .tuple(fc.nat({ max: 40 }), fc.string({ minLength: 0, maxLength: 2 }), fc.nat({ max: 2 }))
            .map(([at, insert, remove]) => {
              const i = at % (password.length + 1);
              return password.slice(0, i) + insert + password.slice(i + remove);
            }),
          fc.constantFrom(password.toUpperCase(), ` ${password}`, `${password} `, password.slice(0, -1)),
        ),
        async (guess) => {
          fc.pre(guess !== password && guess.length > 0);
          const answer = await attempt({ email, password: guess });
          expect(answer.status).not.toBe(403);
          expect(answer.text).not.toMatch(/disabled/i);
          // A guess the sign-in form itself refuses (400) never reaches the account at all.
          if (answer.status !== 400) expect(shapeOf(answer)).toEqual(generic);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('a disabled account and the sign-in throttle', () => {
  it('the right password of a disabled account still counts as a failure: 5 tries → 429', async () => {
    const email = 'disabled.throttle@clinic.test';
    const { id, password } = await newOperator(email);
    expect((await stack.client.post(`/api/operators/${id}/disable`, {})).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expectProblem(await signInRaw({ email, password }), 403, 'account-disabled');
    }
    expectProblem(await signInRaw({ email, password }), 429, 'rate-limited');
    // Enabled again, the account is still paused for the window: the disabled answers were counted.
    expect((await stack.client.post(`/api/operators/${id}/enable`, {})).status).toBe(200);
    expectProblem(await signInRaw({ email, password }), 429, 'rate-limited');
  });
});
