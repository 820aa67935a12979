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

/** The longest wait an upstream may ask for, whatever it says: longer is capped here (never passed on as is). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Non-negative decimal seconds or milliseconds (`3`, `0.5`); anything else (`-1`, `1e3`, `soon`) is not read. */
const DECIMAL = /^\d+(\.\d+)?$/;
/**
 * The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form and asctime. `Date.parse`
 * alone reads almost anything as a date (`-5`, `foo 1`), so only these shapes are given to it.
 */
const HTTP_DATE =
  /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * How long the upstream asked us to wait, in milliseconds, between 0 and MAX_RETRY_AFTER_MS: `retry-after-ms`, then
 * `Retry-After` (seconds or HTTP date). A date in the past means now; a value that cannot be read is no value.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return capped(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (DECIMAL.test(value)) return capped(Number(value) * 1000);
  if (!HTTP_DATE.test(value)) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  const date = Date.parse(value.endsWith('GMT') ? value : `${value} GMT`);
  if (Number.isNaN(date)) return undefined;
  return capped(date - now);
}

function capped(ms: number): number {
  // NaN cannot come from DECIMAL, but a number with 400 digits is Infinity: both end at the cap.
  return Number.isNaN(ms) ? MAX_RETRY_AFTER_MS : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/**
 * A wait to pass on (a problem's `retryAfter`, the Retry-After header), in whole seconds between 1 and an hour: a wait
 * of 0 would invite an immediate retry, and anything longer than an hour is an upstream fault, not advice.
 */
export function retryAfterSeconds(seconds: number | undefined): number | undefined {
  if (seconds === undefined || Number.isNaN(seconds)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS / 1000, Math.max(1, Math.ceil(seconds)));
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
    if (asked !== undefined)
      return asked <= Math.min(policy.maxRetryAfterMs, MAX_RETRY_AFTER_MS) ? asked : undefined;
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** retriesSoFar, policy.maxBackoffMs);
  const random = input.random ?? Math.random;
  return Math.round(backoff * (1 - random() * 0.25));
}
