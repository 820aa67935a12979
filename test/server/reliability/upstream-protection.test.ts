// Upstream protection: the circuit breaker (fail fast, probe, recover), the limit on concurrent upstream requests,
// and readiness (/readyz reports the database and Avara apart; /healthz never asks Avara).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { openSqliteStore } from '../../../src/server/store/store.ts';
import { expectProblem, http } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { signIn } from '../../support/session.ts';
import { startBff, startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { expectExactlyOneInvitation, invite, newKey } from './reliability-support.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

async function stackWith(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack(options);
  cleanup.push(() => stack.close());
  return stack;
}

/** A stand-in for Avara that answers every list with an empty page after `holdMs`, counting concurrent requests. */
async function slowUpstream(holdMs: number) {
  let active = 0;
  let peak = 0;
  let total = 0;
  const server = createServer((request, response) => {
    active += 1;
    total += 1;
    peak = Math.max(peak, active);
    request.resume();
    setTimeout(() => {
      active -= 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ users: [], cursor: null, hasMore: false }));
    }, holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = z
    .object({ port: z.number() })
    .parse(server.address() satisfies AddressInfo | string | null);
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, peak: () => peak, total: () => total };
}

/** The breaker's clock in a test: the open period passes when the test says so, not by waiting. */
function manualClock() {
  let at = Date.now();
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

const ReadySchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({
    database: z.object({ status: z.enum(['ok', 'fail']) }),
    upstream: z.object({ status: z.enum(['ok', 'fail']), breaker: z.optional(z.string()) }),
  }),
});

describe('circuit breaker', () => {
  it('opens after repeated failures, fails fast without calling Avara, probes and recovers', async () => {
    const clock = manualClock();
    const stack = await stackWith({ breaker: { failureThreshold: 3, openMs: 300, now: clock.now } });
    // One list read: the first attempt and two retries all fail → three failures in a row.
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 500, times: 3 });
    expectProblem(await stack.api('GET', '/api/users'), 502, 'upstream-unavailable');
    await stack.clearUpstreamRequests();

    const fast = await stack.api('GET', '/api/users');
    const problem = expectProblem(fast, 503, 'upstream-unavailable');
    expect(problem.title).toBe('Avara is not responding; we will try again shortly');
    expect(Number(fast.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A change is refused the same way, and its key stays free for the retry.
    const person = newPerson();
    const key = newKey();
    expectProblem(await invite(stack.client, person, key), 503, 'upstream-unavailable');
    expect(await stack.upstreamRequests()).toEqual([]);
    const ready = ReadySchema.parse((await http(stack.bffUrl, 'GET', '/readyz')).json());
    expect(ready).toMatchObject({
      status: 'unavailable',
      checks: { upstream: { status: 'fail', breaker: 'open' } },
    });

    clock.advance(320);
    // Half-open: this call is the probe; it succeeds and closes the breaker.
    expect((await stack.api('GET', '/api/users')).status).toBe(200);
    expect((await invite(stack.client, person, key)).status).toBe(201);
    await expectExactlyOneInvitation(stack, person.email);
  });

  it('a failed probe opens it again', async () => {
    const clock = manualClock();
    const stack = await stackWith({
      breaker: { failureThreshold: 1, openMs: 200, now: clock.now },
      retry: { maxRetries: 0 },
    });
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 503, times: 2 });
    expectProblem(await stack.api('GET', '/api/users'), 502, 'upstream-unavailable');
    expectProblem(await stack.api('GET', '/api/users'), 503, 'upstream-unavailable');
    clock.advance(220);
    expectProblem(await stack.api('GET', '/api/users'), 502, 'upstream-unavailable');
    await stack.clearUpstreamRequests();
    expectProblem(await stack.api('GET', '/api/users'), 503, 'upstream-unavailable');
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('does not count refusals (4xx, 429) as Avara being down', async () => {
    const stack = await stackWith({
      breaker: { failureThreshold: 2, openMs: 10_000 },
      retry: { maxRetries: 0 },
    });
    await stack.faults.add([
      { method: 'GET', path: '/v1/viewer/users', status: 429, retryAfter: '1', times: 3 },
      { method: 'GET', path: '/v1/viewer/users/', status: 404, times: 3 },
    ]);
    for (let i = 0; i < 3; i += 1) expectProblem(await stack.api('GET', '/api/users'), 429, 'rate-limited');
    for (let i = 0; i < 3; i += 1)
      expectProblem(await stack.api('GET', `/api/users/usr_${'0'.repeat(32)}`), 404, 'not-found');
    expect((await stack.api('GET', '/api/users')).status).toBe(200);
  });
});

