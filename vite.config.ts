import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Plugin, Rolldown } from 'vite';
import * as z from 'zod/mini';

/** The chunk holding everything the entry and the home screen load at once (see firstLoadChunk). */
const FIRST_LOAD_CHUNK = 'app';

/** The home screen's lazily loaded route module (and what it imports): fetched while the entry loads. */
const HOME_ROUTE = '/src/web/features/invite/invite-page.tsx';

/**
 * Adds <link rel="modulepreload"> for the home (invite) route's chunk to the built index.html, so the browser
 * downloads and compiles it alongside the entry instead of after React first renders. Other routes stay lazy.
 */
function preloadHomeRoute(): Plugin {
  return {
    name: 'viewer-admin:preload-home-route',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const chunk = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'chunk' && output.facadeModuleId?.endsWith(HOME_ROUTE),
        );
        if (chunk?.type !== 'chunk') return [];
        // The route chunk and everything it statically imports, however deep (not only its direct imports).
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          const output = context.bundle?.[fileName];
          if (output?.type === 'chunk') output.imports.forEach(visit);
        };
        visit(chunk.fileName);
        return [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
            injectTo: 'head',
          }));
      },
    },
  };
}

/**
 * The first load in as few files as possible. Browsers open at most six HTTP/1.1 connections to a host, so a first
 * load of a dozen small chunks waits for a second and third round of requests (measured: +100 ms before any script
 * runs). One chunk takes everything the entry and the home route load at once, except the home route's own code
 * (what no other screen uses), which stays in the route's lazy chunk. Other screens stay lazy and share what they can.
 */
function firstLoadChunk(): Rolldown.CodeSplittingNameFunction {
  const entry = resolve('src/web/main.tsx');
  const home = resolve(`.${HOME_ROUTE}`);
  // Worked out once per chunking pass (its context), from the module graph of that build.
  const passes = new WeakMap<Rolldown.ChunkingContext, Set<string>>();
  return (moduleId, context) => {
    let firstLoad = passes.get(context);
    if (!firstLoad) {
      const closure = (roots: readonly string[]) => {
        const reached = new Set<string>();
        const visit = (id: string) => {
          if (reached.has(id)) return;
          reached.add(id);
          context.getModuleInfo(id)?.importedIds.forEach(visit);
        };
        roots.forEach(visit);
        return reached;
      };
      const fromEntry = closure([entry]);
      // Every other lazily loaded module (the other screens, the sign-in screens) and what it imports.
      const lazyRoots = [...fromEntry].flatMap(
        (id) => context.getModuleInfo(id)?.dynamicallyImportedIds ?? [],
      );
      const elsewhere = closure([entry, ...lazyRoots.filter((id) => id !== home)]);
      const fromHome = closure([home]);
      firstLoad = new Set([...fromEntry, ...[...fromHome].filter((id) => elsewhere.has(id))]);
      passes.set(context, firstLoad);
    }
    return firstLoad.has(moduleId) ? FIRST_LOAD_CHUNK : null;
  };
}

/**
 * Puts V8's explicit compile hint (`//# allFunctionsCalledOnLoad`) at the top of the first-load chunk. Chromium then
 * compiles all of its functions on a background thread while the file streams in, instead of each one on the main
 * thread when it is first called (during start-up and the first render). Nearly everything in that chunk does run on
 * the first load: it holds only what the entry and the home screen use. Other chunks stay lazily compiled; browsers
 * without compile hints read a comment. Added last (after minification and Vite's own preamble), as the first line;
 * the file name's hash is of the chunk without it, which the comment, always added, does not make ambiguous.
 */
function compileFirstLoadEagerly(): Plugin {
  return {
    name: 'viewer-admin:compile-first-load-eagerly',
    apply: 'build',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const output of Object.values(bundle)) {
          if (output.type !== 'chunk' || output.name !== FIRST_LOAD_CHUNK) continue;
          output.code = `//# allFunctionsCalledOnLoad\n${output.code}`;
          // One more line at the top: the source map (when built with one) moves down a line.
          const map = bundle[`${output.fileName}.map`];
          if (map?.type === 'asset' && typeof map.source === 'string') {
            const parsed: unknown = JSON.parse(map.source);
            if (typeof parsed === 'object' && parsed !== null && 'mappings' in parsed) {
              map.source = JSON.stringify({ ...parsed, mappings: `;${String(parsed.mappings)}` });
            }
          }
        }
      },
    },
  };
}

