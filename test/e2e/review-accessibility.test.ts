// Accessibility of the Users and Invitations screens in real Chromium: axe-core finds no violations on both screens,
// a person's details, the edit form and the confirmations, in light and dark mode; at 375 px nothing scrolls the
// page sideways (tables become cards).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import {
  invitationsTable,
  invited,
  openSignedIn,
  pageScrollsSideways,
  refreshDirectory,
  row,
  usersTable,
} from './review-page.ts';
import type { Opened } from './review-page.ts';
import { axeViolations } from './axe.ts';

let stack: Stack;
let browser: Browser;
let opened: Opened | undefined;
let page: Page;
let problems: PageProblems | undefined;

useBrowserStack((started) => ({ stack, browser } = started));
beforeAll(() => refreshDirectory(stack));

afterEach(async () => {
  await opened?.context.close();
  opened = undefined;
  const seen = problems?.list() ?? [];
  problems = undefined;
  expect(seen).toEqual([]);
});

async function open(path: string, options: BrowserContextOptions = {}): Promise<void> {
  opened = await openSignedIn(browser, stack, path, options);
  ({ page, problems } = opened);
}

const details = () => page.getByRole('dialog').first();

describe.each(['light', 'dark'] as const)('in %s mode', (scheme) => {
  it('Users, a person’s details, their edit form and a confirmation have no axe violations', async () => {
    const user = await invited(stack, { lastName: `Axe${scheme}`, middleName: 'Marie', suffix1: 'MD' });
    await open('/users', { colorScheme: scheme });
    await usersTable(page).waitFor();
    // A selected row and a copied id on screen too; the copied button's name still holds "Copied" (WCAG 2.5.3,
    // a rule axe runs only when asked).
    await row(page, user.email).getByRole('checkbox').check();
    await row(page, user.email)
      .getByRole('button', { name: /^Copy userId of / })
      .click();
    await row(page, user.email)
      .getByRole('button', { name: /^Copied userId of / })
      .waitFor();
    expect(await axeViolations(page, { alsoRules: ['label-content-name-mismatch'] })).toEqual([]);

    await row(page, user.email).getByRole('link').first().click();
    await details()
      .getByRole('heading', { name: /^Sarah M\. Axe/ })
      .waitFor();
    await details().getByText('Pending', { exact: true }).waitFor();
    // The other access action shown too (More actions).
    await details().getByRole('button', { name: 'More actions' }).click();
    await details().getByRole('group', { name: 'More actions' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await details().getByRole('button', { name: 'Edit', exact: true }).click();
    await details().getByRole('button', { name: 'Save changes' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await details().getByRole('button', { name: 'Cancel' }).click();

    await details().getByRole('button', { name: 'Revoke access' }).click();
    await page.getByRole('dialog', { name: /^Revoke access for/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('Users searched and filtered, with a row’s e-mail tooltip open, and an expired invitation’s next step have no axe violations', async () => {
    await open('/users?q=dubois&status=invitation-expired', { colorScheme: scheme });
    const email = row(page, 'chloe.dubois@northside-imaging.example').getByText(
      'chloe.dubois@northside-imaging.example',
    );
    await email.focus();
    await page.getByRole('tooltip').waitFor();
    await page.getByText(/^As of /).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await row(page, 'chloe.dubois@northside-imaging.example').getByRole('link').first().click();
    await details().getByRole('alert').filter({ hasText: 'This invitation has expired' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('Invitations, its edit dialog and revoke confirmation have no axe violations', async () => {
    const user = await invited(stack, { lastName: `Axeinv${scheme}` });
    await open('/invitations', { colorScheme: scheme });
    await invitationsTable(page).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await row(page, user.email)
      .getByRole('button', { name: /^Edit the invitation/ })
      .click();
    await page
      .getByRole('dialog', { name: /^Edit the invitation/ })
      .getByRole('button', { name: 'Save changes' })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await row(page, user.email)
      .getByRole('button', { name: /^Revoke the invitation/ })
      .click();
    await page.getByRole('dialog', { name: /^Revoke the invitation/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe.each(['light', 'dark'] as const)('at phone width (375 px), in %s mode', (scheme) => {
  const PHONE = { viewport: { width: 375, height: 812 }, colorScheme: scheme } as const;

  it('Users: cards instead of a table, nothing scrolls sideways, details and edit fit; no axe violations', async () => {
    const user = await invited(stack, {
      lastName: `Narrow${scheme}`,
      email: `a.very.long.address.for.a.colleague.${Date.now()}@radiology-department.hospital.example`,
    });
    await open('/users', PHONE);
    const cards = page.getByRole('list', { name: 'Users', exact: true });
    await cards.waitFor();
    expect(await usersTable(page).count()).toBe(0);
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await cards.getByRole('link', { name: `Sarah ${user.lastName}` }).click();
    await details()
      .getByRole('heading', { name: `Sarah ${user.lastName}` })
      .waitFor();
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(await details().evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await details().getByRole('button', { name: 'Edit', exact: true }).click();
    await details().getByRole('button', { name: 'Save changes' }).waitFor();
    expect(await details().evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(user.email.length).toBeGreaterThan(60);
  });

  it('Invitations: cards, nothing scrolls sideways, the edit dialog fits; no axe violations', async () => {
    const user = await invited(stack, { lastName: `Narrowinv${scheme}` });
    await open('/invitations', PHONE);
    const cards = page.getByRole('list', { name: 'Invitations', exact: true });
    await cards.waitFor();
    expect(await invitationsTable(page).count()).toBe(0);
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await cards.getByRole('button', { name: `Edit the invitation for Sarah ${user.lastName}` }).click();
    const dialog = page.getByRole('dialog', { name: /^Edit the invitation/ });
    await dialog.getByRole('button', { name: 'Save changes' }).waitFor();
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
  });
});
