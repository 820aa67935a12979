import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientAddressKey, createRateLimiter, ipv6Groups } from '../../../src/server/security/rate-limit.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createRateLimiter', () => {
  it('allows `limit` events in the window, then refuses with the seconds until the oldest expires', () => {
    const c = clock();
    const limiter = createRateLimiter({ limit: 5, windowMs: 15 * 60_000, now: c.now });
    for (let i = 0; i < 4; i += 1) {
      expect(limiter.hit('a').limited).toBe(false);
      c.advance(60_000);
    }
    const fifth = limiter.hit('a');
    expect(fifth).toEqual({ limited: true, remaining: 0, retryAfterSeconds: 11 * 60 });
    expect(limiter.peek('a').limited).toBe(true);
    expect(limiter.peek('b')).toEqual({ limited: false, remaining: 5, retryAfterSeconds: 0 });
  });

  it('slides: once the oldest event leaves the window, one more is allowed', () => {
    const c = clock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000, now: c.now });
    limiter.hit('k');
    c.advance(4_000);
    limiter.hit('k');
    expect(limiter.peek('k')).toMatchObject({ limited: true, retryAfterSeconds: 6 });
    c.advance(6_000);
    expect(limiter.peek('k')).toMatchObject({ limited: false, remaining: 1 });
    c.advance(4_000);
    expect(limiter.peek('k')).toMatchObject({ limited: false, remaining: 2 });
    expect(limiter.size()).toBe(0);
  });

  it('keeps keys apart, and reset forgets one', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, now: clock().now });
    limiter.hit('x');
    expect(limiter.peek('x').limited).toBe(true);
    expect(limiter.peek('y').limited).toBe(false);
    limiter.reset('x');
    expect(limiter.peek('x').limited).toBe(false);
  });

  it('never holds more than maxKeys keys', () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: clock().now, maxKeys: 100 });
    for (let i = 0; i < 1000; i += 1) limiter.hit(`key-${i}`);
    expect(limiter.size()).toBeLessThanOrEqual(100);
    expect(limiter.peek('key-999').remaining).toBe(2);
  });

  it('Retry-After is always at least one second while limited', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 100_000 }),
        (limit, windowMs) => {
          const limiter = createRateLimiter({ limit, windowMs, now: clock().now });
          let state = limiter.hit('k');
          for (let i = 1; i < limit; i += 1) state = limiter.hit('k');
          expect(state.limited).toBe(true);
          expect(state.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(state.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(windowMs / 1000));
        },
      ),
    );
  });

  it('refuses nonsense settings', () => {
    expect(() => createRateLimiter({ limit: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => createRateLimiter({ limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});

describe.each(STORE_BACKENDS)('the rate limits of the $name store', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('counts `limit` events in the window, refuses the next without counting it, and says when to come back', async () => {
    const c = clock();
    const limit = store.limits.rateLimit('api', { limit: 3, windowMs: 60_000, now: c.now });
    const taken = [];
    for (let i = 0; i < 3; i += 1) {
      taken.push(await limit.take('operator-1'));
      c.advance(10_000);
    }
    expect(taken).toEqual([
      { limited: false, remaining: 2, retryAfterSeconds: 0 },
      { limited: false, remaining: 1, retryAfterSeconds: 0 },
      { limited: false, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(await limit.take('operator-1')).toEqual({ limited: true, remaining: 0, retryAfterSeconds: 30 });
    // Refused events are not counted: once the oldest leaves the window, one more is allowed.
    c.advance(30_000 - 1);
    expect((await limit.take('operator-1')).limited).toBe(true);
    c.advance(1);
    expect(await limit.take('operator-1')).toEqual({ limited: false, remaining: 0, retryAfterSeconds: 0 });
    expect((await limit.take('operator-1')).limited).toBe(true);
  });

  it('keeps keys, and limits of different names, apart', async () => {
    const c = clock();
    const api = store.limits.rateLimit('api', { limit: 1, windowMs: 1_000, now: c.now });
    const starts = store.limits.rateLimit('sso-start', { limit: 1, windowMs: 1_000, now: c.now });
    expect((await api.take('x')).limited).toBe(false);
    expect((await api.take('x')).limited).toBe(true);
    expect((await api.take('y')).limited).toBe(false);
    expect((await starts.take('x')).limited).toBe(false);
  });

  it('Retry-After is always at least one second and at most the window while limited', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        async (limit, windowMs, spread) => {
          run += 1;
          const c = clock();
          const limiter = store.limits.rateLimit('api', { limit, windowMs, now: c.now });
          for (let i = 0; i < limit; i += 1) {
            expect((await limiter.take(`k${run}`)).limited).toBe(false);
            c.advance(Math.floor(spread / limit) % windowMs);
          }
          const state = await limiter.take(`k${run}`);
          if (!state.limited) return; // the first event already left the window
          expect(state.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(state.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(windowMs / 1000));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses nonsense settings', () => {
    expect(() => store.limits.rateLimit('api', { limit: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => store.limits.rateLimit('api', { limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});

describe('a rate limit shared by two instances on one PostgreSQL database', () => {
  it('lets through exactly `limit` of 50 events sent at once to both', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const options = { limit: 10, windowMs: 60_000 };
      const limits = [a.limits.rateLimit('api', options), b.limits.rateLimit('api', options)];
      const states = await Promise.all(
        Array.from({ length: 50 }, (_, i) => limits[i % 2]?.take('operator-1')),
      );
      expect(states.filter((state) => state?.limited === false)).toHaveLength(10);
      expect(states.filter((state) => state?.limited === true)).toHaveLength(40);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(clientAddressKey('192.0.2.7')).toBe('192.0.2.7');
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::FFFF:c000:0207')).toBe('192.0.2.7');
    expect(clientAddressKey('0:0:0:0:0:ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('groups IPv6 clients by /64', () => {
    const a = clientAddressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2::1')).toBe(a);
    expect(clientAddressKey('2001:0DB8:0001:0002:ffff::')).toBe(a);
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('2001:db8:1:3::1')).not.toBe(a);
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('expands every IPv6 spelling of an address to the same groups', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const groups = ipv6Groups(address);
        expect(groups).toHaveLength(8);
        const full = (groups ?? []).map((g) => g.toString(16)).join(':');
        expect(ipv6Groups(full)).toEqual(groups);
      }),
    );
  });

  it('does not confuse other text with an address', () => {
    expect(clientAddressKey('not an address')).toBe('other:not an address');
    expect(ipv6Groups('192.0.2.1')).toBeUndefined();
  });
});