const FIRST_SCREEN_STYLES_MODULE = '/src/web/app/first-screen-styles.tsx';
const FirstScreenStylesSchema = z.object({ css: z.string(), names: z.array(z.string()) });

/**
 * The home screen's CSS as a stylesheet, worked out at build time: renders the first screen in Node (Vite's SSR
 * loader, src/web/app/first-screen-styles.tsx), writes the CSS emotion produced as assets/first-screen-[hash].css and
 * links it from index.html with the emotion names it holds. At run time emotion counts those as inserted, so the first
 * render skips compiling and inserting them (measured: the largest single cost of that render).
 */
function firstScreenStyles(): Plugin {
  let names: string[] = [];
  let reference: string | undefined;
  return {
    name: 'viewer-admin:first-screen-styles',
    apply: 'build',
    async buildStart() {
      const { createServer } = await import('vite');
      const server = await createServer({
        configFile: false,
        root: resolve('.'),
        logLevel: 'error',
        appType: 'custom',
        plugins: [react()],
        server: { middlewareMode: true, hmr: false, ws: false },
        optimizeDeps: { noDiscovery: true, include: [] },
      });
      try {
        const module = await server.ssrLoadModule(FIRST_SCREEN_STYLES_MODULE);
        const render: unknown = module.renderFirstScreenStyles;
        if (typeof render !== 'function') throw new Error(`${FIRST_SCREEN_STYLES_MODULE} has no renderer.`);
        const styles = FirstScreenStylesSchema.parse(render());
        names = styles.names;
        reference = this.emitFile({ type: 'asset', name: 'first-screen.css', source: styles.css });
      } finally {
        await server.close();
      }
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const file = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'asset' && output.names.includes('first-screen.css'),
        );
        if (reference === undefined || file === undefined) return [];
        return [
          {
            tag: 'link',
            attrs: {
              rel: 'stylesheet',
              href: `/${file.fileName}`,
              'data-first-screen-styles': names.join(' '),
            },
            injectTo: 'head',
          },
        ];
      },
    },
  };
}

/** Text assets worth compressing (the shell, index.html, is rendered per response and compressed then). */
const COMPRESSIBLE = /^assets\/.*\.(?:js|css|svg)$/;

/**
 * Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside every built JS/CSS/SVG asset over 1 kB, so
 * the BFF serves them as they are (@fastify/static `preCompressed`) instead of compressing on every cold load: smaller
 * than on-the-fly compression can afford, and no server CPU taken from the request path.
 */
function precompressAssets(): Plugin {
  return {
    name: 'viewer-admin:precompress-assets',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir ?? 'dist';
      for (const fileName of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const path = join(outDir, fileName);
        const content = readFileSync(path);
        if (content.length < 1024) continue;
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(content, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// One config for the SPA build and for the three test projects (node, web, e2e).
export default defineConfig({
  plugins: [react(), firstScreenStyles(), preloadHomeRoute(), compileFirstLoadEagerly(), precompressAssets()],
  // Only the browser app is bundled: src/web (and the contract it imports). Nothing else is reachable from index.html.
  envPrefix: 'PUBLIC_',
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2022',
    emptyOutDir: true,
    // dist/.vite/manifest.json: lets `npm run size` find the invite route's lazily loaded chunk.
    manifest: true,
    // Every browser this app supports has <link rel="modulepreload">: skip Vite's polyfill.
    modulePreload: { polyfill: false },
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: firstLoadChunk() }] } } },
    // The first-load chunk is one file on purpose (about 630 kB raw); `npm run size` holds its gzip size to budget.
    chunkSizeWarningLimit: 700,
  },
  test: {
    // In CI a JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
    // Two files at a time, whatever the core count (Vitest's default is one fewer than the cores: one here). The
    // end-to-end files, one at a time among themselves, spend much of their time waiting on the browser and servers
    // they start, so a node or web file runs beside them.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'test/contract/**/*.test.ts',
            'test/sandbox/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/main*.test.ts',
          ],
          // One module registry per worker, not per file: every file builds its own servers and state, and importing
          // the server's modules afresh for each file was half of this project's time.
          isolate: false,
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          environment: 'jsdom',
          // Worker threads start a file's jsdom about twice as fast as child processes; nothing here needs a process.
          pool: 'threads',
          include: ['test/web/**/*.test.{ts,tsx}'],
          setupFiles: ['test/support/web-setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/e2e-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
