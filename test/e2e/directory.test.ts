// The directory in real Chromium, against the built app served by the BFF in sandbox mode: find anyone with the one
// search box (surname then first name, any case, part of the e-mail), see access revoked here with who did it, the
// honest next step for an expired invitation, who sent an invitation from here, copy TSV with invitationId, export the
// selected rows or all matching, keyboard only.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { usersWithEmail } from './invite-page.ts';
import {
  invitationOf,
  invitationsTable,
  invited,
  isFocused,
  openSignedIn,
  operatorName,
  readClipboard,
  refreshDirectory,
  row,
  tabTo,
  usersTable,
} from './review-page.ts';
import type { Opened } from './review-page.ts';

let stack: Stack;
let browser: Browser;
let opened: Opened | undefined;
let page: Page;
let problems: PageProblems | undefined;
let operator: string;

const PRIYA_EMAIL = 'priya.natarajan@northside-imaging.example';
const CHLOE_EMAIL = 'chloe.dubois@northside-imaging.example';

useBrowserStack((started) => ({ stack, browser } = started));
beforeAll(async () => {
  await refreshDirectory(stack);
  operator = await operatorName(stack);
});

afterEach(async () => {
  await opened?.context.close();
  opened = undefined;
  const seen = problems?.list() ?? [];
  problems = undefined;
  expect(seen).toEqual([]);
});

async function open(path: string): Promise<void> {
  opened = await openSignedIn(browser, stack, path);
  ({ page, problems } = opened);
}

const details = () => page.getByRole('dialog');
const searchBox = () => page.getByRole('searchbox', { name: 'Search people' });
const names = () => usersTable(page).getByRole('row').getByRole('link').allTextContents();

/** Type into the search box as a person does, and wait for the address and the table to follow. */
async function search(text: string): Promise<void> {
  await searchBox().fill('');
  await searchBox().pressSequentially(text, { delay: 20 });
  await page.waitForURL((url) => url.searchParams.get('q') === text.trim());
  await page.waitForFunction(() => document.querySelector('table[aria-busy="true"]') === null);
}

async function csvOf(download: Download): Promise<string[]> {
  const text = readFileSync((await download.path()) ?? '', 'utf8').replace(/^\uFEFF/, '');
  return text.split('\r\n').filter((line) => line !== '');
}

