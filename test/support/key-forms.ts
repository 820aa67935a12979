import { Buffer } from 'node:buffer';
import { expect } from 'vitest';

/**
 * The spellings of an API key an upstream could echo (issue 13): each as a JSON string literal, ready to be put in a
 * JSON body, and as the text a plain-text body would carry. And a search for the key in any of those spellings in what
 * the BFF answers, logs or stores, written apart from the production check (src/server/avara/key-echo.ts).
 */

export interface KeyForm {
  name: string;
  /** A JSON string literal (quotes included) that holds the key in this form. */
  literal: string;
  /** The same, for a body that is not JSON. */
  text: string;
}

const hex2 = (byte: number) => byte.toString(16).padStart(2, '0').toUpperCase();
const u4 = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
const percentAll = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${hex2(b)}`).join('');
const percentEveryOther = (text: string) =>
  [...text].map((char, i) => (i % 2 === 0 ? percentAll(char) : char)).join('');
const mixedCase = (text: string) =>
  [...text].map((char, i) => (i % 2 === 0 ? char.toUpperCase() : char.toLowerCase())).join('');
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** From plain text: the literal is its JSON, the text itself. */
const plain = (name: string, value: string): KeyForm => ({
  name,
  literal: JSON.stringify(value),
  text: value,
});

export function keyForms(key: string): KeyForm[] {
  const escapedAll = [...key].map(u4).join('');
  return [
    plain('as is', key),
    plain('after Bearer', `Bearer ${key}`),
    plain('in upper case', key.toUpperCase()),
    plain('in mixed case', mixedCase(key)),
    plain('inside a sentence', `The request carried ${key}, which was refused.`),
    // JSON.parse decodes these: the string the BFF reads is the key itself.
    {
      name: 'JSON-escaped first letter',
      literal: `"${u4(key.charAt(0))}${key.slice(1)}"`,
      text: `${u4(key.charAt(0))}${key.slice(1)}`,
    },
    { name: 'JSON-escaped throughout', literal: `"${escapedAll}"`, text: escapedAll },
    {
      name: 'JSON-escaped in upper case',
      literal: `"${[...key.toUpperCase()].map(u4).join('')}"`,
      text: [...key.toUpperCase()].map(u4).join(''),
    },
    // The string the BFF reads still holds escapes: a second decoding would give the key.
    plain('JSON-escaped twice', escapedAll),
    plain('percent-encoded throughout', percentAll(key)),
    plain('percent-encoded in part', percentEveryOther(key)),
    plain('percent-encoded, lower-case hex', percentAll(key).toLowerCase()),
    plain('percent-encoded twice', percentAll(percentAll(key))),
    plain('form-encoded header', `Authorization=Bearer+${percentAll(key)}`),
    {
      name: 'percent-encoded, then JSON-escaped',
      literal: `"${[...percentAll(key)].map(u4).join('')}"`,
      text: [...percentAll(key)].map(u4).join(''),
    },
    plain('base64', base64(key)),
    plain('base64url', base64url(key)),
    plain('base64 of Bearer <key>', base64(`Bearer ${key}`)),
    plain('base64url inside a longer token', `tok.${base64url(`xy${key}z`)}.sig`),
    plain('base64, then percent-encoded', percentAll(base64(`Bearer ${key}`))),
  ];
}

/** Every decoding a reader could apply, a few times over: escapes and percent-encoding, then base64 at any offset. */
function decodings(text: string): string[] {
  const layers = [text];
  for (let round = 0; round < 4; round += 1) {
    const last = layers[layers.length - 1] ?? '';
    const next = last
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_m, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
      .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
        Buffer.from(run.replaceAll('%', ''), 'hex').toString('latin1'),
      );
    if (next === last) break;
    layers.push(next);
  }
  const decoded = [...layers];
  for (const layer of layers) {
    for (const run of layer.match(/[A-Za-z0-9+/_-]{12,}/g) ?? []) {
      for (let shift = 0; shift < 4; shift += 1)
        decoded.push(Buffer.from(run.slice(shift), 'base64').toString('latin1'));
    }
  }
  return decoded;
}

/** Fail when `text` holds `secret` (the random part of the key) in any spelling. */
export function expectNoKey(text: string, secret: string, label = 'the text'): void {
  const lower = secret.toLowerCase();
  for (const decoded of decodings(text)) {
    expect(decoded.toLowerCase().includes(lower), `${label} holds the key`).toBe(false);
  }
}
