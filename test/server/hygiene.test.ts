import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserSchema } from '../../src/contract/users.ts';
import { upstreamIdempotencyKey } from '../../src/server/idempotency/idempotent-route.ts';
import { newPerson } from '../support/people.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

/** What reaches Avara: the Bearer key, an allowlist of headers, and nothing at all of the browser's. */

const BROWSER_HEADERS: Record<string, string> = {
  cookie: 'session=operator-session-cookie; csrf=abc',
  authorization: 'Bearer browser-supplied-token',
  'x-forwarded-for': '203.0.113.7',
  'x-custom': 'custom-value',
  referer: 'https://viewer-admin.example/users',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140',
  'accept-language': 'fr-CA',
  'x-api-key': 'browser-api-key',
  'proxy-authorization': 'Basic Zm9vOmJhcg==',
};
const ALLOWED = new Set([
  'host',
  'connection',
  'content-length',
  'accept',
  'content-type',
  'authorization',
  'user-agent',
  'idempotency-key',
  'x-request-id',
]);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.clearUpstreamRequests();
});

describe('upstream request hygiene', () => {
  it('sends the Bearer key and none of the browser headers, on reads and writes', async () => {
    // The browser's own origin (a foreign one is refused before anything is sent: see security tests).
    BROWSER_HEADERS.origin = stack.bffUrl;
    const created = await stack.api('POST', '/api/users', {
      body: newPerson(),
      headers: { ...BROWSER_HEADERS, 'idempotency-key': 'invite-1' },
    });
    expect(created.status).toBe(201);
    const user = UserSchema.parse(created.json());
    await stack.api('GET', `/api/users/${user.userId}`, { headers: BROWSER_HEADERS });
    await stack.api('PATCH', `/api/users/${user.userId}`, {
      body: { firstName: 'Changed' },
      headers: BROWSER_HEADERS,
    });
    await stack.api('GET', '/api/invitations?status=sent', { headers: BROWSER_HEADERS });

    const sent = await stack.upstreamRequests();
    // The invite and the edit are each followed by the directory's read of the person's invitations.
    expect(sent.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'PATCH', 'GET', 'GET']);
    for (const request of sent) {
      expect(request.headers.authorization).toBe(`Bearer ${stack.sandboxKey}`);
      expect(request.headers['user-agent']).toMatch(/^viewer-admin\//);
      expect(request.headers.accept).toBe('application/json');
      expect(Object.keys(request.headers).filter((name) => !ALLOWED.has(name))).toEqual([]);
      const everything = JSON.stringify(request);
      for (const value of Object.values(BROWSER_HEADERS)) expect(everything).not.toContain(value);
      expect(everything).not.toContain(stack.client.sessionId);
    }
    expect(sent[0]?.headers['idempotency-key']).toBe(
      upstreamIdempotencyKey(stack.client.session.operator.id, 'invite-1'),
    );
  });

  it("sends its own request id upstream (the one the browser sees), never the browser's", async () => {
    const answer = await stack.api('GET', '/api/users?limit=1', {
      headers: { 'x-request-id': 'browser-chosen-id-0001' },
    });
    const id = answer.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stack.upstreamRequests())[0]?.headers['x-request-id']).toBe(id);
  });
});
