// `npm run size`: the gzip size of the JavaScript and CSS the invite screen (the home screen) needs before it works:
// index.html's entry script, its modulepreloads and stylesheets, plus the lazily loaded invite route chunk and
// everything it imports (found through Vite's manifest). Builds first when dist/web/ is missing. Fails above the budget,
// and when the first load needs more files than a browser fetches at once (six connections per host over HTTP/1.1:
// a seventh file waits for a second round of requests, see firstLoadChunk in vite.config.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as z from 'zod/mini';

/** kB as Vite prints them (1 kB = 1000 bytes). */
const BUDGET_KB = 210;
/** Chromium, Firefox and Safari open at most six HTTP/1.1 connections to one host. */
const MAX_FIRST_LOAD_FILES = 6;
const INVITE_ROUTE_SOURCE = 'src/web/features/invite/invite-page.tsx';

const ManifestSchema = z.record(
  z.string(),
  z.object({
    file: z.string(),
    imports: z.optional(z.array(z.string())),
    css: z.optional(z.array(z.string())),
  }),
);
type Manifest = z.infer<typeof ManifestSchema>;

type SizedAsset = { file: string; why: string; bytes: number; gzipBytes: number };

/** Asset paths (relative to dist/web/) that index.html loads up front: module scripts, modulepreloads, stylesheets. */
function htmlAssets(html: string): { file: string; why: string }[] {
  const assets: { file: string; why: string }[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
    if (tag.startsWith('<script')) {
      const src = attr('src');
      if (src && attr('type') === 'module') assets.push({ file: src, why: 'entry script' });
    } else {
      const rel = attr('rel');
      const href = attr('href');
      if (href && rel === 'modulepreload') assets.push({ file: href, why: 'modulepreload' });
      if (href && rel === 'stylesheet') assets.push({ file: href, why: 'stylesheet' });
    }
  }
  return assets.map((asset) => ({ ...asset, file: asset.file.replace(/^\//, '') }));
}

/** The route chunk and everything it statically imports, with their CSS. */
function routeAssets(manifest: Manifest, source: string): { file: string; why: string }[] {
  const assets: { file: string; why: string }[] = [];
  const seen = new Set<string>();
  const visit = (key: string, why: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`The Vite manifest has no entry ${key}.`);
    assets.push({ file: chunk.file, why });
    for (const css of chunk.css ?? []) assets.push({ file: css, why: `css of ${why}` });
    for (const imported of chunk.imports ?? []) visit(imported, `imported by ${why}`);
  };
  visit(source, 'invite route');
  return assets;
}

async function measureInviteFirstLoad(distDir: string): Promise<SizedAsset[]> {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const manifest = ManifestSchema.parse(
    JSON.parse(readFileSync(join(distDir, '.vite/manifest.json'), 'utf8')),
  );
  const sized = new Map<string, SizedAsset>();
  for (const { file, why } of [...htmlAssets(html), ...routeAssets(manifest, INVITE_ROUTE_SOURCE)]) {
    if (sized.has(file) || !/\.(js|css)$/.test(file)) continue;
    const content = readFileSync(join(distDir, file));
    sized.set(file, { file, why, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  return [...sized.values()];
}

async function main() {
  const distDir = resolve('dist/web');
  if (!existsSync(join(distDir, '.vite/manifest.json'))) {
    console.log('dist/web/ has no build yet: building…');
    const { build } = await import('vite');
    await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn' });
  }
  const assets = await measureInviteFirstLoad(distDir);
  const kb = (bytes: number) => (bytes / 1000).toFixed(2).padStart(8);
  console.log('Invite screen, first load (JS + CSS):');
  console.log(`${'file'.padEnd(44)} ${'raw kB'.padStart(8)} ${'gzip kB'.padStart(8)}  loaded as`);
  for (const asset of assets) {
    console.log(`${asset.file.padEnd(44)} ${kb(asset.bytes)} ${kb(asset.gzipBytes)}  ${asset.why}`);
  }
  const total = assets.reduce((sum, asset) => sum + asset.gzipBytes, 0);
  const raw = assets.reduce((sum, asset) => sum + asset.bytes, 0);
  console.log(`${'total'.padEnd(44)} ${kb(raw)} ${kb(total)}`);
  const pass = total <= BUDGET_KB * 1000;
  console.log(`${pass ? 'PASS' : 'FAIL'}: ${(total / 1000).toFixed(2)} kB gzip (budget ${BUDGET_KB} kB)`);
  const fewFiles = assets.length <= MAX_FIRST_LOAD_FILES;
  console.log(
    `${fewFiles ? 'PASS' : 'FAIL'}: ${assets.length} files (at most ${MAX_FIRST_LOAD_FILES}, one round of requests)`,
  );
  if (!pass || !fewFiles) process.exitCode = 1;
}

await main();
