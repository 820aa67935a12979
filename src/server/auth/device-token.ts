import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readCookie } from './cookie.ts';

/**
 * Device tokens (OWASP's "device cookies"): after a successful sign-in the browser gets a token naming the operator's
 * (normalised) e-mail and a random nonce, with an expiry, signed with HMAC-SHA256 under a key the server keeps in its
 * database. A sign-in attempt that carries a valid token for the account it names is judged by the token's own failure
 * limit instead of the account's, so someone who only knows an operator's e-mail cannot lock them out of the browsers
 * they use. The token proves nothing else: the password is checked as always.
 *
 *     v1.<e-mail, base64url>.<nonce, base64url>.<expiry, seconds>.<HMAC, base64url>
 */
export const DEVICE_COOKIE = '__Host-va_device';
export const DEVICE_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;
/** The HMAC key's name in the server's secret store, and its size. */
export const DEVICE_TOKEN_SECRET = 'device-token-hmac';
export const DEVICE_TOKEN_SECRET_BYTES = 32;

/** A longest e-mail (254) in base64url, a nonce, an expiry and an HMAC come to well under this. */
const MAX_TOKEN_LENGTH = 512;
const TOKEN_PATTERN = /^v1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** What a valid token stands for: its nonce (the key its failures are counted by) and when it stops being valid. */
export interface DeviceIdentity {
  id: string;
  expiresAt: number;
}

export interface DeviceTokens {
  /** A new token for the operator with this normalised e-mail. */
  issue(email: string): string;
  /** The token's identity when it is well formed, signed by us, unexpired and names this account; else undefined. */
  verify(token: string | undefined, email: string): DeviceIdentity | undefined;
}

export interface DeviceTokenOptions {
  secret: Buffer;
  now?: (() => number) | undefined;
  lifetimeMs?: number | undefined;
}

export function createDeviceTokens(options: DeviceTokenOptions): DeviceTokens {
  const { secret } = options;
  const now = options.now ?? (() => Date.now());
  const lifetimeMs = options.lifetimeMs ?? DEVICE_TOKEN_DAYS * DAY_MS;
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();

  return {
    issue(email) {
      const expires = Math.floor((now() + lifetimeMs) / 1000);
      const payload = `v1.${Buffer.from(email, 'utf8').toString('base64url')}.${randomBytes(16).toString('base64url')}.${expires}`;
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    verify(token, email) {
      if (token === undefined || token.length > MAX_TOKEN_LENGTH) return undefined;
      const match = TOKEN_PATTERN.exec(token);
      if (!match) return undefined;
      const [, named = '', nonce = '', expires = '', mac = ''] = match;
      const payload = token.slice(0, token.lastIndexOf('.'));
      // Compared as text: base64url's last character has spare bits, so decoding would accept several spellings.
      const given = Buffer.from(mac, 'ascii');
      const expected = Buffer.from(sign(payload).toString('base64url'), 'ascii');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const expiresAt = Number(expires) * 1000;
      if (now() >= expiresAt) return undefined;
      if (Buffer.from(named, 'base64url').toString('utf8') !== email) return undefined;
      return { id: nonce, expiresAt };
    },
  };
}

/**
 * The device cookie: `__Host-` (Secure, Path=/, no Domain), HttpOnly, SameSite=Strict, kept for 90 days. Unlike the
 * session cookie it outlives the browser session, because it only ever spares its holder the account's lockout.
 */
export function deviceCookie(token: string): string {
  return `${DEVICE_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${DEVICE_TOKEN_DAYS * 86_400}`;
}

export function readDeviceCookie(header: string | undefined): string | undefined {
  return readCookie(header, DEVICE_COOKIE);
}
