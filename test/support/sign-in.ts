// Signing in through the app's own sign-in screen, as an operator does (end-to-end tests).
import type { Page } from 'playwright-core';
import { TEST_OPERATOR } from './session.ts';

/**
 * On a page showing the sign-in screen, sign in and wait until it has gone. The page is left where the app puts
 * the operator: the address they were going to.
 */
export async function signIn(
  page: Page,
  credentials: { email: string; password: string } = TEST_OPERATOR,
): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByRole('textbox', { name: 'Email' }).fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor({ state: 'detached' });
}

/**
 * Record every Content-Security-Policy violation the page reports (from before its first script runs: init
 * scripts are injected by the browser, not by the page, so the policy does not apply to them).
 */
export async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    Reflect.set(window, '__cspViolations', seen);
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sample})`);
    });
  });
  return async () => {
    const value: unknown = await page.evaluate(() => Reflect.get(window, '__cspViolations'));
    return Array.isArray(value) ? value.map(String) : [];
  };
}
