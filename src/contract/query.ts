import * as z from 'zod/mini';

/** Serialise a parsed list query in the upstream's format: arrays in comma format, absent values left out. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export function toQueryString(query: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const text = Array.isArray(value)
      ? value.map(encodeURIComponent).join(',')
      : encodeURIComponent(String(value));
    parts.push(`${encodeURIComponent(key)}=${text}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Canonical decimal digits: no sign, exponent, fraction, hexadecimal, spaces or leading zeros. */
const DECIMAL_INTEGER = /^(0|[1-9][0-9]*)$/;

/**
 * A whole number in a query string (`limit=25`), or given as a number by code. Only one spelling of each number is
 * read: `0x10`, `1e2`, ` 10`, `+10`, `10.0` and `010` are refused, not read as 16, 100 or 10 (what `Number()` would
 * make of them), so nothing but plain digits ever reaches Avara and each request has one form.
 */
export function queryInteger(label: string, min: number, max: number) {
  const range = `The ${label} must be between ${min} and ${max}.`;
  const digits = `The ${label} must be a whole number written in digits, like ${min === 1 ? 25 : min}.`;
  return z.pipe(
    z.transform<unknown, number>((value, ctx) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) return Number(value);
      ctx.issues.push({ code: 'custom', message: digits, input: value });
      return z.NEVER;
    }),
    // The range first: a number of 20 digits is out of range, not "not a whole number" (zod's int is a safe integer).
    z
      .number(digits)
      .check(
        z.minimum(min, { message: range, abort: true }),
        z.maximum(max, { message: range, abort: true }),
        z.int(digits),
      ),
  );
}
