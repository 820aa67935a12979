import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distIsFresh } from './e2e-global-setup';

describe('the e2e build is reused only while it is fresh', () => {
  let root: string;
  const write = (path: string, secondsAgo: number) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, path);
    const at = Date.now() / 1000 - secondsAgo;
    utimesSync(file, at, at);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'e2e-build-'));
    write('src/web/main.tsx', 100);
    write('src/contract/user.ts', 100);
    write('index.html', 100);
    write('vite.config.ts', 100);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh when every built file is newer than every input', () => {
    write('dist/web/index.html', 50);
    write('dist/web/assets/app.js', 50);
    write('dist/web/.vite/manifest.json', 50);
    expect(distIsFresh(root)).toBe(true);
  });

  it('is stale with no build, with no manifest, or after any input changed', () => {
    expect(distIsFresh(root)).toBe(false);
    write('dist/web/index.html', 50);
    expect(distIsFresh(root)).toBe(false);
    write('dist/web/.vite/manifest.json', 50);
    expect(distIsFresh(root)).toBe(true);
    write('src/web/features/invite/invite-page.tsx', 10);
    expect(distIsFresh(root)).toBe(false);
  });

  it('is stale when one built file is older than an input (a build that stopped halfway)', () => {
    write('dist/web/.vite/manifest.json', 50);
    write('dist/web/assets/old.js', 200);
    expect(distIsFresh(root)).toBe(false);
  });
});
