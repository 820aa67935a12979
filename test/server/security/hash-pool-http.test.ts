import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectProblem, http, type HttpAnswer } from '../../support/http.ts';
import { createGatedHasher } from '../../support/gated-hasher.ts';
import { CSRF_HEADERS, TEST_OPERATOR } from '../../support/session.ts';
import { startStack, type Stack } from '../../support/stack.ts';

/**
 * The hash pool over real HTTP. The test holds every password hash back (a gated hasher), so it can fill the pool and
 * its queue and see, in order and without timings, that what is beyond them is refused at once and that pages,
 * /healthz and signed-in operators are served while the held hashes are still running.
 */

let stack: Stack;
let staticDir: string;
const gated = createGatedHasher();

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'viewer-admin-pool-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Viewer Admin</title>');
  writeFileSync(join(staticDir, 'assets', 'app-1234.js'), 'export const ready = true;\n');
  stack = await startStack({
    seed: false,
    staticDir,
    security: {
      trustProxy: ['127.0.0.1'],
      passwordHasher: gated.hasher,
      hashPool: { concurrency: 1, queue: 2 },
    },
  });
});
afterAll(async () => {
  gated.open();
  await stack.close();
  rmSync(staticDir, { recursive: true, force: true });
});

let guesses = 0;

/** A wrong guess at an e-mail nobody has (each its own account, so only the address is counted twice). */
function guess(from: string): Promise<HttpAnswer> {
  guesses += 1;
  return http(stack.bffUrl, 'POST', '/api/session', {
    body: { email: `nobody.${guesses}@clinic.test`, password: 'a guess of decent length' },
    headers: { ...CSRF_HEADERS, 'x-forwarded-for': from },
  });
}

/** The answers settled so far, in the order they were asked. */
function tracked(promises: Promise<HttpAnswer>[]) {
  const settled: (HttpAnswer | undefined)[] = promises.map(() => undefined);
  promises.forEach((promise, i) => void promise.then((answer) => (settled[i] = answer)));
  return settled;
}

describe('hash pool', () => {
  it('beyond the pool and its queue, sign-ins get 503 with Retry-After at once; everything else is served meanwhile', async () => {
    gated.close();
    const started = gated.started();
    const addresses = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
    const attempts = addresses.map(guess);
    const settled = tracked(attempts);
    // One hash running, two waiting: the other two are refused while those three are still held.
    await vi.waitFor(() => expect(settled.filter((a) => a !== undefined)).toHaveLength(2));
    expect(gated.started() - started).toBe(1);
    const busy = settled.filter((a): a is HttpAnswer => a !== undefined);
    for (const answer of busy) {
      const problem = expectProblem(answer, 503, 'busy');
      expect(answer.headers['retry-after']).toBe('2');
      expect(problem).toMatchObject({
        title: 'Viewer Admin is busy checking other sign-ins',
        retryAfter: 2,
      });
      expect(problem.detail).toMatch(/Nothing was checked\. Try again in 2 seconds\./);
    }

    // While the held sign-ins hash: health, a static file, and a signed-in operator's API are all answered.
    expect((await http(stack.bffUrl, 'GET', '/healthz')).status).toBe(200);
    const asset = await http(stack.bffUrl, 'GET', '/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.text).toContain('ready');
    expect((await stack.api('GET', '/api/session')).status).toBe(200);
    // Every other password hash shares the pool: adding an operator and changing a password are refused too.
    expectProblem(
      await stack.api('POST', '/api/operators', {
        body: { email: 'pool.full@clinic.test', displayName: 'Pool Full' },
      }),
      503,
      'busy',
    );
    expectProblem(
      await stack.api('POST', '/api/session/password', {
        body: { currentPassword: TEST_OPERATOR.password, newPassword: 'a brand new password here' },
      }),
      503,
      'busy',
    );
    expect(settled.filter((a) => a === undefined)).toHaveLength(3);
    expect(gated.started() - started).toBe(1);

    gated.open();
    const answers = await Promise.all(attempts);
    expect(answers.map((a) => a.status).sort()).toEqual([401, 401, 401, 503, 503]);
    // Refused unjudged, they wrote no log line of their own (they are counted in their address's summary).
    const entries = stack.logs.entries();
    for (const answer of busy) {
      expect(entries.filter((e) => e.reqId === answer.headers['x-request-id'])).toEqual([]);
    }

    // A refusal for a full pool was never judged, so it did not count against its address.
    const refusedFrom = addresses[answers.findIndex((a) => a.status === 503)] ?? '';
    const again = [];
    for (let i = 0; i < 6; i += 1) again.push((await guess(refusedFrom)).status);
    expect(again).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
