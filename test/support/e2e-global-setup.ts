// Global setup of the `e2e` test project: build the SPA once (programmatically, from vite.config.ts), so every
// end-to-end file serves the same dist/ through the BFF. The build is the production one that ships: Vitest sets
// NODE_ENV=test, which Vite would otherwise carry into the bundle (React's development build, emotion's slow mode).
import { resolve } from 'node:path';
import { build } from 'vite';

export async function setup(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve('vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
