/** The retry policy of the upstream client (the official SDKs' rules, tightened for an interactive dashboard). */

export interface RetryPolicy {
  /** Retries after the first attempt (GET only). */
  maxRetries: number;
  /** First backoff delay; doubles each retry, jittered down by up to 25%. */
  baseDelayMs: number;
  /** Cap of the computed backoff. */
  maxBackoffMs: number;
  /** The longest upstream-requested wait (Retry-After) we will sit through; longer means "give up and say so". */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 250,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 5_000,
};

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How long the upstream asked us to wait, in milliseconds: `retry-after-ms`, then `Retry-After` (seconds or HTTP date). */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Statuses the official SDKs retry: 408, 409 (lock timeout), 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface RetryInput {
  method: string;
  /** Retries already made (0 after the first attempt). */
  retriesSoFar: number;
  /** 'http' with a status, or 'connection' (no answer), or anything else (never retried). */
  failure: { kind: 'http'; status: number; headers: Headers } | { kind: 'connection' } | { kind: 'other' };
  policy: RetryPolicy;
  random?: () => number;
  now?: number;
}

/** Milliseconds to wait before the next attempt, or undefined when the failure must be surfaced now. */
export function nextRetryDelay(input: RetryInput): number | undefined {
  const { method, retriesSoFar, failure, policy } = input;
  // Only reads are retried automatically: a retried POST or PATCH could apply twice.
  if (method !== 'GET' || retriesSoFar >= policy.maxRetries) return undefined;
  if (failure.kind === 'other') return undefined;
  if (failure.kind === 'http') {
    const hint = header(failure.headers, 'x-should-retry');
    if (hint === 'false') return undefined;
    if (hint !== 'true' && !isRetryableStatus(failure.status)) return undefined;
    const asked = retryAfterMs(failure.headers, input.now);
    if (asked !== undefined) return asked <= policy.maxRetryAfterMs ? asked : undefined;
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** retriesSoFar, policy.maxBackoffMs);
  const random = input.random ?? Math.random;
  return Math.round(backoff * (1 - random() * 0.25));
}
