import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { AvaraClient } from '../../../src/server/avara/client.ts';
import { UpstreamError } from '../../../src/server/avara/upstream-error.ts';
import type { InviteUser } from '../../../src/contract/users.ts';
import { TEST_RETRY, startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** The upstream client against the real sandbox: retries, timeouts, faults, and exactly what goes on the wire. */

let stack: Stack;
let client: AvaraClient;
const extraClients: AvaraClient[] = [];

function clientWith(options: { apiKey?: string; timeoutMs?: number }): AvaraClient {
  const extra = new AvaraClient({
    baseUrl: stack.sandboxUrl,
    apiKey: options.apiKey ?? stack.sandboxKey,
    timeoutMs: options.timeoutMs ?? 2_000,
    retry: TEST_RETRY,
  });
  extraClients.push(extra);
  return extra;
}

async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  if (!(error instanceof UpstreamError)) throw new Error('unreachable');
  return error;
}

let counter = 0;
function invite(): InviteUser {
  counter += 1;
  return {
    firstName: 'Test',
    lastName: `Person${counter}`,
    email: `client-test-${counter}-${Date.now()}@clinic.example`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
  };
}

beforeAll(async () => {
  stack = await startStack();
  client = clientWith({});
});

afterAll(async () => {
  await Promise.all(extraClients.map((c) => c.close()));
  await stack.close();
});

beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

