/**
 * Structured JSON logs (Fastify's pino), one object per line. What a log line may say about a request is decided
 * here: method, path, query parameter NAMES (values redacted: they hold e-mail addresses and names), status, time,
 * and the request id. Never headers (the cookie, the key's Authorization header), never bodies (passwords, invitee
 * e-mails). pino writes JSON, which escapes newlines and quotes, so input cannot forge a log line.
 */

/** Paths pino blanks out if anything ever logs these objects anyway (belt and braces). */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'body',
  'req.body',
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'apiKey',
  '*.apiKey',
  'email',
  '*.email',
];

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
