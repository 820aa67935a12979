import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasDuplicateKeys } from '../../src/server/json-duplicate-keys.ts';

describe('hasDuplicateKeys', () => {
  it('finds a member name given twice, at any depth, escapes decoded', () => {
    expect(hasDuplicateKeys('{"a":1,"a":2}')).toBe(true);
    expect(hasDuplicateKeys('{"a":1,"\\u0061":2}')).toBe(true);
    expect(hasDuplicateKeys('[{"x":{"b":[1,{"c":1,"c":1}]}}]')).toBe(true);
    expect(hasDuplicateKeys('{"__proto__":1,"__proto__":2}')).toBe(true);
  });

  it('accepts the same name in different objects, and names that only look alike', () => {
    expect(hasDuplicateKeys('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')).toBe(false);
    expect(hasDuplicateKeys('{"a":"a","b":"a"}')).toBe(false);
    expect(hasDuplicateKeys('{"a\\"":1,"a":2}')).toBe(false);
    expect(hasDuplicateKeys('{"a":"x,\\"a\\":1","b":2}')).toBe(false);
    expect(hasDuplicateKeys('"a"')).toBe(false);
    expect(hasDuplicateKeys('[]')).toBe(false);
  });

  it('handles deep nesting without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(hasDuplicateKeys(deep)).toBe(false);
    expect(hasDuplicateKeys(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`)).toBe(false);
  });

  it('never reports duplicates in what JSON.stringify wrote (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(hasDuplicateKeys(JSON.stringify(value))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a duplicate added to any object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (object) => {
        const [first] = Object.keys(object);
        const text = JSON.stringify(object);
        const withDuplicate = `${text.slice(0, -1)},${JSON.stringify(first)}:null}`;
        expect(hasDuplicateKeys(withDuplicate)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