describe('concurrency limit', () => {
  it('never has more than the limit of requests at Avara at once; the rest wait their turn', async () => {
    const upstream = await slowUpstream(120);
    const bff = await startBff({
      upstreamUrl: upstream.url,
      apiKey: 'sk_test_limit',
      concurrency: { maxConcurrent: 2, queueTimeoutMs: 5_000 },
    });
    cleanup.push(() => bff.close());
    const client = await signIn(bff.url);
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.get('/api/users?limit=1')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(upstream.total()).toBe(8);
    expect(upstream.peak()).toBe(2);
  });

  it('answers 503 with Retry-After when a request waited too long for its turn', async () => {
    const upstream = await slowUpstream(400);
    const bff = await startBff({
      upstreamUrl: upstream.url,
      apiKey: 'sk_test_limit',
      concurrency: { maxConcurrent: 1, queueTimeoutMs: 50 },
    });
    cleanup.push(() => bff.close());
    const client = await signIn(bff.url);
    const answers = await Promise.all(Array.from({ length: 3 }, () => client.get('/api/users?limit=1')));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.status !== 200)) {
      expectProblem(refused, 503, 'upstream-unavailable');
      expect(refused.headers['retry-after']).toBe('1');
    }
    expect(upstream.total()).toBe(1);
  });
});

describe('/readyz and /healthz', () => {
  it('/readyz: database and Avara both fine → 200', async () => {
    const stack = await stackWith({});
    const answer = await http(stack.bffUrl, 'GET', '/readyz');
    expect(answer.status).toBe(200);
    expect(ReadySchema.parse(answer.json())).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'ok' }, upstream: { status: 'ok' } },
    });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('/readyz: Avara failing → 503 naming the upstream, the database still ok', async () => {
    const stack = await stackWith({ retry: { maxRetries: 0 } });
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 500 });
    const answer = await http(stack.bffUrl, 'GET', '/readyz');
    expect(answer.status).toBe(503);
    expect(ReadySchema.parse(answer.json())).toMatchObject({
      status: 'unavailable',
      checks: { database: { status: 'ok' }, upstream: { status: 'fail' } },
    });
    expect(answer.text).not.toContain(stack.sandboxKey);
  });

  it('/readyz: the database failing → 503 naming the database', async () => {
    const stack = await stackWith({});
    const real = openSqliteStore(':memory:');
    cleanup.push(async () => real.close());
    // A database that no longer answers (a full disk, a lost volume).
    const store = { ...real, ping: () => Promise.reject(new Error('disk I/O error')) };
    const bff = await startBff({ upstreamUrl: stack.sandboxUrl, apiKey: stack.sandboxKey, store });
    cleanup.push(() => bff.close());
    const answer = await http(bff.url, 'GET', '/readyz');
    expect(answer.status).toBe(503);
    expect(ReadySchema.parse(answer.json())).toMatchObject({
      status: 'unavailable',
      checks: { database: { status: 'fail' }, upstream: { status: 'ok' } },
    });
  });

  it('/healthz stays cheap: it never asks Avara or the database', async () => {
    const stack = await stackWith({});
    await stack.clearUpstreamRequests();
    for (let i = 0; i < 5; i += 1) expect((await http(stack.bffUrl, 'GET', '/healthz')).status).toBe(200);
    expect(await stack.upstreamRequests()).toEqual([]);
  });
});
