// Operators in real Chromium: sign-in, sign-out, the first sign-in's password change, a session that ends while
// working, and the Content-Security-Policy: the whole app runs with zero violations while injected script does not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { http } from '../support/http.ts';
import { CSRF_HEADERS, TEST_OPERATOR } from '../support/session.ts';
import { recordCspViolations, signIn } from '../support/sign-in.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started));

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  problems = watchPage(page);
  // Signed out, GET /api/session answers 401: Chromium logs that failed request as a console error.
  problems.expectHttpErrors(401);
});

afterEach(async () => {
  await context.close();
  expect(problems.list()).toEqual([]);
});

const appBar = (p: Page) => p.getByRole('banner');

async function sessionCookie(): Promise<string | undefined> {
  return (await context.cookies(stack.bffUrl)).find((c) => c.name === '__Host-va_session')?.value;
}

describe('signing in and out', () => {
  it('shows sign-in in place of the screen asked for, then that screen, with who is signed in', async () => {
    await page.goto(`${stack.bffUrl}/invitations`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await page.title()).toBe('Sign in · Viewer Admin');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await signIn(page);
    expect(new URL(page.url()).pathname).toBe('/invitations');
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await appBar(page).getByText('Signed in as').waitFor();
    const cookie = (await context.cookies(stack.bffUrl)).find((c) => c.name === '__Host-va_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('opens a signed-in page straight on its screen: who is signed in and the mode come with the page', async () => {
    await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
    const asked: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/api/')) asked.push(pathname);
    });
    await page.goto(`${stack.bffUrl}/`);
    await page.getByRole('button', { name: 'Send invitation' }).waitFor();
    await appBar(page).getByText('Signed in as').waitFor();
    await appBar(page).getByText('Sandbox').waitFor();
    // Nothing on the way to the first screen waits for the API.
    expect(asked).toEqual([]);
    // A reload after signing out shows sign-in, again without asking.
    await http(stack.bffUrl, 'DELETE', '/api/session', {
      headers: { ...CSRF_HEADERS, cookie: `__Host-va_session=${await sessionCookie()}` },
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(asked).toEqual([]);
  });

  it('says so when the password is wrong, and signs in after', async () => {
    await page.goto(stack.bffUrl);
    await page.getByRole('textbox', { name: 'Email' }).fill(TEST_OPERATOR.email);
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').getByText('The email or password is not right.').waitFor();
    await page.getByLabel('Password').fill(TEST_OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
  });

  it('signs out from the app bar: the session ends on the server and the cookie goes', async () => {
    await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
    await page.goto(stack.bffUrl);
    await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
    const before = await sessionCookie();
    expect(before).toBeDefined();
    await appBar(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await sessionCookie()).toBeUndefined();
    const reused = await http(stack.bffUrl, 'GET', '/api/session', {
      headers: { ...CSRF_HEADERS, cookie: `__Host-va_session=${before}` },
    });
    expect(reused.status).toBe(401);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('when the session ends while working, signing in again returns to the same screen', async () => {
    await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
    await page.goto(`${stack.bffUrl}/operators`);
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();
    // The session ends on the server (as after 30 idle minutes); the page does not know yet.
    await page.evaluate(() => fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf': '1' } }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
    await page.getByText('Your session has ended. Sign in again to carry on where you were.').waitFor();
    await signIn(page);
    expect(new URL(page.url()).pathname).toBe('/activity');
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
  });
});

describe('the first sign-in', () => {
  it('asks for a new password before anything else, then opens the app', async () => {
    const fresh = await startStack({ staticDir: 'dist/web', admin: 'generated', seed: false });
    try {
      const file = readFileSync(join(fresh.bffDataDir, 'initial-admin-password'), 'utf8');
      const email = /Email: +(\S+)/.exec(file)?.[1] ?? '';
      const password = /Password: (\S+)/.exec(file)?.[1] ?? '';
      await page.goto(fresh.bffUrl);
      await signIn(page, { email, password });
      await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
      await page.getByLabel('Current password').fill(password);
      await page.getByLabel(/^New password(?! again)/).fill('my own new password');
      await page.getByLabel('New password again').fill('my own new password');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
      await appBar(page).getByText('Signed in as').waitFor();
      // The first password no longer works; the new one does.
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, { email, password: 'my own new password' });
      await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
    } finally {
      await fresh.close();
    }
  });
});

describe('Content-Security-Policy', () => {
  it('the app runs with zero violations on every screen, in both themes, while injected script does not run', async () => {
    const violations = await recordCspViolations(page);
    await page.goto(stack.bffUrl);
    await signIn(page);
    await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
    // emotion's style elements carry the response's nonce.
    const styles = await page.evaluate(() =>
      [...document.querySelectorAll('style')].map(
        (style) => style.nonce !== '' || style.hasAttribute('nonce'),
      ),
    );
    expect(styles.length).toBeGreaterThan(0);
    expect(styles.every(Boolean)).toBe(true);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, heading] of [
      ['Users', 'Users'],
      ['Invitations', 'Invitations'],
      ['Operators', 'Operators'],
      ['Activity', 'Activity'],
      ['Invite', 'Invite a colleague'],
    ] as const) {
      await nav.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    }
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.getByRole('textbox', { name: 'First name' }).click();
    await page.getByRole('combobox', { name: 'Clinic role' }).click();
    await page.getByRole('option').first().waitFor();
    await page.keyboard.press('Escape');
    expect(await violations()).toEqual([]);

    // An attacker's inline script (as if injected into the page): the policy stops it. (In a second tab, whose
    // console errors about the blocked script are expected, so the first tab's watcher stays strict.)
    const attacked = await context.newPage();
    const attackViolations = await recordCspViolations(attacked);
    await attacked.goto(stack.bffUrl);
    await attacked.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
    const ran = await attacked.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
      const handler = document.createElement('img');
      handler.setAttribute('src', 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
      handler.setAttribute('onload', 'window.__injectedHandler = true');
      document.body.append(handler);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return [Reflect.get(window, '__injected'), Reflect.get(window, '__injectedHandler')];
    });
    expect(ran).toEqual([undefined, undefined]);
    const blocked = await attackViolations();
    expect(blocked.length).toBeGreaterThanOrEqual(2);
    expect(blocked.every((v) => v.startsWith('script-src'))).toBe(true);
  });
});
