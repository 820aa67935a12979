// Single sign-on in real Chromium, through the provider's own sign-in page (oidc-provider on loopback): the button,
// the provider's page, back in the app signed in with the provider's name for the person, and signing out of both.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_IDP_NAME, startTestIdp } from '../support/oidc-provider.ts';
import type { TestIdp } from '../support/oidc-provider.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

let idp: TestIdp;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [idp, browser] = await Promise.all([
    startTestIdp({
      grace: { email: 'grace@clinic.test', emailVerified: true, name: 'Grace Hopper', groups: ['staff'] },
      visitor: { email: 'visitor@clinic.test', emailVerified: true, name: 'A Visitor', groups: ['guests'] },
    }),
    launchBrowser(),
  ]);
  stack = await startStack({
    staticDir: 'dist/web',
    seed: false,
    sso: idp.settings({ allowedGroups: ['staff'] }),
  });
  idp.register(stack.bffUrl);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await idp?.close();
});

beforeEach(async () => {
  context = await browser.newContext();
  // The provider's sample page asks for a web font; nothing leaves this computer.
  await context.route(/^https:\/\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/css', body: '' }),
  );
  page = await context.newPage();
  problems = watchPage(page);
  problems.expectHttpErrors(401);
});

afterEach(async () => {
  await context.close();
  expect(problems.list()).toEqual([]);
});

const appBar = (p: Page) => p.getByRole('banner');

async function signInAtProvider(login: string) {
  await page.goto(stack.bffUrl);
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByRole('link', { name: `Sign in with ${TEST_IDP_NAME}` }).click();
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
}

describe('single sign-on in the browser', () => {
  it("signs in through the provider's page and lands in the app with the provider's name for them", async () => {
    await signInAtProvider('grace');
    // A Viewer (no group of hers maps to a role): her home is Users.
    await page.waitForURL(`${stack.bffUrl}/users`);
    await appBar(page).getByText('Grace Hopper').waitFor();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const cookie = (await context.cookies(stack.bffUrl)).find((c) => c.name === '__Host-va_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
  });

  it('after signing out, offers to sign out of the provider too, which ends the session there', async () => {
    await signInAtProvider('grace');
    await appBar(page).getByText('Grace Hopper').waitFor();
    await appBar(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.getByRole('link', { name: `Also sign out of ${TEST_IDP_NAME}` }).click();
    await page.waitForURL((url) => url.href.startsWith(idp.issuer));
    // The provider's own confirmation, then back to the sign-in screen.
    await page.getByRole('button', { name: /yes/i }).click();
    await page.waitForURL(`${stack.bffUrl}/`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    // Signed out there too: the next sign-in asks for the login again.
    await page.getByRole('link', { name: `Sign in with ${TEST_IDP_NAME}` }).click();
    await page.locator('input[name="login"]').waitFor();
  });

  it('explains a refusal on the sign-in screen', async () => {
    await signInAtProvider('visitor');
    await page.getByText('Your account is not in a group allowed to use Viewer Admin.').waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('textbox', { name: 'Email' }).waitFor();
  });
});
