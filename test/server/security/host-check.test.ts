import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema, problemType } from '../../../src/contract/problem.ts';
import { rawHttp } from '../../support/raw-http.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * The server answers only for its own origin (PUBLIC_ORIGIN; unset: loopback names on its own port), so a page on
 * another name that resolves to it (DNS rebinding) cannot use it through a victim's browser.
 */

let stack: Stack;
let port: string;
beforeAll(async () => {
  stack = await startStack({ seed: false });
  port = new URL(stack.bffUrl).port;
});
afterAll(async () => {
  await stack.close();
});

const asOperator = () => ({ ...CSRF_HEADERS, cookie: stack.client.cookie });

describe('the Host header (no PUBLIC_ORIGIN: loopback only)', () => {
  it('answers the loopback names on its own port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await rawHttp(stack.bffUrl, { target: '/api/mode', headers: { ...asOperator(), host } });
      expect(answer.status, host).toBe(200);
    }
  });

  it('refuses any other name or port with 421, before anything else, even with a valid session', async () => {
    const otherHosts = fc.oneof(
      fc.domain().map((name) => `${name}:${port}`),
      fc.domain(),
      fc
        .ipV4()
        .filter((ip) => !ip.startsWith('127.'))
        .map((ip) => `${ip}:${port}`),
      fc
        .integer({ min: 1, max: 65535 })
        .filter((p) => String(p) !== port)
        .map((p) => `127.0.0.1:${p}`),
      fc.constantFrom('', 'localhost', `localhost.:${port}`, `127.0.0.1.nip.io:${port}`, `[::2]:${port}`),
    );
    await fc.assert(
      fc.asyncProperty(
        otherHosts,
        fc.constantFrom('/api/mode', '/api/users', '/', '/assets/x.js'),
        async (host, target) => {
          const answer = await rawHttp(stack.bffUrl, { target, headers: { ...asOperator(), host } });
          expect(answer.status, `${host} ${target}`).toBe(421);
          expect(ProblemSchema.parse(JSON.parse(answer.text)).type).toBe(problemType('misdirected-request'));
          expect(answer.text).not.toContain('usr_');
        },
      ),
      { numRuns: 60 },
    );
    expect(await stack.upstreamRequests()).toEqual([]);
  });

  it('answers the health checks whatever the Host (a load balancer asks by address)', async () => {
    for (const target of ['/healthz', '/readyz']) {
      const answer = await rawHttp(stack.bffUrl, { target, headers: { host: `10.0.0.7:${port}` } });
      expect(answer.status, target).toBe(200);
    }
  });
});
