import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from '../../../src/server/idempotency/fingerprint.ts';

/** The same object with its keys (at every depth) in reverse order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(out, key, {
      value: reorder(Reflect.get(value, key)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('writes scalars as JSON does, leaves out undefined members and nulls undefined items', () => {
    expect(canonicalJson('é"\n')).toBe(JSON.stringify('é"\n'));
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(Number.NaN)).toBe('null');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
  });

  it('keeps a __proto__ key that JSON.parse made an own property', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"admin":true},"constructor":1}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"admin":true},"constructor":1}');
  });

  it('refuses a cycle, and nesting deeper than any request body', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    expect(() => canonicalJson(JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`))).toThrow(/deeply/);
  });

  it('is valid JSON that parses back to the same data, whatever the key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reorder(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('requestFingerprint', () => {
  const base = {
    method: 'POST',
    route: '/api/users',
    params: {},
    body: { email: 'a@clinic.org', firstName: 'Ann' },
  };

  it('is a SHA-256 hex digest, equal for equal requests in any key order', () => {
    const fingerprint = requestFingerprint(base);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(
      requestFingerprint({ ...base, method: 'post', body: { firstName: 'Ann', email: 'a@clinic.org' } }),
    ).toBe(fingerprint);
  });

  it('differs when the method, route, ids or body differ', () => {
    const fingerprint = requestFingerprint(base);
    const others = [
      { ...base, method: 'PATCH' },
      { ...base, route: '/api/users/:userId' },
      { ...base, params: { userId: 'usr_0123456789abcdef0123456789abcdef' } },
      { ...base, body: { ...base.body, firstName: 'Anne' } },
      { ...base, body: undefined },
    ];
    const prints = others.map(requestFingerprint);
    expect(new Set([fingerprint, ...prints]).size).toBe(others.length + 1);
  });

  it('is the SHA-256 of the canonical JSON of method, route, ids and body (keys stored yesterday still match)', () => {
    const text =
      '{"body":{"email":"a@clinic.org","firstName":"Ann"},"method":"POST","params":{},"route":"/api/users"}';
    expect(canonicalJson(base)).toBe(text);
    expect(requestFingerprint(base)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('cannot be forged by moving text between the parts', () => {
    expect(requestFingerprint({ ...base, route: '/api/a', params: { x: 'b' } })).not.toBe(
      requestFingerprint({ ...base, route: '/api/a","params":{"x":"b"}', params: {} }),
    );
  });
});
