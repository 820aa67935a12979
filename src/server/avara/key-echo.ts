import { Buffer } from 'node:buffer';

/**
 * Finds our API key in an answer from Avara, in any form a browser, a person or a script could turn back into the
 * key: as is, in upper, lower or mixed case, JSON-escaped (`\u0073k_...`, decoded by JSON.parse or left escaped inside a
 * string), percent-encoded (any or all characters, even twice over; `+` for a space), in base64 or base64url (alone or
 * inside a longer encoded text such as `Bearer <key>`). Such an answer is never used (see transport.ts).
 *
 * It runs on every answer, a 100-user page included, so the common case costs two passes over the text (the key in
 * any case; the base64 needles) and two searches for `%` and `\`. Only a text with one of those can hide the key from
 * the passes: then each string value and object key is looked at on its own, and decoded.
 */
export class KeyEcho {
  /** The key in any case (one regular expression: half the time of lower-casing the text and searching it). */
  readonly #anyCase: RegExp | undefined;
  /** The key's base64 and base64url, at each of the three alignments it can have inside a longer encoded text. */
  readonly #base64: RegExp | undefined;
  /** The shortest text that can hold the key in any form. */
  readonly #shortest: number;
  /** `+` stands for a space in a form-encoded text: it matters only for a key with a space in it. */
  readonly #plusIsSpace: boolean;

  constructor(apiKey: string) {
    const needles = apiKey === '' ? [] : base64Needles(apiKey);
    this.#anyCase = apiKey === '' ? undefined : new RegExp(escapeRegExp(apiKey), 'iu');
    this.#base64 = needles.length === 0 ? undefined : new RegExp(needles.map(escapeRegExp).join('|'));
    this.#shortest = Math.min(apiKey.length, ...needles.map((needle) => needle.length));
    this.#plusIsSpace = apiKey.includes(' ');
  }

  /** Whether an answer holds the key: `text` as received and, when it is JSON, its parsed value. */
  inAnswer(text: string, json: { value: unknown } | undefined): boolean {
    if (this.#anyCase === undefined) return false;
    if (this.#inPlainForms(text)) return true;
    // Without an escape or a percent sign, every string JSON.parse made is a piece of the text as it stands.
    if (!this.#mayHide(text)) return false;
    return json === undefined ? this.#inDecodedForms(text) : this.#inValue(json.value);
  }

  /** As is in any case, or in base64. */
  #inPlainForms(text: string): boolean {
    if (text.length < this.#shortest) return false;
    return this.#anyCase?.test(text) === true || this.#base64?.test(text) === true;
  }

  #mayHide(text: string): boolean {
    return text.includes('%') || text.includes('\\') || (this.#plusIsSpace && text.includes('+'));
  }

  #inString(text: string): boolean {
    if (text.length < this.#shortest) return false;
    return this.#inPlainForms(text) || (this.#mayHide(text) && this.#inDecodedForms(text));
  }

  /** Decoded again and again (percent-encoding, then escapes), as a key encoded several times over would be. */
  #inDecodedForms(text: string): boolean {
    let current = text;
    for (let round = 0; round < MAX_DECODING_ROUNDS; round += 1) {
      const next = unescapeBackslashes(percentDecode(current, this.#plusIsSpace));
      if (next === current) return false;
      if (this.#inPlainForms(next)) return true;
      current = next;
    }
    return false;
  }

  /** Every string value and object key, without recursion (an answer may nest deeper than the stack). */
  #inValue(root: unknown): boolean {
    const pending: object[] = [];
    const visit = (value: unknown): boolean => {
      if (typeof value === 'string') return this.#inString(value);
      if (typeof value === 'object' && value !== null) pending.push(value);
      return false;
    };
    if (visit(root)) return true;
    for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
      if (Array.isArray(container)) {
        for (const item of container) if (visit(item)) return true;
      } else {
        for (const key of Object.keys(container)) {
          if (this.#inString(key) || visit(Reflect.get(container, key))) return true;
        }
      }
    }
    return false;
  }
}

/** Enough for a key percent-encoded and JSON-escaped a couple of times over; each round only shortens the text. */
const MAX_DECODING_ROUNDS = 4;

/** Base64 shorter than this could turn up by chance in any encoded text (a short key is checked as text only). */
const MIN_NEEDLE = 8;

/**
 * Inside a longer base64 text the key starts at byte offset 0, 1 or 2 of a 3-byte group, and each offset encodes it
 * differently. For each, the characters that depend on the key's bytes alone (not on its neighbours) are the needle.
 */
function base64Needles(apiKey: string): string[] {
  const bytes = Buffer.from(apiKey, 'utf8');
  const needles = new Set<string>();
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const needle = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    if (needle.length < MIN_NEEDLE) continue;
    needles.add(needle);
    needles.add(needle.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...needles];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Percent-decoding that never throws: runs of `%XX` become their bytes, read as UTF-8 (a bad sequence as U+FFFD). */
function percentDecode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'),
  );
}

/** Escapes left inside a string (`\u0073`, `\u{73}`, `\x73`, `\/`): what a second JSON or JavaScript decoding would read. */
function unescapeBackslashes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(
    /\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(.))/gs,
    (_match, braced?: string, four?: string, two?: string, other?: string) => {
      const hex = braced ?? four ?? two;
      if (hex === undefined) return other ?? '';
      const code = Number.parseInt(hex, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    },
  );
}
