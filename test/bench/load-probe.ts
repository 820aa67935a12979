import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { SIGN_IN_TAB_PATH, signInExpression } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { DevToolsBrowser, DevToolsContext } from './devtools-browser.ts';

// The measurement behind `npm run bench:load` and `npm run bench:load-ab`: one cold, signed-in load of the invite screen
// in a fresh browser context, from navigation start to an enabled, visible "Send invitation" button.

/** Idle: other processes used under this share of the machine's CPU over one sample. */
const QUIET_BUSY_SHARE = 0.15;
const QUIET_SAMPLE_MS = 500;
/** Waited at most this long before each load (then it runs anyway, and the summary says so). */
export const QUIET_WAIT_SECONDS = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 60);

/** The machine's CPU time so far, all and idle (Linux /proc/stat, in clock ticks); undefined elsewhere. */
function machineCpu(): { total: number; idle: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { total: fields.reduce((sum, ticks) => sum + ticks, 0), idle };
  } catch {
    return undefined;
  }
}

/** Waits until the machine is idle (the benchmark's own servers and browser are, between loads). True when it was. */
export async function waitForQuietMachine(): Promise<boolean> {
  const deadline = Date.now() + QUIET_WAIT_SECONDS * 1000;
  for (;;) {
    const before = machineCpu();
    await new Promise((resolve) => setTimeout(resolve, QUIET_SAMPLE_MS));
    const after = machineCpu();
    if (!before || !after || after.total === before.total) return true;
    const busy = 1 - (after.idle - before.idle) / (after.total - before.total);
    if (busy < QUIET_BUSY_SHARE) return true;
    if (Date.now() >= deadline) return false;
  }
}

// Runs in the page before any of its scripts: resolves window.__inviteReady with performance.now() (milliseconds since
// navigation start) the first time the invite form's "Send invitation" button exists, is enabled and is rendered. The
// benchmark awaits that promise through the DevTools protocol (one evaluation, answered when it settles: no polling).
const READY_PROBE = `(() => {
  let settle;
  window.__inviteReady = new Promise((resolve) => { settle = resolve; });
  const ready = () => {
    const button = document.querySelector('form button[type="submit"]');
    if (!button || button.disabled || button.textContent.trim() !== 'Send invitation') return false;
    if (button.getClientRects().length === 0) return false;
    settle(performance.now());
    return true;
  };
  const observer = new MutationObserver(() => { if (ready()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

/**
 * Sign the context in as an operator from a throw-away tab that loads none of the app (so its code is still uncached),
 * the way a browser signs in: the BFF's `__Host-` session cookie is stored by the browser itself.
 */
async function signIn(context: DevToolsContext, baseUrl: string): Promise<void> {
  const tab = await context.newPage();
  try {
    await tab.goto(`${baseUrl}${SIGN_IN_TAB_PATH}`);
    const status = await tab.evaluate(signInExpression(TEST_OPERATOR));
    if (status !== 200) throw new Error(`Signing in from the browser answered ${String(status)}.`);
  } finally {
    await tab.close();
  }
}

export async function measureLoad(
  browser: DevToolsBrowser,
  baseUrl: string,
  cpuThrottling: number,
): Promise<number> {
  return browser.withContext(async (context) => {
    await signIn(context, baseUrl);
    const page = await context.newPage();
    await page.addInitScript(READY_PROBE);
    if (cpuThrottling > 1) await page.throttleCpu(cpuThrottling);
    await page.goto(`${baseUrl}/`);
    return z.number().parse(await page.evaluate('window.__inviteReady'));
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
