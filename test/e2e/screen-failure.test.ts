// A screen that cannot be shown, in real Chromium: when a screen's code fails to download (an update since the page was
// opened, a dropped connection), the app says so with a way out, and the navigation still takes the operator to the
// other screens (the failure does not stay in their way).
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { openInvite } from './invite-page.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function openHome(): Promise<Page> {
  context = await browser.newContext();
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  const page = await context.newPage();
  problems = watchPage(page);
  await openInvite(page, stack.bffUrl);
  return page;
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const failure = (page: Page) =>
  page.getByRole('alert').filter({ hasText: 'This screen could not be shown.' });

describe('a screen whose code cannot be downloaded', () => {
  it('says so with Reload, and the navigation still opens the other screens', async () => {
    const page = await openHome();
    await page.route('**/assets/activity-page-*.js', (route) => route.abort());

    await nav(page).getByRole('link', { name: 'Activity' }).click();
    await failure(page).waitFor();
    expect(await failure(page).getByRole('button', { name: 'Reload' }).isVisible()).toBe(true);
    // The app bar stays usable around the failed screen.
    expect(await nav(page).getByRole('link', { name: 'Activity' }).getAttribute('aria-current')).toBe('page');

    await nav(page).getByRole('link', { name: 'Invite', exact: true }).click();
    await page.getByRole('heading', { name: 'Invite a colleague', level: 1 }).waitFor();
    expect(await failure(page).count()).toBe(0);

    await nav(page).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await failure(page).count()).toBe(0);

    // What the browser reported: the aborted download, and React naming the screen it could not show. Nothing else.
    const reported = problems.list();
    expect(reported.some((problem) => /net::ERR_FAILED.*activity-page-/.test(problem))).toBe(true);
    expect(
      reported.filter(
        (problem) =>
          !/net::ERR_FAILED.*activity-page-/.test(problem) &&
          !/^console\.error: .*activity-page-/s.test(problem),
      ),
    ).toEqual([]);
  });
});
