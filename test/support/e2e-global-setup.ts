// Global setup of the `e2e` test project: build the SPA once (programmatically, from vite.config.ts), so every
// end-to-end file serves the same dist/ through the BFF.
import { resolve } from 'node:path';
import { build } from 'vite';

export async function setup(): Promise<void> {
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn' });
}
