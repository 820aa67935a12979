// Global setup of the `e2e` test project: every end-to-end file serves the same dist/web/ through the BFF. It is built
// here once (programmatically, from vite.config.ts) unless dist/web/ is already newer than everything that goes into it,
// as after `npm run build` in `npm run check` and CI: then the same build is not made twice. The build is the
// production one that ships: Vitest sets NODE_ENV=test, which Vite would otherwise carry into the bundle (React's
// development build, emotion's slow mode).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

/** What the SPA build reads: a change to any of these makes dist/web/ stale. */
const BUILD_INPUTS = [
  'src/web',
  'src/contract',
  'public',
  'index.html',
  'vite.config.ts',
  'package-lock.json',
  'tsconfig.json',
];

/** The modification times of a file, or of every file under a directory (none if the path is missing). */
function changeTimes(path: string): number[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(path).flatMap((name) => changeTimes(join(path, name)));
}

/** Every file in dist/web/ (the manifest among them) was written after the last change to any build input. */
export function distIsFresh(root = '.'): boolean {
  const built = changeTimes(join(root, 'dist/web'));
  if (!statSync(join(root, 'dist/web/.vite/manifest.json'), { throwIfNoEntry: false })) return false;
  const inputs = BUILD_INPUTS.flatMap((input) => changeTimes(join(root, input)));
  return Math.min(...built) > Math.max(...inputs);
}

export async function setup(): Promise<void> {
  if (distIsFresh()) return;
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve('vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
