// Headless Chromium for end-to-end tests and the load benchmark: Debian's Chromium driven by playwright-core,
// plus a watcher that turns any console error or uncaught page error into a test failure.
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';

/** The flags every Chromium of the tests and benchmarks runs with. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
}

export interface PageProblems {
  /** Console errors and page errors seen so far, minus the HTTP errors the test said it expects. */
  list(): string[];
  /**
   * The test provokes these HTTP error statuses on purpose (a 409, a 502...): Chromium logs each failed
   * request as a console error, which is not a fault of the page.
   */
  expectHttpErrors(...statuses: number[]): void;
}

const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d{3})/;

/** Record every console error and uncaught exception of a page. */
export function watchPage(page: Page): PageProblems {
  const problems: string[] = [];
  const expected = new Set<number>();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const status = FAILED_RESOURCE.exec(text)?.[1];
    if (status !== undefined && expected.has(Number(status))) return;
    problems.push(`console.error: ${text} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  return {
    list: () => [...problems],
    expectHttpErrors: (...statuses) => {
      for (const status of statuses) expected.add(status);
    },
  };
}

/**
 * Sign a browser context in as an operator, through the browser itself (so the BFF's `__Host-` session cookie is
 * stored exactly as a real sign-in stores it), from a throw-away tab that never loads the app.
 */
export async function signInBrowser(
  context: BrowserContext,
  baseUrl: string,
  credentials: { email: string; password: string },
): Promise<void> {
  const tab = await context.newPage();
  try {
    await tab.goto(`${baseUrl}${SIGN_IN_TAB_PATH}`);
    const status: unknown = await tab.evaluate(signInExpression(credentials));
    if (status !== 200) throw new Error(`Signing in from the browser answered ${String(status)}.`);
  } finally {
    await tab.close();
  }
}

/** What a throw-away sign-in tab loads: a file of the BFF's origin that is none of the app's code. */
export const SIGN_IN_TAB_PATH = '/favicon.svg';

/**
 * JavaScript for a tab of the BFF's origin: signs in as `credentials` the way the app does (JSON, `X-CSRF: 1`) and
 * evaluates to the answer's HTTP status. Shared by Playwright (tests) and the load benchmark's DevTools client.
 */
export function signInExpression(credentials: { email: string; password: string }): string {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf': '1' },
    body: JSON.stringify(credentials),
  };
  return `fetch('/api/session', ${JSON.stringify(init)}).then((response) => response.status)`;
}