describe('AvaraClient against the sandbox', () => {
  it('lists the seeded clinic, parsed with the contract', async () => {
    const page = await client.listUsers({ limit: 5 });
    expect(page.users).toHaveLength(5);
    expect(page.hasMore).toBe(true);
    expect(page.users[0]?.userId).toMatch(/^usr_[0-9a-f]{32}$/);
  });

  it('sends only the allowlisted headers, with the Bearer key and our user agent', async () => {
    await client.inviteUser(invite(), { requestId: 'req-12345678', idempotencyKey: 'idem-1' });
    await client.listUsers({}, { requestId: 'req-87654321', idempotencyKey: 'ignored-on-reads' });
    const [post, get] = await stack.upstreamRequests();
    const allowed = [
      'host',
      'connection',
      'content-length',
      'accept',
      'content-type',
      'authorization',
      'user-agent',
      'idempotency-key',
      'x-request-id',
    ];
    expect(post?.headers.authorization).toBe(`Bearer ${stack.sandboxKey}`);
    expect(post?.headers['user-agent']).toMatch(/^viewer-admin\//);
    expect(post?.headers['idempotency-key']).toBe('idem-1');
    expect(post?.headers['x-request-id']).toBe('req-12345678');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(get?.headers['idempotency-key']).toBeUndefined();
    for (const recorded of [post, get]) {
      expect(Object.keys(recorded?.headers ?? {}).filter((name) => !allowed.includes(name))).toEqual([]);
    }
  });

  it('retries a GET on 503 and succeeds on the third attempt', async () => {
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 503, times: 2 });
    const page = await client.listUsers({ limit: 1 });
    expect(page.users).toHaveLength(1);
    expect(await stack.upstreamRequests()).toHaveLength(3);
  });

  it('gives up after two retries and reports the status', async () => {
    await stack.faults.add({ method: 'GET', status: 503, times: 5 });
    const error = await upstreamError(client.listUsers({}));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(3);
    expect(await stack.upstreamRequests()).toHaveLength(3);
  });

  it('honours Retry-After (seconds) on 429 before retrying', async () => {
    await stack.faults.add({ method: 'GET', status: 429, retryAfter: '1' });
    const started = Date.now();
    await client.listUsers({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await stack.upstreamRequests()).toHaveLength(2);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    await stack.faults.add({
      method: 'GET',
      status: 503,
      retryAfter: new Date(Date.now() + 1500).toUTCString(),
    });
    const started = Date.now();
    await client.listUsers({ limit: 1 });
    // HTTP dates have whole-second precision: the wait is somewhere in (0.5 s, 1.5 s].
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(await stack.upstreamRequests()).toHaveLength(2);
  });

  it('does not sit through a Retry-After longer than its cap: it surfaces the 429 with the wait', async () => {
    await stack.faults.add({ method: 'GET', status: 429, retryAfter: '30' });
    const started = Date.now();
    const error = await upstreamError(client.listUsers({}));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBe(30);
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });

  it('never retries a POST or a PATCH', async () => {
    await stack.faults.add({ status: 503, times: 10 });
    expect((await upstreamError(client.inviteUser(invite()))).status).toBe(503);
    expect((await upstreamError(client.revokeAccess(`usr_${'a'.repeat(32)}`))).status).toBe(503);
    expect((await upstreamError(client.updateUser(`usr_${'a'.repeat(32)}`, { firstName: 'X' }))).status).toBe(
      503,
    );
    expect(await stack.upstreamRequests()).toHaveLength(3);
  });

  it('never retries a POST whose connection dropped (it may have been applied)', async () => {
    await stack.faults.add({ method: 'POST', dropConnection: true, afterHandling: true });
    const error = await upstreamError(client.inviteUser(invite()));
    expect(error.kind).toBe('connection');
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });

  it('retries a GET whose connection dropped, and reports a connection error when it keeps dropping', async () => {
    await stack.faults.add({ method: 'GET', dropConnection: true });
    await client.listUsers({ limit: 1 });
    expect(await stack.upstreamRequests()).toHaveLength(2);

    await stack.clearUpstreamRequests();
    await stack.faults.add({ method: 'GET', dropConnection: true, times: 3 });
    const error = await upstreamError(client.listUsers({}));
    expect(error.kind).toBe('connection');
    expect(await stack.upstreamRequests()).toHaveLength(3);
  });

  it('times out after its deadline and does not retry', async () => {
    const quick = clientWith({ timeoutMs: 200 });
    await stack.faults.add({ method: 'GET', latencyMs: 1500 });
    const started = Date.now();
    const error = await upstreamError(quick.listUsers({}));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });

  it('calls malformed JSON an invalid response, without retrying', async () => {
    await stack.faults.add({ method: 'GET', malformedJson: true });
    const error = await upstreamError(client.listUsers({}));
    expect(error.kind).toBe('invalid-response');
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });

  it('calls a well-formed answer of the wrong shape an invalid response', async () => {
    await stack.faults.add({ method: 'GET', status: 200, body: '{"users":"nope","hasMore":false}' });
    expect((await upstreamError(client.listUsers({}))).kind).toBe('invalid-response');
    await stack.faults.add({ method: 'POST', status: 201, body: '{"userId":"usr_short"}' });
    expect((await upstreamError(client.inviteUser(invite()))).kind).toBe('invalid-response');
  });

  it('reports a body cut short as an upstream failure', async () => {
    await stack.faults.add({ method: 'GET', truncateBody: true, times: 3 });
    const error = await upstreamError(client.listUsers({}));
    expect(['connection', 'invalid-response']).toContain(error.kind);
  });

  it('reports a rejected key as http 401, without retrying', async () => {
    const wrong = clientWith({ apiKey: 'sk_wrong_key' });
    const error = await upstreamError(wrong.listUsers({}));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(401);
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });

  it('parses error bodies defensively, uses none that holds its own key, and keeps the body out of serialised errors', async () => {
    await stack.faults.add({
      method: 'POST',
      status: 500,
      body: JSON.stringify({ message: 'Database down' }),
    });
    const failed = await upstreamError(client.inviteUser(invite()));
    expect(failed.status).toBe(500);
    expect(failed.body?.message).toBe('Database down');
    expect(Object.keys(failed)).not.toContain('body');
    expect(JSON.stringify(failed)).not.toContain('Database down');

    await stack.faults.add({ method: 'POST', echoRequestHeaders: true });
    const error = await upstreamError(client.inviteUser(invite()));
    expect(error.kind).toBe('echoed-key');
    expect(error.status).toBe(500);
    expect(error.body).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain(stack.sandboxKey);

    await stack.faults.add({ method: 'GET', status: 404, body: 'plain text, not JSON' });
    const plain = await upstreamError(client.getUser(`usr_${'b'.repeat(32)}`));
    expect(plain.status).toBe(404);
    expect(plain.body).toBeUndefined();
  });

  it('tolerates a trailing slash on the base URL', async () => {
    const slashed = new AvaraClient({
      baseUrl: `${stack.sandboxUrl}/`,
      apiKey: stack.sandboxKey,
      timeoutMs: 2000,
    });
    extraClients.push(slashed);
    const page = await slashed.listUsers({ limit: 1 });
    expect(page.users).toHaveLength(1);
    expect((await stack.upstreamRequests())[0]?.path).toBe('/v1/viewer/users');
  });
});

/** An upstream that answers in ways the sandbox cannot be asked to (a body past the deadline, 5 MB, a BOM). */
describe('AvaraClient reading an answer', () => {
  let upstream: Server;
  let url: string;
  let answer: (res: ServerResponse) => void;

  beforeAll(async () => {
    upstream = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const page = JSON.stringify({ users: [], hasMore: false });
  const raw = (timeoutMs = 2_000) => {
    const extra = new AvaraClient({ baseUrl: url, apiKey: 'sk_raw', timeoutMs, retry: { maxRetries: 0 } });
    extraClients.push(extra);
    return extra;
  };

  it('times out when the body is still coming at the deadline (the deadline covers the whole answer)', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"users":[');
      setTimeout(() => res.end('],"hasMore":false}'), 1_000).unref();
    };
    const started = Date.now();
    const error = await upstreamError(raw(200).listUsers({}));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('calls an answer over 4 MiB an invalid response, with its status', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"users":[],"hasMore":false,"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    };
    const error = await upstreamError(raw().listUsers({}));
    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(200);
  });

  it('reads an answer in several chunks, and one that starts with a UTF-8 byte-order mark', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('\uFEFF{"users":[],');
      setTimeout(() => res.end('"hasMore":false}'), 20).unref();
    };
    expect(await raw().listUsers({})).toEqual(JSON.parse(page));
  });
});
