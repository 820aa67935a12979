// An Idempotency-Key is remembered for the configured time (idempotency.ttlMs), measured on the BFF's clock: within
// it the same request is replayed without reaching Avara; after it the key is forgotten and the same request counts
// as new. An invite whose e-mail Avara already holds is then refused as a duplicate, naming the existing person:
// still exactly one invitation.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestLogSchema } from '../../../src/sandbox/fault.ts';
import type { RequestLogEntry } from '../../../src/sandbox/fault.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { buildApp } from '../../../src/server/app.ts';
import { TEST_PASSWORD_COST } from '../../../src/server/auth/password.ts';
import { startServer } from '../../../src/server/start.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { TEST_OPERATOR, signIn } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { TEST_BREAKER, TEST_RETRY } from '../../support/stack.ts';
import { UserAnswerSchema, expectExactlyOneInvitation, invite, newKey } from './reliability-support.ts';
import type { Upstream } from './reliability-support.ts';

/** Shorter than the session's idle timeout (30 minutes), so moving the clock past it keeps the operator signed in. */
const TTL_MS = 10 * 60_000;

let clock = Date.now();
let dataDir: string;
let upstream: Upstream;
let client: SignedInClient;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  clock = Date.now();
  dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-idempotency-ttl-'));
  const sandboxKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({
    dataDir,
    apiKey: sandboxKey,
    host: '127.0.0.1',
    port: 0,
    faultInjection: true,
    seed: true,
  });
  closers.push(() => sandbox.close());
  const app = await buildApp({
    mode: 'sandbox',
    upstream: {
      baseUrl: sandbox.url,
      apiKey: sandboxKey,
      timeoutMs: 5_000,
      retry: TEST_RETRY,
      breaker: TEST_BREAKER,
    },
    idempotency: { ttlMs: TTL_MS },
    dataDir: ':memory:',
    admin: { ...TEST_OPERATOR },
    security: { passwordCost: TEST_PASSWORD_COST, now: () => clock },
  });
  const bff = await startServer(app, { host: '127.0.0.1', port: 0 });
  closers.push(() => bff.close());
  upstream = { sandboxUrl: sandbox.url, sandboxKey };
  client = await signIn(bff.url);
});
afterEach(async () => {
  for (const close of closers.reverse().splice(0)) await close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function sandboxRequests(method: 'GET' | 'DELETE'): Promise<RequestLogEntry[]> {
  const response = await request(`${upstream.sandboxUrl}/__sandbox/requests`, {
    method,
    headers: { authorization: `Bearer ${upstream.sandboxKey}` },
  });
  const text = await response.body.text();
  expect(response.statusCode, text).toBeLessThan(300);
  return method === 'GET' ? RequestLogSchema.parse(JSON.parse(text)).requests : [];
}

/** The /v1 calls Avara received since the last call of this function. */
async function takeUpstreamCalls(): Promise<string[]> {
  const requests = await sandboxRequests('GET');
  await sandboxRequests('DELETE');
  return requests.map((entry) => `${entry.method} ${entry.path}${entry.query === '' ? '' : '?'}`);
}

describe('the Idempotency-Key time to live (idempotency.ttlMs)', () => {
  it('replays the same request until the key expires, then treats it as new', async () => {
    const person = newPerson();
    const key = newKey();

    const first = await invite(client, person, key);
    expect(first.status, first.text).toBe(201);
    const created = UserAnswerSchema.parse(first.json());
    // Then the directory reads the new person's invitations.
    expect(await takeUpstreamCalls()).toEqual(['POST /v1/viewer/users', 'GET /v1/viewer/users/invitations?']);

    // One millisecond before the key expires: the stored answer, marked as a replay, and nothing sent upstream.
    clock += TTL_MS - 1;
    const beforeExpiry = await invite(client, person, key);
    expect(beforeExpiry.status, beforeExpiry.text).toBe(201);
    expect(beforeExpiry.headers['idempotency-replayed']).toBe('true');
    expect(beforeExpiry.text).toBe(first.text);
    expect(await takeUpstreamCalls()).toEqual([]);

    // At expiry the key is forgotten: the request is sent again, Avara refuses the e-mail it already holds, and the
    // operator is told who has it (looked up by e-mail). No replay, and still one invitation.
    clock += 1;
    const afterExpiry = await invite(client, person, key);
    const problem = expectProblem(afterExpiry, 409, 'duplicate-email');
    expect(afterExpiry.headers['idempotency-replayed']).toBeUndefined();
    expect(problem.existingUserId).toBe(created.userId);
    expect(await takeUpstreamCalls()).toEqual(['POST /v1/viewer/users', 'GET /v1/viewer/users?']);

    // That answer is now what the key holds: the same request again is its replay, again without Avara.
    const again = await invite(client, person, key);
    expect(again.status).toBe(409);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(await takeUpstreamCalls()).toEqual([]);
    // (Asked of the sandbox directly, last: this look-up is in its request log too.)
    expect(await expectExactlyOneInvitation(upstream, person.email)).toBe(created.userId);
  });

  it('forgets a key used for another request once it expires (no 422 any more)', async () => {
    const key = newKey();
    const first = await invite(client, newPerson(), key);
    expect(first.status, first.text).toBe(201);

    const other = newPerson();
    clock += TTL_MS - 1;
    expectProblem(await invite(client, other, key), 422, 'idempotency-key-reused');

    clock += 1;
    const afterExpiry = await invite(client, other, key);
    expect(afterExpiry.status, afterExpiry.text).toBe(201);
    expect(afterExpiry.headers['idempotency-replayed']).toBeUndefined();
    await expectExactlyOneInvitation(upstream, other.email);
  });
});
