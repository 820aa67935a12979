import { hash } from 'node:crypto';

/**
 * Canonical JSON: the same data always gives the same text, whatever order its keys were written in. Object keys
 * are sorted by UTF-16 code units and numbers and strings are written as JSON.stringify writes them, which is what
 * RFC 8785 (JSON Canonicalization Scheme) prescribes for the data a parsed request body can hold. `undefined`
 * members are left out (as JSON.stringify does), `undefined` array items become `null`.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

/** Deeper than any request body the contract accepts; a cycle (impossible in parsed JSON) ends here too. */
const MAX_DEPTH = 64;

function write(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity: JSON.stringify writes null for them, and so do we.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      // Functions and symbols carry no data.
      return 'null';
  }
  if (depth >= MAX_DEPTH)
    throw new TypeError('canonicalJson: the value is nested too deeply (or has a cycle).');
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return `[${items.map((item) => write(item, depth + 1)).join(',')}]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  let text = '';
  for (const key of Object.keys(value).sort()) {
    const member: unknown = Reflect.get(value, key);
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${write(member, depth + 1)}`;
  }
  return `{${text}}`;
}

/** What identifies one request for idempotency: the same operation on the same ids with the same parsed body. */
export interface FingerprintInput {
  method: string;
  /** The route pattern (`/api/users/:userId`), not the raw URL. */
  route: string;
  /** The validated path ids (`{ userId }`), or `{}`. */
  params: Readonly<Record<string, string>>;
  /** The body as the contract parsed it (trimmed, optional blanks removed), or undefined for none. */
  body: unknown;
}

/**
 * SHA-256 (hex) of the canonical JSON of method, route, ids and parsed body. Parsing first means that two bodies
 * the server treats alike (key order, surrounding spaces the contract trims) are the same request.
 */
export function requestFingerprint(input: FingerprintInput): string {
  const envelope = {
    method: input.method.toUpperCase(),
    route: input.route,
    params: input.params,
    body: input.body === undefined ? null : input.body,
  };
  return hash('sha256', canonicalJson(envelope), 'hex');
}
