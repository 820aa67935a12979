import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import type { Rolldown } from 'vite';

/** The chunk holding everything the entry and the home screen load at once (see firstLoadChunk). */
const FIRST_LOAD_CHUNK = 'app';
/** The home screen's lazily loaded route module. */
const HOME_ROUTE = 'src/web/features/invite/invite-page.tsx';

/**
 * The first load in as few files as possible. Browsers open at most six HTTP/1.1 connections to a host, so a first
 * load of a dozen small chunks waits for more rounds of requests (an A/B in docs/performance.md). One chunk takes
 * everything the entry and the home route load at once, except the home route's own code (what no other screen uses),
 * which stays in the route's lazy chunk. Other screens stay lazy and share what they can.
 */
function firstLoadChunk(): Rolldown.CodeSplittingNameFunction {
  const entry = resolve('src/web/main.tsx');
  const home = resolve(HOME_ROUTE);
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

// One config for the SPA build and for the three test projects (node, web, e2e).
export default defineConfig({
  plugins: [react()],
  // Only the browser app is bundled: src/web (and the contract it imports). Nothing else is reachable from index.html.
  envPrefix: 'PUBLIC_',
  build: {
    // dist/server/ holds the server's build (tsconfig.server.json): emptyOutDir must not wipe it.
    outDir: 'dist/web',
    sourcemap: false,
    target: 'es2022',
    emptyOutDir: true,
    // dist/web/.vite/manifest.json: lets `npm run size` find the invite route's lazily loaded chunk.
    manifest: true,
    // Every browser this app supports has <link rel="modulepreload">: skip Vite's polyfill.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: firstLoadChunk(), debugName: 'first load' }] } },
    },
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
            'test/deploy/**/*.test.ts',
            'test/support/**/*.test.ts',
          ],
          // One module registry per worker, not per file: every file builds its own servers and state, and importing
          // the server's modules afresh for each file was half of this project's time.
          isolate: false,
          // One PostgreSQL cluster for the run; each file makes its own databases in it.
          globalSetup: ['test/support/postgres-global-setup.ts'],
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
          // Two instances on PostgreSQL behind nginx (test/support/cluster.ts): processes and servers of their own.
          name: 'cluster',
          environment: 'node',
          include: ['test/cluster/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
