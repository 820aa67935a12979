// The built first load, as the BFF serves it: the first-load chunk carries V8's compile hint on its first line (so
// Chromium compiles it in the background while it downloads), in every encoding the browser may be sent, and no other
// chunk does (screens loaded later stay lazily compiled).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

const HINT = '//# allFunctionsCalledOnLoad\n';
const ASSETS = join('dist', 'assets');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ staticDir: 'dist' });
});

afterAll(async () => {
  await stack?.close();
});

async function fetchText(path: string, encoding: 'br' | 'gzip' | 'identity'): Promise<string> {
  const response = await request(`${stack.bffUrl}${path}`, { headers: { 'accept-encoding': encoding } });
  expect(response.statusCode).toBe(200);
  const body = Buffer.from(await response.body.arrayBuffer());
  const sent = response.headers['content-encoding'];
  if (encoding === 'identity') expect(sent).toBeUndefined();
  else expect(sent).toBe(encoding);
  return (
    encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body
  ).toString('utf8');
}

describe('the first load', () => {
  it('starts the first-load chunk with the compile hint, however it is encoded', async () => {
    const shell = await fetchText('/', 'identity');
    const scripts = [...shell.matchAll(/<script type="module" crossorigin src="([^"]+)"/g)].map(
      (match) => match[1],
    );
    const firstLoad = scripts.find((src) => /^\/assets\/app-[\w-]+\.js$/.test(src ?? ''));
    if (firstLoad === undefined) throw new Error(`No first-load chunk among ${scripts.join(', ')}`);
    for (const encoding of ['br', 'gzip', 'identity'] as const) {
      const code = await fetchText(firstLoad, encoding);
      expect(code.startsWith(HINT)).toBe(true);
      // Once: the hint is a comment at the top, not something the bundle repeats.
      expect(code.split('allFunctionsCalledOnLoad')).toHaveLength(2);
    }
  });

  it('leaves every other chunk to be compiled lazily', () => {
    const hinted = readdirSync(ASSETS)
      .filter((file) => file.endsWith('.js'))
      .filter((file) => readFileSync(join(ASSETS, file), 'utf8').includes('allFunctionsCalledOnLoad'));
    expect(hinted).toHaveLength(1);
    expect(hinted[0]).toMatch(/^app-[\w-]+\.js$/);
  });
});
