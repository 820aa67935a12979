import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../../support/raw-http.ts';
import type { RawRequest } from '../../support/raw-http.ts';
import { CSRF_HEADERS, TEST_OPERATOR } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * No log level ever carries request bytes. Malformed requests (that Node's parser refuses before Fastify sees them,
 * and that Fastify's own parsers refuse) carrying a live session cookie, a password and the API key are sent at every
 * level from trace to fatal; the output is searched as text, and every array of byte values in it decoded and
 * searched too.
 */

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const PASSWORD = 'typed-secret-password-4711';

/** Every string in a parsed log line, with arrays of byte values (and Buffers as JSON) decoded as text. */
function textsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) {
    if (
      value.length > 0 &&
      value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255)
    ) {
      into.push(Buffer.from(value).toString('latin1'));
    } else for (const item of value) textsOf(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      into.push(key);
      textsOf(member, into);
    }
  }
  return into;
}

function malformedRequests(host: string, cookie: string, key: string): RawRequest[] {
  const body = JSON.stringify({ email: TEST_OPERATOR.email, password: PASSWORD });
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  return [
    // A method Node's parser does not know.
    {
      target: '',
      raw: head([`GETT /api/session HTTP/1.1`, `Host: ${host}`, `Cookie: ${cookie}`, `X-Api: ${key}`]) + body,
    },
    // A cookie header over Node's header limit.
    {
      target: '',
      raw: head([
        `GET /api/mode HTTP/1.1`,
        `Host: ${host}`,
        `Cookie: ${cookie}; pad=${'p'.repeat(20_000)}`,
        `Authorization: Bearer ${key}`,
      ]),
    },
    // A chunked body that breaks off into garbage.
    {
      target: '',
      raw:
        head([
          `POST /api/session HTTP/1.1`,
          `Host: ${host}`,
          'Transfer-Encoding: chunked',
          'Content-Type: application/json',
          'X-CSRF: 1',
          `Cookie: ${cookie}`,
        ]) + `${(body.length - 3).toString(16)}\r\n${body}\r\nzz\r\n${key}\r\n`,
    },
    // A header with a byte no header may hold.
    {
      target: '',
      raw: head([`GET /api/mode HTTP/1.1`, `Host: ${host}`, `Cookie: ${cookie}\u0001${PASSWORD}`]),
    },
    // Well-formed HTTP whose JSON is broken, with the password inside.
    {
      method: 'POST',
      target: '/api/session',
      headers: { ...CSRF_HEADERS, 'content-type': 'application/json', cookie },
      body: `{"email":"${TEST_OPERATOR.email}","password":"${PASSWORD}",`,
    },
    // An address the router cannot read, and a query that carries the password and key.
    { target: `/api/users/%E0%A4%A?password=${PASSWORD}&key=${key}`, headers: { ...CSRF_HEADERS, cookie } },
    {
      method: 'POST',
      target: '/api/session',
      headers: { ...CSRF_HEADERS, 'content-type': 'text/plain', cookie },
      body,
    },
  ];
}

describe.each(LEVELS)('at LOG_LEVEL=%s', (level) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: false, logger: { level } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('no malformed request puts its bytes, the session cookie, a password or the key into the log', async () => {
    const host = new URL(stack.bffUrl).host;
    const cookie = stack.client.cookie;
    const answers = [];
    for (const request of malformedRequests(host, cookie, stack.sandboxKey)) {
      answers.push((await rawHttp(stack.bffUrl, request)).status);
    }
    // Every one of them refused with a 4xx, and the server still serves.
    for (const status of answers) expect(status).toBeGreaterThanOrEqual(400);
    for (const status of answers) expect(status).toBeLessThan(500);
    expect((await stack.api('GET', '/api/mode')).status).toBe(200);

    const secrets = [stack.client.sessionId, PASSWORD, stack.sandboxKey, TEST_OPERATOR.password];
    const texts = [...stack.logs.lines(), ...stack.logs.entries().flatMap((entry) => textsOf(entry))];
    for (const text of texts) {
      for (const secret of secrets)
        expect(text.includes(secret), `a secret in: ${text.slice(0, 120)}`).toBe(false);
      expect(text).not.toMatch(/GETT \/api|Transfer-Encoding: chunked/i);
    }
    if (level === 'trace' || level === 'debug') {
      // The refusals are logged, by their code only.
      const clientErrors = stack.logs
        .entries()
        .filter((entry) => entry.msg === 'A request could not be read');
      expect(clientErrors.length).toBeGreaterThanOrEqual(3);
    }
  });
});
