// The Operators and Activity screens in real Chromium: add and disable an operator, read the trail, filter it,
// export it; axe-core finds no violations on them or on sign-in, in light and dark mode; nothing scrolls sideways.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import { signIn } from '../support/sign-in.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { axeViolations } from './axe.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started), { seed: false });

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(problems.list()).toEqual([]);
});

async function open(path: string, options: BrowserContextOptions = {}, signedIn = true): Promise<void> {
  context = await browser.newContext({ acceptDownloads: true, ...options });
  if (signedIn) await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
  await page.goto(`${stack.bffUrl}${path}`);
}

describe('Operators screen', () => {
  it('adds an operator, shows their first password once, and disables them after confirming', async () => {
    await open('/operators');
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('Fox Mulder');
    await page.getByRole('textbox', { name: 'Email' }).fill('fox.mulder@clinic.test');
    await page.getByRole('button', { name: 'Add operator' }).click();
    const added = page
      .getByRole('status')
      .filter({ hasText: 'Fox Mulder (fox.mulder@clinic.test) can now sign in' });
    await added.waitFor();
    const password =
      (await added
        .locator('p')
        .filter({ hasText: /^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5}$/ })
        .textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5}$/);

    const fox = page.getByRole('listitem').filter({ hasText: 'fox.mulder@clinic.test' });
    await fox.getByText('Has not chosen a password yet').waitFor();
    await fox.getByRole('button', { name: 'Disable Fox Mulder' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable Fox Mulder?' });
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await fox.getByRole('button', { name: 'Enable Fox Mulder' }).waitFor();
    await fox.getByText('Disabled', { exact: true }).waitFor();
    const me = page.getByRole('listitem').filter({ hasText: TEST_OPERATOR.email });
    await me.getByText('You cannot disable yourself.').waitFor();
  });
});

describe('Activity screen', () => {
  it('lists the trail newest first, filters by action through the address, and exports CSV', async () => {
    await stack.api('POST', '/api/operators', {
      body: { email: 'dana.scully@clinic.test', displayName: 'Dana Scully' },
    });
    await open('/activity');
    const table = page.getByRole('table', { name: 'Activity, newest first' });
    await table.waitFor();
    // Newest first: the sign-in of this browser, then adding Dana.
    await table.getByRole('row').nth(1).getByText('Signed in', { exact: true }).waitFor();
    await table.getByRole('row').nth(2).getByText('Added an operator').waitFor();
    await table.getByRole('row').nth(2).getByText('dana.scully@clinic.test').waitFor();

    await page.getByLabel('Action').selectOption({ label: 'Signed in' });
    await page.waitForURL(/action=session.sign-in/);
    await table.getByRole('row').nth(1).getByText('Signed in', { exact: true }).waitFor();
    // The filtered list has arrived: sign-ins only.
    await expect
      .poll(async () => ({
        added: await table.getByText('Added an operator').count(),
        hasRows: (await table.getByRole('row').count()) > 1,
      }))
      .toEqual({ added: 0, hasRows: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^viewer-admin-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv).toContain('"session.sign-in"');
    expect(csv).not.toContain('"operator.add"');
  });
});

describe.each(['light', 'dark'] as const)('accessibility in %s mode', (scheme) => {
  it('sign-in, Operators and Activity have no axe violations', async () => {
    await open('/', { colorScheme: scheme }, false);
    problems.expectHttpErrors(401);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await signIn(page);
    for (const [path, heading] of [
      ['/operators', 'Operators'],
      ['/activity', 'Activity'],
    ] as const) {
      await page.goto(`${stack.bffUrl}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByText(/Loading/).waitFor({ state: 'detached' });
      expect(await axeViolations(page), path).toEqual([]);
    }
  });
});

describe('at phone width (375 px)', () => {
  it('nothing scrolls sideways on sign-in, Operators or Activity', async () => {
    await open('/', { viewport: { width: 375, height: 740 } }, false);
    problems.expectHttpErrors(401);
    const sideways = async () =>
      z
        .object({ scrollWidth: z.number(), clientWidth: z.number() })
        .parse(
          await page.evaluate(
            '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
          ),
        );
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    let widths = await sideways();
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    await signIn(page);
    for (const path of ['/operators', '/activity']) {
      await page.goto(`${stack.bffUrl}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      widths = await sideways();
      expect(widths.scrollWidth, path).toBeLessThanOrEqual(widths.clientWidth);
    }
  });
});
