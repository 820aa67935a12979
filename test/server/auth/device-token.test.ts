import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_COOKIE,
  createDeviceTokens,
  deviceCookie,
  readDeviceCookie,
} from '../../../src/server/auth/device-token.ts';

/** Device tokens: signed, naming one account, expiring; anything else is no token at all. */

const DAY = 86_400_000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The other spellings of a 32-byte base64url value: its last character's two low bits are not used. */
function sameBytesSpellings(value: string): string[] {
  const last = BASE64URL.indexOf(value.slice(-1));
  const spellings = [0, 1, 2, 3]
    .map((low) => `${value.slice(0, -1)}${BASE64URL[(last & ~3) | low] ?? ''}`)
    .filter((spelling) => spelling !== value);
  expect(spellings.map((s) => Buffer.from(s, 'base64url').equals(Buffer.from(value, 'base64url')))).toEqual([
    true,
    true,
    true,
  ]);
  return spellings;
}
const secret = randomBytes(32);

function tokensAt(start = Date.UTC(2026, 2, 2)) {
  let clock = start;
  return {
    tokens: createDeviceTokens({ secret, now: () => clock }),
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('device tokens', () => {
  it('a token is valid for the account it names, for 90 days, each with its own nonce', () => {
    const { tokens, advance } = tokensAt();
    const token = tokens.issue('dana@clinic.org');
    const identity = tokens.verify(token, 'dana@clinic.org');
    expect(identity?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(identity?.expiresAt).toBe(Date.UTC(2026, 2, 2) + 90 * DAY);
    expect(tokens.verify(tokens.issue('dana@clinic.org'), 'dana@clinic.org')?.id).not.toBe(identity?.id);
    advance(90 * DAY - 1000);
    expect(tokens.verify(token, 'dana@clinic.org')).toBeDefined();
    advance(1000);
    expect(tokens.verify(token, 'dana@clinic.org')).toBeUndefined();
  });

  it('is no token for another account, under another key, or altered in any part', () => {
    const { tokens } = tokensAt();
    const token = tokens.issue('dana@clinic.org');
    expect(tokens.verify(token, 'lee@clinic.org')).toBeUndefined();
    expect(tokens.verify(token, 'DANA@clinic.org')).toBeUndefined();
    const other = createDeviceTokens({ secret: randomBytes(32) });
    expect(other.verify(token, 'dana@clinic.org')).toBeUndefined();
    const [version, email, nonce, expiry, mac] = token.split('.');
    const forged = [
      [version, Buffer.from('lee@clinic.org').toString('base64url'), nonce, expiry, mac],
      [version, email, 'A'.repeat(22), expiry, mac],
      [version, email, nonce, String(Number(expiry) + 86_400 * 365), mac],
      // The MAC's last character carries two spare bits: spellings that decode to the same bytes are refused too.
      ...sameBytesSpellings(mac ?? '').map((spelling) => [version, email, nonce, expiry, spelling]),
      [version, email, nonce, expiry, `${mac?.slice(0, -2)}${mac?.endsWith('AA') ? 'BB' : 'AA'}`],
      ['v2', email, nonce, expiry, mac],
    ];
    for (const parts of forged) expect(tokens.verify(parts.join('.'), 'dana@clinic.org')).toBeUndefined();
    // A token made by someone who can write the cookie but not the key: the same shape, signed with another key.
    const minted = createDeviceTokens({ secret: Buffer.alloc(32) }).issue('dana@clinic.org');
    expect(tokens.verify(minted, 'dana@clinic.org')).toBeUndefined();
  });

  it('never accepts, and never throws on, anything a browser could send', () => {
    const { tokens } = tokensAt();
    const real = tokens.issue('dana@clinic.org');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 600 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          // Near misses: the real token with one character changed, added or removed.
          fc
            .tuple(fc.nat(real.length - 1), fc.string({ minLength: 0, maxLength: 2 }))
            .map(([at, insert]) => `${real.slice(0, at)}${insert}${real.slice(at + 1)}`),
        ),
        (candidate) => {
          fc.pre(candidate !== real);
          expect(tokens.verify(candidate, 'dana@clinic.org')).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('travels in a __Host- cookie: HttpOnly, Secure, SameSite=Strict, 90 days', () => {
    const { tokens } = tokensAt();
    const token = tokens.issue('dana@clinic.org');
    expect(deviceCookie(token)).toBe(
      `${DEVICE_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=7776000`,
    );
    expect(readDeviceCookie(`__Host-va_session=abc; ${DEVICE_COOKIE}=${token}; other=1`)).toBe(token);
    expect(readDeviceCookie('__Host-va_session=abc')).toBeUndefined();
    expect(readDeviceCookie(undefined)).toBeUndefined();
  });
});
