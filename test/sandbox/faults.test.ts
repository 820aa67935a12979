import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserPageSchema, UserSchema } from '../../src/contract/users.ts';
import { EchoedHeadersSchema, FaultListSchema, RequestLogSchema } from '../../src/sandbox/fault.ts';
import type { FaultSpec } from '../../src/sandbox/fault.ts';
import { ErrorBodySchema, expectShape, inviteBody, startTestSandbox } from './harness.ts';
import type { TestSandbox } from './harness.ts';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox({ seed: false, faultInjection: true });
});
afterAll(async () => {
  await sb.close();
});
afterEach(async () => {
  await sb.call('DELETE', '/__sandbox/faults');
  await sb.call('DELETE', '/__sandbox/requests');
});

async function queue(spec: FaultSpec | FaultSpec[]) {
  const reply = await sb.call('POST', '/__sandbox/faults', { body: spec });
  expect(reply.status, reply.text).toBe(201);
  return expectShape(FaultListSchema, reply.json);
}

async function userCount(): Promise<number> {
  return expectShape(UserPageSchema, (await sb.call('GET', '/v1/viewer/users?limit=100')).json).users.length;
}

const listUsers = () => sb.call('GET', '/v1/viewer/users');

/** Send a GET over a bare socket and collect every byte until the server closes it. */
function rawGet(path: string): Promise<{ head: string; body: Buffer }> {
  const { hostname, port } = new URL(sb.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      resolve(
        split === -1
          ? { head: all.toString('latin1'), body: Buffer.alloc(0) }
          : { head: all.subarray(0, split).toString('latin1'), body: all.subarray(split + 4) },
      );
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${sb.apiKey}\r\nConnection: keep-alive\r\n\r\n`,
    );
  });
}

function declaredLength(head: string): number {
  return Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
}

describe('fault injection switch', () => {
  it('is off unless asked for: the fault and request routes are 404 (with the key) and nothing is faulted', async () => {
    const plain = await startTestSandbox({ seed: false });
    try {
      for (const [method, path] of [
        ['POST', '/__sandbox/faults'],
        ['GET', '/__sandbox/faults'],
        ['DELETE', '/__sandbox/faults'],
        ['GET', '/__sandbox/requests'],
        ['DELETE', '/__sandbox/requests'],
      ] as const) {
        const reply = await plain.call(method, path, method === 'POST' ? { body: { status: 500 } } : {});
        expect(reply.status, `${method} ${path}`).toBe(404);
        expect(reply.json).toEqual({ message: 'Not found' });
      }
      expect((await plain.call('GET', '/v1/viewer/users')).status).toBe(200);
      expect((await plain.call('GET', '/__sandbox/outbox')).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe('POST /__sandbox/faults', () => {
  it('queues one or several specs and lists the queue', async () => {
    const one = await queue({ status: 503 });
    expect(one.faults).toEqual([{ status: 503, remaining: 1 }]);
    const more = await queue([
      { status: 429, times: 3 },
      { latencyMs: 10, path: '/v1/viewer/users/invitations' },
    ]);
    expect(more.faults.map((f) => f.remaining)).toEqual([1, 3, 1]);
    expect(
      expectShape(FaultListSchema, (await sb.call('GET', '/__sandbox/faults')).json).faults,
    ).toHaveLength(3);
    const cleared = await sb.call('DELETE', '/__sandbox/faults', {
      headers: { 'content-type': 'application/json' },
    });
    expect(cleared.status).toBe(204);
    expect(expectShape(FaultListSchema, (await sb.call('GET', '/__sandbox/faults')).json).faults).toEqual([]);
  });

  it.each([
    ['a fault that does nothing', {}],
    ['two shapes at once', { dropConnection: true, malformedJson: true }],
    ['a status out of range', { status: 99 }],
    ['times 0', { status: 500, times: 0 }],
    ['a relative path', { status: 500, path: 'v1/viewer' }],
    ['a body without a status', { body: '{}' }],
    ['an unknown option', { status: 500, hang: true }],
    ['a header-breaking retryAfter', { status: 429, retryAfter: '1\r\nx-evil: 1' }],
    ['a framing header', { status: 500, headers: { 'content-length': '5' } }],
    ['a header value with a line break', { status: 500, headers: { 'x-a': 'b\nc' } }],
  ])('refuses %s with 400', async (_what, spec) => {
    const reply = await sb.call('POST', '/__sandbox/faults', { body: spec });
    expect(reply.status).toBe(400);
    expectShape(ErrorBodySchema, reply.json);
  });
});

describe('faults applied', () => {
  it('answers a chosen status with Retry-After and a default JSON message, then recovers', async () => {
    await queue({ status: 429, retryAfter: '2' });
    const faulted = await listUsers();
    expect(faulted.status).toBe(429);
    expect(faulted.headers['retry-after']).toBe('2');
    expect(faulted.json).toEqual({ message: 'Too Many Requests' });
    expect((await listUsers()).status).toBe(200);
  });

  it('adds extra response headers to an answered fault', async () => {
    await queue({ status: 503, headers: { 'x-should-retry': 'false', 'retry-after-ms': '1500' } });
    const reply = await listUsers();
    expect(reply.status).toBe(503);
    expect(reply.headers['x-should-retry']).toBe('false');
    expect(reply.headers['retry-after-ms']).toBe('1500');
  });

  it('answers a raw body (JSON or text) for the status', async () => {
    await queue([
      { status: 503, body: '{"message":"down for maintenance","code":"maintenance"}' },
      { status: 502, body: '<html>Bad gateway</html>' },
    ]);
    const json = await listUsers();
    expect(json.status).toBe(503);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json).toEqual({ message: 'down for maintenance', code: 'maintenance' });
    const text = await listUsers();
    expect(text.status).toBe(502);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.text).toBe('<html>Bad gateway</html>');
  });

  it('applies `times` times, in queue order', async () => {
    await queue([{ status: 500, times: 2 }, { status: 503 }]);
    expect((await listUsers()).status).toBe(500);
    expect((await listUsers()).status).toBe(500);
    expect((await listUsers()).status).toBe(503);
    expect((await listUsers()).status).toBe(200);
  });

  it('matches by method and path prefix only', async () => {
    await queue({ method: 'post', path: '/v1/viewer/users/invitations', status: 500 });
    expect((await sb.call('GET', '/v1/viewer/users/invitations')).status).toBe(200);
    expect((await sb.call('POST', '/v1/viewer/users', { body: inviteBody() })).status).toBe(200);
    const revoke = await sb.call('POST', '/v1/viewer/users/invitations/revoke', { body: {} });
    expect(revoke.status).toBe(500);
  });

  it('never applies to sandbox routes, nor before the key check', async () => {
    await queue({ status: 500 });
    expect((await sb.call('GET', '/__sandbox/outbox')).status).toBe(200);
    expect((await sb.call('GET', '/__sandbox/requests')).status).toBe(200);
    expect((await sb.call('GET', '/v1/viewer/users', { key: 'wrong' })).status).toBe(401);
    expect((await listUsers()).status).toBe(500);
  });

  it('adds latency, then answers for real', async () => {
    await queue({ latencyMs: 250 });
    const started = performance.now();
    const reply = await listUsers();
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(reply.status).toBe(200);
    expectShape(UserPageSchema, reply.json);
  });

  it('answers malformed JSON with a JSON content type', async () => {
    await queue({ malformedJson: true });
    const reply = await listUsers();
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(reply.json).toBeUndefined();
    await queue({ malformedJson: true, status: 500 });
    expect((await listUsers()).status).toBe(500);
  });

  it('truncates the body: the client sees the answer end early', async () => {
    await queue({ truncateBody: true });
    await expect(listUsers()).rejects.toThrow();
    expect((await listUsers()).status).toBe(200);
  });

  it('truncates by declaring a longer Content-Length than it sends, then closing', async () => {
    await queue([{ truncateBody: true }, { truncateBody: true, afterHandling: true }]);
    for (let i = 0; i < 2; i += 1) {
      const { head, body } = await rawGet('/v1/viewer/users');
      expect(head).toMatch(/^HTTP\/1\.1 200/);
      expect(body.length).toBeGreaterThan(0);
      expect(declaredLength(head)).toBeGreaterThan(body.length);
    }
  });

  it('drops the connection without a byte (before or after handling)', async () => {
    await queue([{ dropConnection: true }, { dropConnection: true, afterHandling: true }]);
    for (let i = 0; i < 2; i += 1) {
      const { head, body } = await rawGet('/v1/viewer/users');
      expect(head).toBe('');
      expect(body.length).toBe(0);
    }
  });

  it('drops the connection without answering (and nothing happens)', async () => {
    const before = await userCount();
    await queue({ dropConnection: true, method: 'POST' });
    await expect(sb.call('POST', '/v1/viewer/users', { body: inviteBody() })).rejects.toThrow();
    expect(await userCount()).toBe(before);
  });

  it('echoes the request headers, authorization included, in a 500 (for the key-canary test)', async () => {
    await queue({ echoRequestHeaders: true });
    const reply = await sb.call('GET', '/v1/viewer/users', { headers: { 'x-probe': 'yes' } });
    expect(reply.status).toBe(500);
    const body = expectShape(EchoedHeadersSchema, reply.json);
    expect(body.headers.authorization).toBe(`Bearer ${sb.apiKey}`);
    expect(body.headers['x-probe']).toBe('yes');
  });
});

describe('faults after handling (the upstream acted, the answer went wrong)', () => {
  it('drops the connection after creating the user', async () => {
    const before = await userCount();
    const body = inviteBody();
    await queue({ afterHandling: true, dropConnection: true, method: 'POST', path: '/v1/viewer/users' });
    await expect(sb.call('POST', '/v1/viewer/users', { body })).rejects.toThrow();
    expect(await userCount()).toBe(before + 1);
    const retry = await sb.call('POST', '/v1/viewer/users', { body });
    expect(retry.status).toBe(409);
  });

  it('answers 500 after creating the user', async () => {
    const before = await userCount();
    await queue({ afterHandling: true, status: 500, method: 'POST' });
    const reply = await sb.call('POST', '/v1/viewer/users', { body: inviteBody() });
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ message: 'Internal Server Error' });
    expect(await userCount()).toBe(before + 1);
  });

  it('truncates the real answer after creating the user', async () => {
    const before = await userCount();
    await queue({ afterHandling: true, truncateBody: true, method: 'POST' });
    await expect(sb.call('POST', '/v1/viewer/users', { body: inviteBody() })).rejects.toThrow();
    expect(await userCount()).toBe(before + 1);
  });

  it('delays the real answer', async () => {
    await queue({ afterHandling: true, latencyMs: 200, method: 'POST' });
    const started = performance.now();
    const reply = await sb.call('POST', '/v1/viewer/users', { body: inviteBody() });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(reply.status).toBe(200);
    expectShape(UserSchema, reply.json);
  });

  it('answers malformed JSON after handling', async () => {
    await queue({ afterHandling: true, malformedJson: true });
    const reply = await listUsers();
    expect(reply.status).toBe(200);
    expect(reply.json).toBeUndefined();
  });
});

describe('GET /__sandbox/requests', () => {
  it('records every /v1 request with method, path, raw query, lower-cased headers and parsed body', async () => {
    const body = inviteBody();
    await sb.call('POST', '/v1/viewer/users', { body, headers: { 'Idempotency-Key': 'idem-1' } });
    await sb.call('GET', '/v1/viewer/users/invitations?status=sent,revoked&limit=5');
    await sb.call('GET', '/v1/viewer/users', { key: 'wrong' });
    await sb.call('POST', '/v1/viewer/users', {
      rawBody: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    await sb.call('GET', '/__sandbox/outbox');

    const log = expectShape(RequestLogSchema, (await sb.call('GET', '/__sandbox/requests')).json);
    expect(log.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/viewer/users',
      'GET /v1/viewer/users/invitations',
      'GET /v1/viewer/users',
      'POST /v1/viewer/users',
    ]);
    const [invite, list, unauthorized, malformed] = log.requests;
    expect(invite?.body).toEqual(body);
    expect(invite?.query).toBe('');
    expect(invite?.headers['idempotency-key']).toBe('idem-1');
    expect(invite?.headers.authorization).toBe(`Bearer ${sb.apiKey}`);
    expect(invite?.headers['content-type']).toBe('application/json');
    expect(list?.query).toBe('status=sent,revoked&limit=5');
    expect(list?.body).toBeNull();
    expect(unauthorized?.headers.authorization).toBe('Bearer wrong');
    expect(malformed?.body).toBeNull();
  });

  it('records faulted requests too, and clears', async () => {
    await queue({ status: 503 });
    await listUsers();
    const log = expectShape(RequestLogSchema, (await sb.call('GET', '/__sandbox/requests')).json);
    expect(log.requests).toHaveLength(1);
    expect((await sb.call('DELETE', '/__sandbox/requests')).status).toBe(204);
    expect(
      expectShape(RequestLogSchema, (await sb.call('GET', '/__sandbox/requests')).json).requests,
    ).toEqual([]);
  });
});
