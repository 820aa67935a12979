import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

/** Two instances on one PostgreSQL database share the sign-in throttle: together they judge no more than the limit. */

const WINDOW = 15 * 60_000;
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function twoInstances() {
  const url = await freshPostgresUrl();
  const a = await openPostgresStore(url);
  const b = await openPostgresStore(url);
  stores.push(a, b);
  const options = { limit: 5, windowMs: WINDOW };
  return [a.limits.signInThrottle(options), b.limits.signInThrottle(options)] as const;
}

describe('the sign-in throttle shared by two instances', () => {
  it('grants at most the limit among 50 reservations for one account made at once on both', async () => {
    const [a, b] = await twoInstances();
    const reservations = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserve({ address: `192.0.2.${i}`, account: 'dana@clinic.org' }),
      ),
    );
    const granted = reservations.filter((r) => r.granted);
    expect(granted).toHaveLength(5);
    expect(reservations.filter((r) => !r.granted)[0]).toEqual({
      granted: false,
      scope: 'account',
      retryAfterSeconds: 15 * 60,
    });
  });

  it('counts failures made on either instance: the fifth locks the account on both', async () => {
    const [a, b] = await twoInstances();
    const results = [];
    for (let i = 0; i < 5; i += 1) {
      const throttle = i % 2 === 0 ? a : b;
      const reservation = await throttle.reserve({ address: `198.51.100.${i}`, account: 'lee@clinic.org' });
      if (!reservation.granted) throw new Error(`refused by ${reservation.scope}`);
      results.push(await throttle.settle(reservation.ticket, 'failure'));
    }
    expect(results.map((r) => r.lockedOut)).toEqual([[], [], [], [], ['account']]);
    for (const throttle of [a, b]) {
      const refused = await throttle.reserve({ address: '203.0.113.9', account: 'lee@clinic.org' });
      expect(refused).toMatchObject({ granted: false, scope: 'account' });
      if (!refused.granted) expect(refused.retryAfterSeconds).toBeGreaterThan(14 * 60);
    }
  });

  it('a device token spent on one instance is refused on the other', async () => {
    const [a, b] = await twoInstances();
    const device = { id: 'nonce-of-danas-browser', expiresAt: Date.now() + 30 * 86_400_000 };
    for (let i = 0; i < 5; i += 1) {
      const reservation = await a.reserve({ address: `198.51.100.${i}`, account: 'dana@clinic.org', device });
      if (!reservation.granted) throw new Error(`refused by ${reservation.scope}`);
      await a.settle(reservation.ticket, 'failure');
    }
    expect(await b.reserve({ address: '192.0.2.1', account: 'dana@clinic.org', device })).toMatchObject({
      granted: false,
      scope: 'device',
    });
  });

  it('forgets events past their window when purged, and keeps the ones that still count', async () => {
    const url = await freshPostgresUrl();
    const store = await openPostgresStore(url);
    stores.push(store);
    let clock = Date.UTC(2026, 2, 2, 8);
    const throttle = store.limits.signInThrottle({ limit: 5, windowMs: WINDOW, now: () => clock });
    const attempt = { address: '192.0.2.1', account: 'dana@clinic.org' };
    for (let i = 0; i < 5; i += 1) {
      const reservation = await throttle.reserve(attempt);
      if (!reservation.granted) throw new Error('refused');
      await throttle.settle(reservation.ticket, 'failure');
    }
    expect(await store.limits.purgeExpired(clock)).toBe(0);
    expect((await throttle.reserve(attempt)).granted).toBe(false);
    clock += WINDOW;
    // Two keys (address, account), five failures each.
    expect(await store.limits.purgeExpired(clock)).toBe(10);
    expect((await throttle.reserve(attempt)).granted).toBe(true);
  });
});
