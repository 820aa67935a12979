/**
 * Structured JSON logs (Fastify's pino), one object per line. What a log line may say about a request is decided
 * here: method, path, query parameter NAMES (values redacted: they hold e-mail addresses and names), status, time,
 * and the request id. Never headers (the cookie, the key's Authorization header), never bodies (passwords, invitee
 * e-mails), and redactLogObject blanks secrets in anything else that is logged. pino writes JSON, which escapes
 * newlines and quotes, so input cannot forge a log line.
 */

const CENSOR = '[redacted]';
/** Blanked as a key of anything logged, or of an object directly inside it (`{ signIn: { password } }`). */
const SECRET_KEYS = ['password', 'currentPassword', 'newPassword', 'apiKey', 'email', 'body'] as const;
/** Blanked in a `headers` object, logged as such or directly inside a logged object (`req.headers`). */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'set-cookie', 'x-csrf']);
/** Keys whose serializer (below) writes only what it names: their values are never copied or walked. */
const SERIALIZED: ReadonlySet<string> = new Set(['req', 'res']);

/**
 * Belt and braces: the serializers already keep headers and bodies out of every request line, and this blanks
 * secrets should an object carrying one ever be logged anyway. It runs on every log call (pino's `formatters.log`)
 * and on the bindings of each request's logger (Fastify's `childLoggerFactory`), and copies only what it changes:
 * an object with nothing to blank, such as every request line, goes through untouched. (pino's own `redact` paths
 * did this with a walk of every path for every key of every line: most of the cost of logging a request.)
 */
export function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    if (value === undefined || SERIALIZED.has(key)) continue;
    let clean: unknown = value;
    if ((SECRET_KEYS as readonly string[]).includes(key)) clean = CENSOR;
    else if (typeof value === 'object' && value !== null)
      clean = key === 'headers' ? redactHeaders(value) : redactMembers(value);
    if (clean !== value) {
      copy ??= { ...object };
      copy[key] = clean;
    }
  }
  return copy ?? object;
}

/** `value` with its secret members (and the credentials in its `headers`) blanked: itself when it has none. */
function redactMembers(value: object): object {
  let changes: [string, unknown][] | undefined;
  for (const key of SECRET_KEYS) {
    if (key in value && Reflect.get(value, key) !== undefined) (changes ??= []).push([key, CENSOR]);
  }
  const headers: unknown = 'headers' in value ? value.headers : undefined;
  if (typeof headers === 'object' && headers !== null) {
    const clean = redactHeaders(headers);
    if (clean !== headers) (changes ??= []).push(['headers', clean]);
  }
  return changes === undefined ? value : copyWith(value, changes);
}

function redactHeaders(headers: object): object {
  let changes: [string, unknown][] | undefined;
  for (const name of Object.keys(headers)) {
    if (SECRET_HEADERS.has(name.toLowerCase())) (changes ??= []).push([name, CENSOR]);
  }
  return changes === undefined ? headers : copyWith(headers, changes);
}

/** A copy of `value` (same prototype and properties, so an Error stays an Error) with `changes` made. */
function copyWith(value: object, changes: readonly [string, unknown][]): object {
  // The members being replaced are left out of the copy's descriptors: one may be read-only and not configurable
  // (UpstreamError's hidden body), which defineProperty could not then replace.
  const changed = new Set<PropertyKey>(changes.map(([key]) => key));
  const descriptors: PropertyDescriptorMap = {};
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor && !changed.has(key)) Reflect.set(descriptors, key, descriptor);
  }
  const copy: object = Array.isArray(value)
    ? [...value]
    : Object.create(Object.getPrototypeOf(value), descriptors);
  for (const [key, member] of changes) {
    Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** For pino: every log call's object goes through the redaction. */
export const logFormatters = { log: redactLogObject };

/** `/api/users?email=a@b.c&limit=5` → `/api/users?email=[redacted]&limit=[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const name = part.split('=')[0] ?? '';
      let decoded: string;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        decoded = '?';
      }
      // Only plain parameter names survive; anything odd is not worth the risk of carrying data.
      return /^[A-Za-z0-9_.-]{1,40}$/.test(decoded) ? `${decoded}=[redacted]` : '[redacted]';
    });
  return `${url.slice(0, q)}?${names.join('&')}`;
}

export const logSerializers = {
  req(request: { method: string; url: string }) {
    return { method: request.method, url: redactUrl(request.url) };
  },
  res(reply: { statusCode: number }) {
    return { statusCode: reply.statusCode };
  },
};
