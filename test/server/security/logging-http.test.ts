import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { CSRF_HEADERS, TEST_OPERATOR } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** What the BFF logs: structured JSON lines with request ids, and never a key, cookie, password or e-mail. */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ seed: false });
});
afterAll(async () => {
  // close() also checks the whole capture for secrets and e-mail addresses (as every stack does).
  await stack.close();
});

describe('logs', () => {
  it('say what happened, per request, without secrets or e-mail addresses, and cannot be forged', async () => {
    const person = newPerson();
    await stack.api('POST', '/api/users', { body: person });
    await stack.api('GET', `/api/users?email=${encodeURIComponent(person.email)}&limit=5`);
    await http(stack.bffUrl, 'POST', '/api/session', {
      body: { email: 'someone.else@clinic.test', password: 'a typed secret password' },
      headers: { ...CSRF_HEADERS },
    });
    await http(stack.bffUrl, 'GET', '/api/mode', {
      headers: {
        ...CSRF_HEADERS,
        cookie: `__Host-va_session=${'A'.repeat(43)}`,
        authorization: 'Bearer browser-token',
      },
    });
    // An attempt to forge a log line through the path: a newline and a JSON object of our choosing.
    const forged = encodeURIComponent('\n{"level":60,"msg":"forged"}\r\n');
    await stack.api('GET', `/api/users/${forged}`);
    await stack.api('GET', `/api/audit?from=2026-01-01&x=${forged}`);
    await stack.faults.add({ method: 'GET', status: 500, times: 3 });
    await stack.api('GET', '/api/users?limit=1');

    const entries = stack.logs.entries(); // every line is exactly one JSON object
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.some((e) => e.msg === 'forged')).toBe(false);
    expect(entries.filter((e) => e.level === 60)).toEqual([]);

    const completed = entries.filter((e) => e.msg === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(7);
    for (const entry of completed) {
      expect(entry.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(entry.req).toEqual({ method: expect.any(String), url: expect.stringMatching(/^\/api\//) });
      expect(entry.res).toEqual({ statusCode: expect.any(Number) });
      expect(entry.responseTime).toEqual(expect.any(Number));
    }
    const urls = completed.map((e) => JSON.stringify(e.req));
    expect(urls).toContain(
      JSON.stringify({ method: 'GET', url: '/api/users?email=[redacted]&limit=[redacted]' }),
    );
    expect(urls.some((u) => u.includes('/api/audit?from=[redacted]&x=[redacted]'))).toBe(true);
    // The upstream failure is logged by kind and status, with the same request id as its request line.
    const failure = entries.find(
      (e) => e.msg === 'Avara is not answering properly' || (e.level === 50 && e.upstream),
    );
    expect(failure?.reqId).toMatch(/^[0-9a-f-]{36}$/);

    stack.logs.expectClean([
      stack.sandboxKey,
      TEST_OPERATOR.password,
      'a typed secret password',
      stack.client.sessionId,
      'browser-token',
      'A'.repeat(43),
    ]);
    expect(stack.logs.lines().join('\n')).not.toContain(person.lastName);
  });
});
