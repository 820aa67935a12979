import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  nextRetryDelay,
  retryAfterMs,
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
