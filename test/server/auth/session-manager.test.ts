import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuditTrail } from '../../../src/server/audit/audit-trail.ts';
import { TEST_PASSWORD_COST, createPasswordHasher } from '../../../src/server/auth/password.ts';
import { createSessionManager, type SessionManager } from '../../../src/server/auth/session-manager.ts';
import { ProblemError } from '../../../src/server/problems.ts';
import type { AuditStore } from '../../../src/server/store/audit.ts';
import { hashSessionId } from '../../../src/server/store/sessions.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

const hasher = createPasswordHasher(TEST_PASSWORD_COST);
const PASSWORD = 'a long enough password';
const facts = { clientAddress: '192.0.2.10', requestId: 'req-test' };
const MINUTE = 60_000;

let store: Store;
let manager: SessionManager;

function build(audit: AuditStore = store.audit, settings = { idleMinutes: 30, maxHours: 8 }) {
  return createSessionManager({
    operators: store.operators,
    sessions: store.sessions,
    audit: createAuditTrail(audit),
    hasher,
    settings,
  });
}

async function addOperator(email = 'dana@clinic.org', mustChangePassword = false) {
  return store.operators.create({
    email,
    displayName: 'Dana',
    role: 'administrator',
    passwordHash: await hasher.hash(PASSWORD),
    mustChangePassword,
    createdAt: Date.now(),
  });
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError['problem']> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${String(error)}`);
  return error.problem;
}

describe.each(STORE_BACKENDS)('with the $name store', (backend) => {
  beforeEach(async () => {
    store = await backend.open();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T08:00:00Z'));
    manager = build();
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
  });

  describe('sign-in', () => {
    it('issues a fresh random session and records the sign-in', async () => {
      const operator = await addOperator();
      const auth = await manager.signIn('DANA@clinic.org', PASSWORD, facts);
      expect(auth.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(auth.session).toMatchObject({
        idHash: hashSessionId(auth.sessionId),
        operatorId: operator.id,
        expiresAt: Date.now() + 8 * 60 * MINUTE,
      });
      expect((await store.operators.findById(operator.id))?.lastSignInAt).toBe(Date.now());
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record).toMatchObject({
        action: 'session.sign-in',
        outcome: 'success',
        operatorId: operator.id,
      });
      expect(manager.describe(auth)).toEqual({
        operator: { id: operator.id, email: 'dana@clinic.org', displayName: 'Dana', role: 'administrator' },
        mustChangePassword: false,
        expiresAt: '2026-03-02T16:00:00.000Z',
        idleTimeoutMinutes: 30,
      });
    });

    it('rotates the id: signing in again ends the session the browser came with', async () => {
      await addOperator();
      const first = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      const second = await manager.signIn('dana@clinic.org', PASSWORD, {
        ...facts,
        sessionId: first.sessionId,
      });
      expect(second.sessionId).not.toBe(first.sessionId);
      expect(await manager.authenticate(first.sessionId)).toBeUndefined();
      expect(await manager.authenticate(second.sessionId)).toBeDefined();
    });

    it('answers an unknown email, a wrong password and a wrong password for a disabled operator identically', async () => {
      const operator = await addOperator();
      const unknown = await problemOf(manager.signIn('nobody@clinic.org', PASSWORD, facts));
      const wrong = await problemOf(manager.signIn('dana@clinic.org', 'not the password', facts));
      await store.operators.setDisabled(operator.id, true);
      const disabledWrong = await problemOf(manager.signIn('dana@clinic.org', 'not the password', facts));
      const disabled = await problemOf(manager.signIn('dana@clinic.org', PASSWORD, facts));
      expect(unknown).toEqual(wrong);
      expect(disabledWrong).toEqual(wrong);
      expect(wrong).toMatchObject({ status: 401, code: 'unauthenticated' });
      // Only the right password learns that the account is disabled.
      expect(disabled).toMatchObject({
        status: 403,
        code: 'account-disabled',
        title: 'This account is disabled; ask an administrator',
      });
      const details = (await store.audit.list({}, { limit: 10 })).map((r) => [
        r.outcome,
        r.operatorEmail,
        r.detail,
      ]);
      expect(details).toEqual([
        ['failure', 'dana@clinic.org', 'The operator is disabled.'],
        ['failure', 'dana@clinic.org', 'Wrong password.'],
        ['failure', 'dana@clinic.org', 'Wrong password.'],
        ['failure', 'nobody@clinic.org', 'Unknown email address.'],
      ]);
    });

    it('after 5 failures for an account, refuses even the right password with 429 and Retry-After', async () => {
      await addOperator();
      for (let i = 0; i < 5; i += 1) {
        expect(
          (
            await problemOf(
              manager.signIn('dana@clinic.org', `wrong ${i}`, { ...facts, clientAddress: `198.51.100.${i}` }),
            )
          ).status,
        ).toBe(401);
      }
      const refused = await problemOf(
        manager.signIn('dana@clinic.org', PASSWORD, { ...facts, clientAddress: '203.0.113.9' }),
      );
      expect(refused).toMatchObject({ status: 429, code: 'rate-limited', retryAfter: 15 * 60 });
      vi.advanceTimersByTime(15 * MINUTE);
      await expect(manager.signIn('dana@clinic.org', PASSWORD, facts)).resolves.toBeDefined();
    });

    it('after 5 failures from one address (or /64), refuses every account from it', async () => {
      await addOperator();
      for (let i = 0; i < 5; i += 1) {
        await problemOf(
          manager.signIn(`guess${i}@clinic.org`, 'x', { ...facts, clientAddress: `2001:db8:7:7::${i + 1}` }),
        );
      }
      const refused = await problemOf(
        manager.signIn('dana@clinic.org', PASSWORD, { ...facts, clientAddress: '2001:db8:7:7:ffff::1' }),
      );
      expect(refused.status).toBe(429);
      await expect(
        manager.signIn('dana@clinic.org', PASSWORD, { ...facts, clientAddress: '2001:db8:7:8::1' }),
      ).resolves.toBeDefined();
    });

    it('a success clears the account’s failures but not the address’s', async () => {
      await addOperator();
      for (let i = 0; i < 4; i += 1)
        await problemOf(
          manager.signIn('dana@clinic.org', 'wrong', { ...facts, clientAddress: `198.51.100.${i}` }),
        );
      await manager.signIn('dana@clinic.org', PASSWORD, facts);
      for (let i = 0; i < 4; i += 1)
        await problemOf(
          manager.signIn('dana@clinic.org', 'wrong', { ...facts, clientAddress: `198.51.101.${i}` }),
        );
      await expect(manager.signIn('dana@clinic.org', PASSWORD, facts)).resolves.toBeDefined();
    });

    it('refuses with 503 and issues no session when the sign-in cannot be recorded', async () => {
      await addOperator();
      const failing = build({
        append: () => Promise.reject(new Error('disk I/O error')),
        complete: () => Promise.resolve(),
        list: () => Promise.resolve([]),
        keysOf: () => Promise.resolve({ invitationIds: [], emails: [] }),
      });
      expect(await problemOf(failing.signIn('dana@clinic.org', PASSWORD, facts))).toMatchObject({
        status: 503,
        code: 'audit-unavailable',
      });
      expect(await store.sessions.deleteExpired(Number.MAX_SAFE_INTEGER, 0)).toBe(0);
    });
  });

  describe('session lifetime (fake clock)', () => {
    it.each([1, 30])(
      'a session in use never ends for idleness, and one left alone ends within a sixtieth of the limit (%i min)',
      async (idleMinutes) => {
        manager = build(store.audit, { idleMinutes, maxHours: 24 });
        await addOperator();
        const { sessionId } = await manager.signIn('dana@clinic.org', PASSWORD, facts);
        const idleMs = idleMinutes * MINUTE;
        // Requests at gaps just under the limit, and at every 10 seconds, over a long stretch: never ended.
        for (const gap of [idleMs - 1_000, 10_000, idleMs - 1, 7_000, idleMs / 2 + 3_001]) {
          for (let i = 0; i < 6; i += 1) {
            vi.advanceTimersByTime(gap);
            expect(await manager.authenticate(sessionId), `gap ${gap} ms, request ${i}`).toBeDefined();
          }
        }
        // Then left alone: still there just before the limit, gone within a sixtieth of it after.
        vi.advanceTimersByTime(idleMs - 1);
        expect(await manager.authenticate(sessionId)).toBeDefined();
        vi.advanceTimersByTime(idleMs + idleMs / 60);
        expect(await manager.authenticate(sessionId)).toBeUndefined();
        // The sweep agrees: a session in use is never swept, one idle for the limit is.
        const other = await manager.signIn('dana@clinic.org', PASSWORD, facts);
        vi.advanceTimersByTime(idleMs - 1);
        expect(await manager.sweep()).toBe(0);
        expect(await manager.authenticate(other.sessionId)).toBeDefined();
        vi.advanceTimersByTime(idleMs + idleMs / 60 + 1);
        expect(await manager.sweep()).toBe(1);
      },
    );

    it('ends after 30 idle minutes, and activity keeps it alive', async () => {
      await addOperator();
      const { sessionId } = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      vi.advanceTimersByTime(29 * MINUTE);
      expect(await manager.authenticate(sessionId)).toBeDefined();
      vi.advanceTimersByTime(29 * MINUTE);
      expect(await manager.authenticate(sessionId)).toBeDefined();
      // Idle for the limit plus the last-seen record's granularity (30 s at 30 minutes): ended.
      vi.advanceTimersByTime(30 * MINUTE + 30_000);
      expect(await manager.authenticate(sessionId)).toBeUndefined();
      // Gone for good, not just refused once.
      expect(await store.sessions.find(hashSessionId(sessionId))).toBeUndefined();
    });

    it('ends 8 hours after sign-in however active the operator is', async () => {
      await addOperator();
      const { sessionId } = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
        vi.advanceTimersByTime(20 * MINUTE);
        expect(await manager.authenticate(sessionId)).toBeDefined();
      }
      vi.advanceTimersByTime(20 * MINUTE);
      expect(await manager.authenticate(sessionId)).toBeUndefined();
    });

    it('honours configured limits', async () => {
      manager = build(store.audit, { idleMinutes: 5, maxHours: 1 });
      await addOperator();
      const { sessionId } = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      // Idle for the limit plus the granularity of the last-seen record (5 s at 5 minutes): ended.
      vi.advanceTimersByTime(5 * MINUTE + 5_000);
      expect(await manager.authenticate(sessionId)).toBeUndefined();
    });

    it('sweep forgets ended sessions', async () => {
      await addOperator();
      await manager.signIn('dana@clinic.org', PASSWORD, facts);
      const live = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      vi.advanceTimersByTime(31 * MINUTE);
      expect(await manager.sweep()).toBe(2);
      expect(await manager.authenticate(live.sessionId)).toBeUndefined();
    });
  });

  describe('sign-out, disable and password change', () => {
    it('sign-out ends the session at once', async () => {
      await addOperator();
      const auth = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      await manager.signOut(auth, facts);
      expect(await manager.authenticate(auth.sessionId)).toBeUndefined();
      expect((await store.audit.list({ action: 'session.sign-out' }, { limit: 1 }))[0]?.outcome).toBe(
        'success',
      );
    });

    it('a disabled operator’s session stops working at once', async () => {
      const operator = await addOperator();
      const auth = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      await store.operators.setDisabled(operator.id, true);
      expect(await manager.authenticate(auth.sessionId)).toBeUndefined();
    });

    it('changing the password clears must-change, ends every session and returns a new one', async () => {
      await addOperator('dana@clinic.org', true);
      const elsewhere = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      const auth = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      expect(manager.describe(auth).mustChangePassword).toBe(true);
      const fresh = await manager.changePassword(auth, PASSWORD, 'my own new password', facts);
      expect(fresh.sessionId).not.toBe(auth.sessionId);
      expect(manager.describe(fresh).mustChangePassword).toBe(false);
      expect(await manager.authenticate(auth.sessionId)).toBeUndefined();
      expect(await manager.authenticate(elsewhere.sessionId)).toBeUndefined();
      expect(await manager.authenticate(fresh.sessionId)).toBeDefined();
      await expect(manager.signIn('dana@clinic.org', 'my own new password', facts)).resolves.toBeDefined();
      expect((await store.audit.list({ action: 'session.password-change' }, { limit: 1 }))[0]).toMatchObject({
        outcome: 'success',
      });
    });

    it('refuses a wrong current password on the field', async () => {
      await addOperator();
      const auth = await manager.signIn('dana@clinic.org', PASSWORD, facts);
      const problem = await problemOf(manager.changePassword(auth, 'not it', 'my own new password', facts));
      expect(problem).toMatchObject({ status: 400, errors: [{ path: 'currentPassword' }] });
      expect(await manager.authenticate(auth.sessionId)).toBeDefined();
    });
  });
});
