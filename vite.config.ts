import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// One config for the SPA build and for the three test projects (node, web, e2e).
export default defineConfig({
  plugins: [react()],
  // Only the browser app is bundled: src/web (and the contract it imports). Nothing else is reachable from index.html.
  envPrefix: 'PUBLIC_',
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2022',
    emptyOutDir: true,
  },
  test: {
    // In CI a JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/contract/**/*.test.ts', 'test/sandbox/**/*.test.ts', 'test/server/**/*.test.ts', 'test/main*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          environment: 'jsdom',
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
