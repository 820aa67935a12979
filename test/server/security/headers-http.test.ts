import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsp } from '../../support/csp.ts';
import { http } from '../../support/http.ts';
import type { HttpAnswer } from '../../support/http.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/** Security headers on every kind of response: API answers and errors, 404s, static files and the SPA shell. */

let stack: Stack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'viewer-admin-headers-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta name="csp-nonce" content="" /></head></html>',
  );
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1);');
  writeFileSync(join(dir, 'assets', 'app-1.js.map'), '{}');
  stack = await startStack({ staticDir: dir, seed: false });
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectSecurityHeaders(answer: HttpAnswer, label: string) {
  const h = answer.headers;
  const csp = parseCsp(h['content-security-policy'] ?? '');
  expect(csp.get('default-src'), label).toEqual(["'self'"]);
  expect(csp.get('script-src'), label).toEqual(["'self'"]);
  expect(csp.get('object-src'), label).toEqual(["'none'"]);
  expect(csp.get('base-uri'), label).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"]);
  expect(csp.get('form-action'), label).toEqual(["'self'"]);
  expect(csp.get('style-src')?.[0], label).toBe("'self'");
  expect(csp.get('style-src')?.[1], label).toMatch(/^'nonce-[A-Za-z0-9+/]{22}=='$/);
  for (const [directive, sources] of csp) {
    expect(sources.join(' '), `${label} ${directive}`).not.toMatch(/unsafe|\*|data:.*script|http:/);
  }
  expect(h['x-content-type-options'], label).toBe('nosniff');
  expect(h['referrer-policy'], label).toBe('no-referrer');
  expect(h['strict-transport-security'], label).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
  expect(h['x-frame-options'], label).toBe('DENY');
  expect(
    Object.keys(h).filter((name) => name.startsWith('access-control-')),
    label,
  ).toEqual([]);
}

describe('security headers', () => {
  it('are on every response, whatever it is', async () => {
    const cases: [string, Dispatcher.HttpMethod, string, Record<string, string>, number][] = [
      ['API answer', 'GET', '/api/mode', {}, 200],
      ['API 404', 'GET', '/api/nope', {}, 404],
      ['API 400', 'GET', '/api/users?limit=0', {}, 400],
      ['shell', 'GET', '/', { accept: 'text/html' }, 200],
      ['client route', 'GET', '/users', { accept: 'text/html' }, 200],
      ['static file', 'GET', '/assets/app-1.js', {}, 200],
      ['source map (refused)', 'GET', '/assets/app-1.js.map', {}, 404],
      ['missing file', 'GET', '/nothing.png', {}, 404],
      ['health', 'GET', '/healthz', {}, 200],
    ];
    for (const [label, method, path, headers, status] of cases) {
      const answer = await stack.api(method, path, { headers: { origin: stack.bffUrl, ...headers } });
      expect(answer.status, label).toBe(status);
      expectSecurityHeaders(answer, label);
    }
    for (const [label, answer] of [
      ['401', await http(stack.bffUrl, 'GET', '/api/mode', { headers: { ...CSRF_HEADERS } })],
      ['403', await http(stack.bffUrl, 'GET', '/api/mode')],
      [
        '415',
        await stack.api('POST', '/api/users', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }),
      ],
    ] as const) {
      expectSecurityHeaders(answer, label);
    }
  });

  it('mark every /api answer no-store, and nothing else', async () => {
    for (const path of ['/api/mode', '/api/nope', '/api/users?limit=0', '/api/audit']) {
      expect((await stack.api('GET', path)).headers['cache-control'], path).toBe('no-store');
    }
    expect((await http(stack.bffUrl, 'GET', '/api/mode')).headers['cache-control']).toBe('no-store');
    expect((await http(stack.bffUrl, 'GET', '/assets/app-1.js')).headers['cache-control']).toMatch(
      /immutable/,
    );
  });

  it('give each response its own nonce, matching the one in the shell', async () => {
    const a = await http(stack.bffUrl, 'GET', '/', { headers: { accept: 'text/html' } });
    const b = await http(stack.bffUrl, 'GET', '/', { headers: { accept: 'text/html' } });
    const nonceOf = (answer: HttpAnswer) =>
      /'nonce-([^']+)'/.exec(answer.headers['content-security-policy'] ?? '')?.[1] ?? 'missing';
    expect(nonceOf(a)).not.toBe(nonceOf(b));
    expect(a.text).toContain(`<meta name="csp-nonce" content="${nonceOf(a)}" />`);
    expect(b.text).toContain(`<meta name="csp-nonce" content="${nonceOf(b)}" />`);
  });
});
