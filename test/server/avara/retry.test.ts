import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_AFTER_MS,
  isRetryableStatus,
  nextRetryDelay,
  retryAfterMs,
  retryAfterSeconds,
} from '../../../src/server/avara/retry.ts';
import type { RetryInput } from '../../../src/server/avara/retry.ts';

const NOW = Date.parse('2026-01-15T10:00:00Z');

function delay(overrides: Partial<RetryInput>): number | undefined {
  return nextRetryDelay({
    method: 'GET',
    retriesSoFar: 0,
    failure: { kind: 'http', status: 503, headers: {} },
    policy: DEFAULT_RETRY_POLICY,
    random: () => 0,
    now: NOW,
    ...overrides,
  });
}

describe('retryAfterMs', () => {
  it('reads Retry-After in seconds (whole or decimal)', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': '0.5' }, NOW)).toBe(500);
  });

  it('reads Retry-After as an HTTP date, never negative', () => {
    expect(retryAfterMs({ 'retry-after': new Date(NOW + 4000).toUTCString() }, NOW)).toBe(4000);
    expect(retryAfterMs({ 'retry-after': new Date(NOW - 60_000).toUTCString() }, NOW)).toBe(0);
  });

  it('prefers retry-after-ms and ignores what it cannot read', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
    expect(retryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '2' }, NOW)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'later' }, NOW)).toBeUndefined();
    expect(retryAfterMs({}, NOW)).toBeUndefined();
  });
});

describe('an upstream wait is capped at one hour', () => {
  const HOUR = 3_600_000;

  it('caps huge values in every form', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': '99999999' }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': '3601' }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': '3600' }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': '9'.repeat(400) }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': '99999999.5' }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after-ms': '99999999999' }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after-ms': '9'.repeat(400) }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': new Date(NOW + 400 * 86_400_000).toUTCString() }, NOW)).toBe(HOUR);
    expect(retryAfterMs({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, NOW)).toBe(HOUR);
  });

  it('reads fractions, and dates in all three HTTP forms (asctime as GMT)', () => {
    expect(retryAfterMs({ 'retry-after': '1.25' }, NOW)).toBe(1250);
    expect(retryAfterMs({ 'retry-after-ms': '0.5' }, NOW)).toBe(0.5);
    expect(retryAfterMs({ 'retry-after': 'Thu, 15 Jan 2026 10:00:30 GMT' }, NOW)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Thursday, 15-Jan-26 10:00:30 GMT' }, NOW)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Thu Jan 15 10:00:30 2026' }, NOW)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 15 Jan 2026 09:00:00 GMT' }, NOW)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }, NOW)).toBe(0);
  });

  it('does not read negative, exponent, signed, hex or other non-numeric values (nor loose dates)', () => {
    for (const value of [
      '-1',
      '-99999999',
      '+5',
      '1e3',
      '0x10',
      '1,5',
      '.5',
      '5.',
      'Infinity',
      'NaN',
      'soon',
      '-5',
      'foo 1',
      '2026-01-15',
      'Thu, 15 Jan 2026',
    ]) {
      expect(retryAfterMs({ 'retry-after': value }, NOW), value).toBeUndefined();
    }
    expect(retryAfterMs({ 'retry-after-ms': '-5' }, NOW)).toBeUndefined();
    // An unreadable retry-after-ms falls back to Retry-After, which is capped too.
    expect(retryAfterMs({ 'retry-after-ms': '-5', 'retry-after': '99999999' }, NOW)).toBe(HOUR);
  });

  it('whatever the header says, the wait is between 0 and an hour', () => {
    const value = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[0-9]{1,40}(\.[0-9]{1,5})?$/),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    );
    fc.assert(
      fc.property(value, fc.constantFrom('retry-after', 'retry-after-ms'), (text, name) => {
        const ms = retryAfterMs({ [name]: text }, NOW);
        if (ms !== undefined) {
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(HOUR);
        }
      }),
    );
  });

  it('passes a wait on in whole seconds from 1 to 3600', () => {
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds(Number.NaN)).toBeUndefined();
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(-30)).toBe(1);
    expect(retryAfterSeconds(1.2)).toBe(2);
    expect(retryAfterSeconds(7)).toBe(7);
    expect(retryAfterSeconds(99_999_999)).toBe(3600);
    expect(retryAfterSeconds(Number.POSITIVE_INFINITY)).toBe(3600);
  });

  it('never waits longer than an hour, even under a policy that would', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: Number.MAX_SAFE_INTEGER };
    const failure = { kind: 'http' as const, status: 429, headers: { 'retry-after': '99999999' } };
    expect(delay({ policy, failure })).toBe(HOUR);
  });
});

describe('nextRetryDelay', () => {
  it('retries the statuses the SDKs retry, and no others', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isRetryableStatus(status)).toBe(false);
    expect(delay({ failure: { kind: 'http', status: 404, headers: {} } })).toBeUndefined();
    expect(delay({ failure: { kind: 'http', status: 503, headers: {} } })).toBe(250);
  });

  it('never retries a POST or PATCH', () => {
    expect(delay({ method: 'POST' })).toBeUndefined();
    expect(delay({ method: 'PATCH' })).toBeUndefined();
    expect(delay({ method: 'POST', failure: { kind: 'connection' } })).toBeUndefined();
  });

  it('stops after two retries', () => {
    expect(delay({ retriesSoFar: 1 })).toBe(500);
    expect(delay({ retriesSoFar: 2 })).toBeUndefined();
  });

  it('retries connection errors but not timeouts or unreadable answers', () => {
    expect(delay({ failure: { kind: 'connection' } })).toBe(250);
    expect(delay({ failure: { kind: 'other' } })).toBeUndefined();
  });

  it('backs off exponentially with up to 25% jitter, capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 10 };
    expect(delay({ policy, retriesSoFar: 3 })).toBe(policy.maxBackoffMs);
    const jittered = delay({ random: () => 0.999 });
    expect(jittered).toBeGreaterThanOrEqual(0.75 * 250);
    expect(jittered).toBeLessThan(250);
  });

  it('honours Retry-After up to the cap, and gives up when asked to wait longer', () => {
    const headers = (value: string) => ({
      kind: 'http' as const,
      status: 429,
      headers: { 'retry-after': value },
    });
    expect(delay({ failure: headers('2') })).toBe(2000);
    expect(delay({ failure: headers('5') })).toBe(5000);
    expect(delay({ failure: headers('30') })).toBeUndefined();
  });

  it('obeys x-should-retry both ways', () => {
    expect(
      delay({ failure: { kind: 'http', status: 503, headers: { 'x-should-retry': 'false' } } }),
    ).toBeUndefined();
    expect(delay({ failure: { kind: 'http', status: 400, headers: { 'x-should-retry': 'true' } } })).toBe(
      250,
    );
    expect(
      delay({
        method: 'POST',
        failure: { kind: 'http', status: 503, headers: { 'x-should-retry': 'true' } },
      }),
    ).toBeUndefined();
  });
});
