// The built first load, as the BFF serves it: each first-load chunk carries V8's compile hint on its first line (so
// Chromium compiles them in the background, side by side, while they download), in every encoding the browser may be
// sent, and no other chunk does (screens loaded later stay lazily compiled).
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

/** The shell's module scripts: the first-load chunks, in order, after rolldown's small runtime. */
async function firstLoadScripts(): Promise<string[]> {
  const shell = await fetchText('/', 'identity');
  return [...shell.matchAll(/<script type="module" crossorigin src="([^"]+)"/g)]
    .map((match) => match[1] ?? '')
    .filter((src) => !/\/rolldown-runtime-[\w-]+\.js$/.test(src));
}

describe('the first load', () => {
  it('is three chunks (React DOM, MUI, the app), each starting with the compile hint however it is encoded', async () => {
    const scripts = await firstLoadScripts();
    expect(scripts.map((src) => /^\/assets\/([a-z-]+)-[\w-]+\.js$/.exec(src)?.[1])).toEqual([
      'react-dom',
      'mui',
      'app',
    ]);
    for (const script of scripts) {
      for (const encoding of ['br', 'gzip', 'identity'] as const) {
        const code = await fetchText(script, encoding);
        expect(code.startsWith(HINT)).toBe(true);
        // Once: the hint is a comment at the top, not something the bundle repeats.
        expect(code.split('allFunctionsCalledOnLoad')).toHaveLength(2);
      }
    }
  });

  it('leaves every other chunk to be compiled lazily', async () => {
    const hinted = readdirSync(ASSETS)
      .filter((file) => file.endsWith('.js'))
      .filter((file) => readFileSync(join(ASSETS, file), 'utf8').includes('allFunctionsCalledOnLoad'));
    const firstLoad = (await firstLoadScripts()).map((src) => src.replace('/assets/', ''));
    expect(hinted.sort()).toEqual(firstLoad.sort());
  });
});
