// The start-up every end-to-end file shares: the built app (dist/web/) served by the BFF with a sandbox upstream, and one
// Chromium, started before the file's tests and stopped after them.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.ts';
import { startStack } from './stack.ts';
import type { Stack, StackOptions } from './stack.ts';

export interface BrowserStack {
  stack: Stack;
  browser: Browser;
}

/**
 * Registers the file's beforeAll/afterAll: starts the stack (serving `dist/web`, plus `options`) and the browser side by
 * side and hands both to `started`; closes them after the last test.
 */
export function useBrowserStack(
  started: (both: BrowserStack) => void,
  options: Omit<StackOptions, 'staticDir'> = {},
): void {
  let both: Partial<BrowserStack> = {};
  beforeAll(async () => {
    const [stack, browser] = await Promise.all([
      startStack({ staticDir: 'dist/web', ...options }),
      launchBrowser(),
    ]);
    both = { stack, browser };
    started({ stack, browser });
  });
  afterAll(async () => {
    await both.browser?.close();
    await both.stack?.close();
  });
}
