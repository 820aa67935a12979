import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { startServer } from '../../src/server/start.ts';
import type { RunningServer } from '../../src/server/start.ts';
import { testAppConfig } from '../support/app-config.ts';
import { parseCsp } from '../support/csp.ts';
import { expectProblem, http } from '../support/http.ts';
import type { HttpAnswer } from '../support/http.ts';
import { signIn } from '../support/session.ts';

/** Serving the built SPA: cache headers, compression, the client-route fallback, and what is never served. */

const BOOTSTRAP = '<script id="viewer-admin-bootstrap" type="application/json"></script>';
const INDEX = `<!doctype html><html><head><meta name="csp-nonce" content="" /><title>Viewer Admin</title></head><body><div id="root"></div>${BOOTSTRAP}</body></html>`;

/**
 * The shell as served: index.html with this response's CSP nonce (the one in its header) in the meta element, and
 * who is signed in (here nobody) in the bootstrap block. Never stored by a cache: it names the operator.
 */
function expectShell(answer: HttpAnswer, bootstrap: unknown = { session: null, mode: null }) {
  expect(answer.headers['cache-control']).toBe('no-store');
  const nonce = /'nonce-([^']+)'/.exec(
    parseCsp(answer.headers['content-security-policy'] ?? '')
      .get('style-src')
      ?.join(' ') ?? '',
  )?.[1];
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(answer.text).toBe(
    INDEX.replace('content=""', `content="${nonce}"`).replace(
      '></script>',
      `>${JSON.stringify(bootstrap)}</script>`,
    ),
  );
}
const SCRIPT = `export const roles = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `role-${i}`))};\n`;
/**
 * A .br file beside an asset (an old build used to write them). Marked so the test can tell it from the server
 * compressing the asset itself: what arrives must not be this file.
 */
const PRECOMPRESSED = `${SCRIPT}// the build's brotli copy\n`;
const PRECOMPRESSED_BR = brotliCompressSync(PRECOMPRESSED);
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'viewer-admin-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-3f9a1c.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'app-7c1d2e.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'app-7c1d2e.js.br'), PRECOMPRESSED_BR);
  writeFileSync(join(dir, 'assets', 'index-3f9a1c.js.map'), '{"version":3,"sources":["src/web/main.tsx"]}');
  mkdirSync(join(dir, '.vite'));
  writeFileSync(join(dir, '.vite', 'manifest.json'), '{"index.html":{"file":"assets/index-3f9a1c.js"}}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const app = await buildApp(
    testAppConfig({
      mode: 'sandbox',
      upstream: { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_static_test', timeoutMs: 1000 },
      staticDir: dir,
    }),
  );
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function raw(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${server.url}${path}`, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return { status: response.statusCode, header, body };
}

describe('static SPA', () => {
  it('serves index.html at / with no-store and a fresh CSP nonce each time', async () => {
    const answer = await http(server.url, 'GET', '/', { headers: { accept: 'text/html' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expectShell(answer);
    const again = await http(server.url, 'GET', '/index.html');
    expectShell(again);
    expect(again.headers['content-security-policy']).not.toBe(answer.headers['content-security-policy']);
  });

  it('serves hashed assets as immutable for a year', async () => {
    const answer = await http(server.url, 'GET', '/assets/index-3f9a1c.js');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/javascript/);
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.text).toBe(SCRIPT);
    expect((await http(server.url, 'GET', '/favicon.svg')).headers['cache-control']).toBe('no-cache');
  });

  it('negotiates brotli, then gzip, then identity', async () => {
    const br = await raw('/assets/index-3f9a1c.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.header('content-encoding')).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.header('vary')).toMatch(/accept-encoding/i);

    const gzip = await raw('/assets/index-3f9a1c.js', { 'accept-encoding': 'gzip' });
    expect(gzip.header('content-encoding')).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const plain = await raw('/assets/index-3f9a1c.js', { 'accept-encoding': 'identity' });
    expect(plain.header('content-encoding')).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('compresses every asset itself, never sending a stray .br file beside it instead', async () => {
    const br = await raw('/assets/app-7c1d2e.js', { 'accept-encoding': 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.header('content-encoding')).toBe('br');
    expect(br.body.equals(PRECOMPRESSED_BR)).toBe(false);
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.header('content-type')).toMatch(/javascript/);
    expect(br.header('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.header('vary')).toMatch(/accept-encoding/i);
  });

  it('never serves build metadata from dot-directories', async () => {
    expect((await http(server.url, 'GET', '/.vite/manifest.json')).status).toBe(404);
  });

  it('never serves source maps', async () => {
    expect((await http(server.url, 'GET', '/assets/index-3f9a1c.js.map')).status).toBe(404);
    expect(
      (await http(server.url, 'GET', '/assets/index-3f9a1c.js.map', { headers: { accept: 'text/html' } }))
        .status,
    ).toBe(404);
  });

  it('falls back to index.html for client routes a browser navigates to', async () => {
    for (const path of [
      '/users',
      '/users/usr_0123456789abcdef0123456789abcdef',
      '/invitations?status=sent',
    ]) {
      const answer = await http(server.url, 'GET', path, {
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(answer.status, path).toBe(200);
      expectShell(answer);
    }
  });

  it('writes the signed-in session and the mode into the shell, as GET /api/session and /api/mode answer', async () => {
    const client = await signIn(server.url);
    const session = (await client.get('/api/session')).json();
    const mode = (await client.get('/api/mode')).json();
    expect(mode).toEqual({ mode: 'sandbox' });
    for (const path of ['/', '/users']) {
      const answer = await client.get(path, { headers: { accept: 'text/html' } });
      expect(answer.status, path).toBe(200);
      expectShell(answer, { session, mode });
    }
  });

  it('writes "nobody" into the shell for an unknown or ended session cookie', async () => {
    const answer = await http(server.url, 'GET', '/', {
      headers: { accept: 'text/html', cookie: '__Host-va_session=not-a-session-anyone-has' },
    });
    expect(answer.status).toBe(200);
    expectShell(answer);
    const client = await signIn(server.url);
    expect((await client.delete('/api/session')).status).toBe(204);
    expectShell(await client.get('/', { headers: { accept: 'text/html' } }));
  });

  it('does not fall back for the API, health, missing files, non-HTML requests or other methods', async () => {
    const html = { accept: 'text/html' };
    const api = await (await signIn(server.url)).get('/api/unknown', { headers: html });
    expectProblem(api, 404, 'not-found');
    expect(api.headers['cache-control']).toBe('no-store');
    expectProblem(await http(server.url, 'GET', '/api/unknown', { headers: html }), 403, 'forbidden');
    expect((await http(server.url, 'GET', '/healthz', { headers: html })).json()).toEqual({ status: 'ok' });
    expect((await http(server.url, 'GET', '/assets/missing-123.js', { headers: html })).status).toBe(404);
    expect((await http(server.url, 'GET', '/logo.png', { headers: html })).status).toBe(404);
    expectProblem(
      await http(server.url, 'GET', '/users', { headers: { accept: 'application/json' } }),
      404,
      'not-found',
    );
    expectProblem(await http(server.url, 'POST', '/users', { body: {}, headers: html }), 404, 'not-found');
  });

  it('answers HEAD for the shell', async () => {
    const answer = await http(server.url, 'HEAD', '/');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  });
});
