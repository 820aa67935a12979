// Moving between screens in real Chromium: the new screen's heading has the keyboard focus and the page starts at the
// top; Back and Forward bring back the scroll position the operator left.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as z from 'zod/mini';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { invitationsTable, invited, isFocused, openSignedIn, row } from './review-page.ts';
import type { Opened } from './review-page.ts';

let stack: Stack;
let browser: Browser;
let opened: Opened | undefined;
let page: Page;
let problems: PageProblems | undefined;

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  await opened?.context.close();
  opened = undefined;
  const seen = problems?.list() ?? [];
  problems = undefined;
  expect(seen).toEqual([]);
});

const scrollY = async () => z.number().parse(await page.evaluate('window.scrollY'));
const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const navLink = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

describe('navigation between screens (end to end)', () => {
  it('focuses the heading and starts at the top; Back and Forward return to where the page was', async () => {
    const people = [];
    for (let n = 0; n < 4; n += 1) people.push(await invited(stack, { lastName: `Scroll${n}` }));
    const oldest = people[0];
    if (!oldest) throw new Error('Nobody was invited.');
    // A short window, so the lists scroll.
    opened = await openSignedIn(browser, stack, '/', { viewport: { width: 1280, height: 420 } });
    ({ page, problems } = opened);
    await heading('Invite a colleague').waitFor();
    // The screen the app opens on: nothing moved.
    expect(await isFocused(heading('Invite a colleague'))).toBe(false);

    await navLink('Invitations').click();
    await invitationsTable(page).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await isFocused(heading('Invitations'))).toBe(true);
    // Tab carries on from the top of the new screen, not from the navigation link.
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => document.querySelector('main')?.contains(document.activeElement) ?? false),
    ).toBe(true);

    // Down the list to the oldest of them, then to that person in Users: the new screen starts at the top.
    const target = row(page, oldest.email);
    await target.scrollIntoViewIfNeeded();
    const listPosition = await scrollY();
    expect(listPosition).toBeGreaterThan(0);
    await target.getByRole('link').first().click();
    await page.getByRole('dialog').getByRole('heading', { level: 2 }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/users/${oldest.userId}`);
    expect(await scrollY()).toBe(0);

    // Back: the Invitations list where it was, its heading focused.
    await page.goBack();
    await heading('Invitations').waitFor();
    await page.waitForFunction((y) => window.scrollY === y, listPosition);
    expect(await isFocused(heading('Invitations'))).toBe(true);

    // Forward: Users again, at the top.
    await page.goForward();
    await page.getByRole('dialog').getByRole('heading', { level: 2 }).first().waitFor();
    await page.waitForFunction(() => window.scrollY === 0);
  });
});
