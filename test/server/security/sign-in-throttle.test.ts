import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  SignInAttempt,
  SignInThrottle,
  ThrottleTicket,
} from '../../../src/server/security/sign-in-throttle.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

/**
 * The sign-in throttle of each store (SQLite's is in memory, PostgreSQL's in the database): reservations before
 * hashing, lockouts reported once, device tokens.
 */

const MINUTE = 60_000;
const WINDOW = 15 * MINUTE;

describe.each(STORE_BACKENDS)('the sign-in throttle of the $name store', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  function build() {
    let clock = Date.UTC(2026, 2, 2, 8);
    const throttle = store.limits.signInThrottle({ limit: 5, windowMs: WINDOW, now: () => clock });
    return {
      throttle,
      advance: (ms: number) => {
        clock += ms;
      },
      now: () => clock,
    };
  }

  async function ticketFor(throttle: SignInThrottle, attempt: SignInAttempt): Promise<ThrottleTicket> {
    const reservation = await throttle.reserve(attempt);
    if (!reservation.granted) throw new Error(`refused by ${reservation.scope}`);
    return reservation.ticket;
  }

  describe('reservations', () => {
    it('grants at most the limit at once, before any is judged, and refuses the rest with the window as Retry-After', async () => {
      const { throttle } = build();
      const attempt = { address: '192.0.2.1', account: 'dana@clinic.org' };
      const reservations = await Promise.all(Array.from({ length: 200 }, () => throttle.reserve(attempt)));
      expect(reservations.filter((r) => r.granted)).toHaveLength(5);
      expect(reservations.filter((r) => !r.granted)[0]).toEqual({
        granted: false,
        scope: 'address',
        retryAfterSeconds: 15 * 60,
      });
    });

    it('reports a lockout once, by the failure that starts it, for every key it locks', async () => {
      const { throttle } = build();
      const attempt = { address: '192.0.2.1', account: 'dana@clinic.org' };
      const [first, ...others] = await Promise.all(
        Array.from({ length: 5 }, () => ticketFor(throttle, attempt)),
      );
      if (!first) throw new Error('no ticket');
      const results = [];
      for (const ticket of [first, ...others]) results.push(await throttle.settle(ticket, 'failure'));
      expect(results.map((r) => r.lockedOut)).toEqual([[], [], [], [], ['address', 'account']]);
      expect(results[4]?.retryAfterSeconds).toBe(15 * 60);
      // Settling twice counts once.
      expect(await throttle.settle(first, 'failure')).toEqual({
        lockedOut: [],
        retryAfterSeconds: 0,
      });
      expect(await throttle.reserve({ address: '198.51.100.1', account: 'dana@clinic.org' })).toMatchObject({
        granted: false,
        scope: 'account',
      });
    });

    it('an attempt never judged gives its place back; a success clears the account but not the address', async () => {
      const { throttle } = build();
      const attempt = { address: '192.0.2.1', account: 'dana@clinic.org' };
      for (let i = 0; i < 20; i += 1) await throttle.settle(await ticketFor(throttle, attempt), 'void');
      for (let i = 0; i < 4; i += 1) await throttle.settle(await ticketFor(throttle, attempt), 'failure');
      await throttle.settle(await ticketFor(throttle, attempt), 'success');
      // The account starts again (from another address)...
      for (let i = 0; i < 4; i += 1) {
        await throttle.settle(
          await ticketFor(throttle, { address: `198.51.100.${i}`, account: 'dana@clinic.org' }),
          'failure',
        );
      }
      // ...the address has one failure left.
      const last = await ticketFor(throttle, { address: '192.0.2.1', account: 'lee@clinic.org' });
      expect((await throttle.settle(last, 'failure')).lockedOut).toEqual(['address']);
    });

    it('forgets failures as they leave the sliding window', async () => {
      const { throttle, advance } = build();
      const attempt = { address: '192.0.2.1', account: 'dana@clinic.org' };
      for (let i = 0; i < 5; i += 1) {
        await throttle.settle(await ticketFor(throttle, attempt), 'failure');
        advance(MINUTE);
      }
      expect(await throttle.reserve(attempt)).toMatchObject({ granted: false, retryAfterSeconds: 10 * 60 });
      advance(10 * MINUTE - 1);
      expect((await throttle.reserve(attempt)).granted).toBe(false);
      advance(1);
      expect((await throttle.reserve(attempt)).granted).toBe(true);
    });

    it('a password change counts against the account only', async () => {
      const { throttle } = build();
      for (let i = 0; i < 5; i += 1) {
        await throttle.settle(await ticketFor(throttle, { account: 'dana@clinic.org' }), 'failure');
      }
      expect(await throttle.reserve({ account: 'dana@clinic.org' })).toMatchObject({ granted: false });
      expect((await throttle.reserve({ address: '192.0.2.1', account: 'lee@clinic.org' })).granted).toBe(
        true,
      );
    });

    it('whatever the interleaving of reservations and settlements, no key is judged wrong more than 5 times', async () => {
      const step = fc.record({
        address: fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::/64'),
        account: fc.constantFrom('dana@clinic.org', 'lee@clinic.org'),
        device: fc.option(fc.constantFrom('token-a', 'token-b'), { nil: undefined }),
        settle: fc.nat(20),
        outcome: fc.constantFrom<'failure' | 'void'>('failure', 'failure', 'failure', 'void'),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 120 }), async (given) => {
          const { throttle } = build();
          // Every run starts from nothing: its keys are its own (the database outlives a run).
          run += 1;
          const steps = given.map((s) => ({
            ...s,
            address: `${s.address}#${run}`,
            account: `${s.account}#${run}`,
            device: s.device === undefined ? undefined : `${s.device}#${run}`,
          }));
          const open: { ticket: ThrottleTicket; keys: string[] }[] = [];
          const judged = new Map<string, number>();
          for (const s of steps) {
            const device = s.device === undefined ? undefined : { id: s.device, expiresAt: Infinity };
            const reservation = await throttle.reserve({ address: s.address, account: s.account, device });
            if (reservation.granted) {
              const counted = reservation.ticket.trusted ? `device:${s.device}` : `account:${s.account}`;
              open.push({ ticket: reservation.ticket, keys: [`address:${s.address}`, counted] });
            }
            const settling = open.splice(s.settle % (open.length + 1), 1)[0];
            if (!settling) continue;
            await throttle.settle(settling.ticket, s.outcome);
            if (s.outcome === 'failure') {
              for (const key of settling.keys) judged.set(key, (judged.get(key) ?? 0) + 1);
            }
          }
          for (const [key, count] of judged) expect(count, key).toBeLessThanOrEqual(5);
        }),
        { numRuns: 300 },
      );
      // In PostgreSQL every step is a transaction or two: longer than the usual 20 s on a busy machine.
    }, 120_000);
  });

  describe('device tokens', () => {
    const token = { id: 'nonce-of-danas-browser', expiresAt: Date.UTC(2026, 5, 1) };

    it('an attempt with a valid token is not held by the account’s lockout, only by its own limit', async () => {
      const { throttle } = build();
      for (let i = 0; i < 5; i += 1) {
        await throttle.settle(
          await ticketFor(throttle, { address: `203.0.113.${i}`, account: 'dana@clinic.org' }),
          'failure',
        );
      }
      expect(await throttle.reserve({ address: '192.0.2.9', account: 'dana@clinic.org' })).toMatchObject({
        granted: false,
        scope: 'account',
      });
      const trusted = await ticketFor(throttle, {
        address: '192.0.2.9',
        account: 'dana@clinic.org',
        device: token,
      });
      expect(trusted.trusted).toBe(true);
      await throttle.settle(trusted, 'success');
      // Its success did not clear the account's lockout.
      expect(await throttle.reserve({ address: '192.0.2.10', account: 'dana@clinic.org' })).toMatchObject({
        granted: false,
        scope: 'account',
      });
    });

    it('a token locked out is refused for the window, then never trusted again', async () => {
      const { throttle, advance } = build();
      const results = [];
      for (let i = 0; i < 5; i += 1) {
        const ticket = await ticketFor(throttle, {
          address: `203.0.113.${i}`,
          account: 'dana@clinic.org',
          device: token,
        });
        results.push(await throttle.settle(ticket, 'failure'));
      }
      expect(results.map((r) => r.lockedOut)).toEqual([[], [], [], [], ['device']]);
      const withToken = { address: '192.0.2.9', account: 'dana@clinic.org', device: token };
      expect(await throttle.reserve(withToken)).toMatchObject({ granted: false, scope: 'device' });
      // The account itself was not touched by the token's failures.
      expect((await throttle.reserve({ address: '192.0.2.8', account: 'dana@clinic.org' })).granted).toBe(
        true,
      );
      advance(WINDOW);
      const after = await ticketFor(throttle, withToken);
      expect(after.trusted).toBe(false);
    });
  });
});
