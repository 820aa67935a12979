import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyEcho } from '../../../src/server/avara/key-echo.ts';
import { keyForms } from '../../support/key-forms.ts';

/** Finding the API key in an upstream answer, in every spelling, wherever it is (issue 13). */

const KEY = 'sk_live_4f9c2a7e81d3b6c05e2f7a9d';
const echo = new KeyEcho(KEY);

function holds(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return echo.inAnswer(text, { value });
  } catch {
    return echo.inAnswer(text, undefined);
  }
}

const user = (firstName: string) =>
  `{"userId":"usr_${'a'.repeat(32)}","email":"a@b.org","firstName":${firstName},"lastName":"Bird","clinicRole":"Radiologist","level":"member","hasDashboardAccess":true,"canManageStudies":false,"invitedSource":"api","createdAt":null,"lastLoginAt":null}`;

describe('KeyEcho', () => {
  it.each(keyForms(KEY))(
    'finds the key $name: in a value, an object key, an error body and plain text',
    (form) => {
      expect(holds(user(form.literal))).toBe(true);
      expect(holds(`{"users":[${user('"Ann"')}],"cursor":${form.literal},"hasMore":true}`)).toBe(true);
      expect(holds(`{"success":true,"extra":{"deep":[[{${form.literal}:1}]]}}`)).toBe(true);
      expect(holds(`{"message":"refused","errors":[{"path":"email","message":${form.literal}}]}`)).toBe(true);
      expect(holds(`upstream crashed: ${form.text}`)).toBe(true);
    },
  );

  it('finds nothing in clean answers, however they are escaped or encoded', () => {
    expect(holds(user('"Ann"'))).toBe(false);
    expect(holds(user('"\\u0041nn \\"the\\" 100% \\\\ sure"'))).toBe(false);
    expect(
      holds(`{"cursor":"${Buffer.from('{"k":"users","c":"2026-01-01","s":5}').toString('base64url')}"}`),
    ).toBe(false);
    expect(holds('%E9%ZZ%\\u12\\x')).toBe(false);
    // Part of the key is not the key.
    expect(holds(JSON.stringify({ note: KEY.slice(0, -1), other: KEY.slice(1) }))).toBe(false);
  });

  it('finds a form of a random key put anywhere in random JSON, and nothing in that JSON without it', () => {
    const key = fc
      .string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.'),
        minLength: 16,
        maxLength: 48,
      })
      .map((random) => `sk_${random}`);
    fc.assert(
      fc.property(key, fc.jsonValue(), fc.nat(), fc.boolean(), (apiKey, value, pick, asKey) => {
        const finder = new KeyEcho(apiKey);
        const clean = JSON.stringify(value) ?? 'null';
        fc.pre(!clean.toLowerCase().includes(apiKey.toLowerCase()));
        expect(finder.inAnswer(clean, { value: JSON.parse(clean) })).toBe(false);
        const forms = keyForms(apiKey);
        const form = forms[pick % forms.length];
        if (!form) return;
        const text = asKey ? `{"data":${clean},${form.literal}:0}` : `[${clean},{"x":[${form.literal}]}]`;
        expect(finder.inAnswer(text, { value: JSON.parse(text) })).toBe(true);
      }),
    );
  });

  it('reads an answer nested far deeper than the stack without failing', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}"%41"${']'.repeat(depth)}`;
    let value: unknown = '%41';
    for (let i = 0; i < depth; i += 1) value = [value];
    expect(echo.inAnswer(text, { value })).toBe(false);
  });

  it('checks nothing for an empty key (no key, nothing to find)', () => {
    expect(new KeyEcho('').inAnswer('{"a":"b"}', { value: { a: 'b' } })).toBe(false);
  });
});