describe('The directory (end to end)', () => {
  it('finds a seeded person by surname then first name, by an upper-case first name and by part of the e-mail', async () => {
    await open('/users');
    await usersTable(page).waitFor();
    for (const text of ['natarajan p', 'PRIYA', 'natarajan@northside']) {
      await search(text);
      await row(page, PRIYA_EMAIL).waitFor();
      expect(await names()).toEqual(['Priya Natarajan']);
      await page.getByText(/^1 person · /).waitFor();
    }
    // Typing replaced the address: Back leaves the search rather than stepping through each letter.
    expect(new URL(page.url()).searchParams.get('q')).toBe('natarajan@northside');
  });

  it('a row’s full e-mail in a tooltip: on hover (kept while the pointer moves onto it), on Tab, gone on Escape', async () => {
    await open('/users?q=natarajan');
    // The tooltip shows inside the row, after the e-mail.
    const email = row(page, PRIYA_EMAIL).getByText(PRIYA_EMAIL).first();
    await email.waitFor();
    const tooltip = page.getByRole('tooltip');
    expect(await tooltip.count()).toBe(0);

    await email.hover();
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(PRIYA_EMAIL);
    expect(await email.getAttribute('aria-describedby')).toBe(await tooltip.getAttribute('id'));
    // From the e-mail onto the tooltip in small steps: it stays (WCAG 1.4.13, hoverable).
    const from = await email.boundingBox();
    const to = await tooltip.boundingBox();
    if (!from || !to) throw new Error('The e-mail or its tooltip has no box.');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.waitForTimeout(300);
    expect(await tooltip.textContent()).toBe(PRIYA_EMAIL);
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'detached' });

    await tabTo(page, email);
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(PRIYA_EMAIL);
    await page.keyboard.press('Escape');
    await tooltip.waitFor({ state: 'detached' });
    expect(await isFocused(email)).toBe(true);
  });

  it('revoke access: the row and the details say who did it, the status filter finds her; reactivate clears it', async () => {
    const [priya] = await usersWithEmail(stack, PRIYA_EMAIL);
    if (!priya) throw new Error('The sandbox did not seed Priya Natarajan.');
    await open('/users?q=natarajan');
    await row(page, PRIYA_EMAIL).getByRole('link').first().click();
    await details().getByRole('heading', { name: 'Priya Natarajan' }).waitFor();
    await details().getByRole('button', { name: 'Revoke access' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke access for Priya Natarajan?' })
      .getByRole('button', { name: 'Revoke access' })
      .click();
    await details()
      .getByText(/^Access revoked/)
      .first()
      .waitFor();
    const revokedHere = `Access revoked here by ${operator}`;
    await details()
      .getByText(new RegExp(`^${revokedHere} on `))
      .waitFor();
    // Now Reactivate comes first; Revoke access stays reachable under More actions.
    await details().getByRole('button', { name: 'Reactivate' }).waitFor();
    expect(await details().getByRole('button', { name: 'Revoke access' }).count()).toBe(0);
    await details().getByRole('button', { name: 'Close details' }).click();
    await row(page, PRIYA_EMAIL).getByText(revokedHere, { exact: true }).waitFor();

    await page.goto(`${stack.bffUrl}/users`);
    await usersTable(page).waitFor();
    const filter = page.getByRole('checkbox', { name: 'Access revoked here' });
    // The box shows what the address says: it is ticked once the address has the filter.
    await filter.click();
    await page.waitForURL(/status=access-revoked/);
    await expect.poll(() => filter.isChecked()).toBe(true);
    await row(page, PRIYA_EMAIL).getByText(revokedHere, { exact: true }).waitFor();
    expect(await names()).toContain('Priya Natarajan');

    await row(page, PRIYA_EMAIL).getByRole('link').first().click();
    await details().getByRole('button', { name: 'Reactivate' }).click();
    await page
      .getByRole('dialog', { name: 'Reactivate Priya Natarajan?' })
      .getByRole('button', { name: 'Reactivate' })
      .click();
    await details().getByText('Active (From Avara)').waitFor();
    await details().getByRole('button', { name: 'Close details' }).click();
    await expect.poll(names).not.toContain('Priya Natarajan');
    await page.goto(`${stack.bffUrl}/users?q=natarajan`);
    await row(page, PRIYA_EMAIL).getByText('Active', { exact: true }).waitFor();
  });

  it('an expired invitation shows Expired, never Sent, and the honest next step', async () => {
    await open('/invitations?q=dubois');
    const target = row(page, CHLOE_EMAIL);
    await target.getByText('Expired', { exact: true }).waitFor();
    expect(await target.getByText('Sent', { exact: true }).count()).toBe(0);
    expect(await target.getByRole('button', { name: /^(Edit|Revoke) the invitation/ }).count()).toBe(0);
    await target.getByRole('link', { name: 'What to do now' }).click();
    await details().getByRole('heading', { name: 'Chloe Dubois' }).waitFor();
    const next = details().getByRole('alert').filter({ hasText: 'This invitation has expired' });
    await next.waitFor();
    const text = (await next.textContent()) ?? '';
    expect(text).toContain('It cannot be sent again from this dashboard.');
    expect(text).toContain('Avara has no way to resend or renew an invitation');
    expect(text).toContain('ask your clinic’s Avara account owner to send one from Avara’s own dashboard');
    expect(
      await details()
        .getByRole('button', { name: /invitation$/ })
        .count(),
    ).toBe(0);
  });

  it('an invitation sent from this dashboard names the operator who sent it; Copy as TSV includes the invitationId', async () => {
    const a = await invited(stack, { lastName: 'Dirsentone' });
    const b = await invited(stack, { lastName: 'Dirsenttwo' });
    const [invA, invB] = [await invitationOf(stack, a.userId), await invitationOf(stack, b.userId)];
    await open('/invitations?q=dirsent');
    await invitationsTable(page).waitFor();
    for (const person of [a, b]) {
      await row(page, person.email).getByText(operator, { exact: true }).waitFor();
      expect(await row(page, person.email).getByText('Through the API').count()).toBe(0);
    }
    await row(page, a.email).getByRole('checkbox').check();
    await row(page, b.email).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Copy as TSV' }).click();
    await page.getByText('Copied 2 rows (email, userId and invitationId, separated by a tab).').waitFor();
    const lines = (await readClipboard(page)).split('\n').sort();
    expect(lines).toEqual(
      [
        `${a.email}\t${a.userId}\t${invA.invitationId}`,
        `${b.email}\t${b.userId}\t${invB.invitationId}`,
      ].sort(),
    );
    // The message goes with the selection it spoke of.
    await row(page, a.email).getByRole('checkbox').uncheck();
    await expect.poll(() => page.getByText(/^Copied 2 rows/).count()).toBe(0);
  });

  it('Export CSV with rows selected: the selected rows, or every page of all matching', async () => {
    await open('/users?limit=20');
    await usersTable(page).waitFor();
    const matching = Number(((await page.getByText(/^\d+ people · /).textContent()) ?? '').split(' ')[0]);
    expect(matching).toBeGreaterThan(20);
    await usersTable(page).getByRole('row').nth(1).getByRole('checkbox').check();
    await usersTable(page).getByRole('row').nth(2).getByRole('checkbox').check();
    const exportButton = page.getByRole('button', { name: 'Export CSV' });

    await exportButton.click();
    const [selected] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Selected rows (2)' }).click(),
    ]);
    expect(await csvOf(selected)).toHaveLength(3);

    await exportButton.click();
    const [all] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `All matching (${matching})` }).click(),
    ]);
    const rows = (await csvOf(all)).slice(1);
    expect(rows).toHaveLength(matching);
    expect(new Set(rows.map((line) => line.split(',')[0])).size).toBe(matching);
  });

  it('keyboard only: search, open a person, reach Reactivate under More actions', async () => {
    await open('/users');
    await usersTable(page).waitFor();
    await tabTo(page, searchBox());
    await page.keyboard.type('natarajan p');
    await page.waitForURL((url) => url.searchParams.get('q') === 'natarajan p');
    const link = row(page, PRIYA_EMAIL).getByRole('link').first();
    await link.waitFor();
    await tabTo(page, link);
    await page.keyboard.press('Enter');
    await details().getByRole('heading', { name: 'Priya Natarajan' }).waitFor();
    const more = details().getByRole('button', { name: 'More actions' });
    await tabTo(page, more);
    await page.keyboard.press('Enter');
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Tab');
    expect(await isFocused(details().getByRole('group', { name: 'More actions' }).getByRole('button'))).toBe(
      true,
    );
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/users');
  });
});
