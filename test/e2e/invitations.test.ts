// The Invitations screen in real Chromium, against the built app served by the BFF in sandbox mode: where each
// invitation stands, revoke a pending one (with the mouse and with the keyboard alone), edit one while pending,
// copy its ids, export the filter as CSV.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import {
  invitationOf,
  invitationsTable,
  invited,
  isFocused,
  openSignedIn,
  readClipboard,
  refreshDirectory,
  row,
  tabTo,
  userNow,
} from './review-page.ts';
import type { Opened } from './review-page.ts';

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

async function open(path: string): Promise<void> {
  opened = await openSignedIn(browser, stack, path);
  ({ page, problems } = opened);
}

describe('Invitations screen (end to end)', () => {
  it('shows each invitation’s state (an expired one never "Sent") and expiry, with the exact time on keyboard focus', async () => {
    await open('/invitations?limit=50');
    await invitationsTable(page).waitFor();
    for (const state of ['Pending', 'Expired', 'Accepted', 'Declined', 'Revoked']) {
      expect(await invitationsTable(page).getByText(state, { exact: true }).count()).toBeGreaterThan(0);
    }
    expect(await invitationsTable(page).getByRole('cell').getByText('Sent', { exact: true }).count()).toBe(0);
    const expired = invitationsTable(page)
      .getByText(/^Expired \d+ days? ago$/)
      .first();
    await expired.waitFor();
    // From the table's own scrolling region (the app bar and filters hold a few dozen stops before it).
    await page.getByRole('region', { name: 'Invitations', exact: true }).focus();
    await tabTo(page, expired);
    // The tooltip it opened is the one that describes it (an e-mail's tooltip, passed on the way, may still be
    // fading out).
    await expect.poll(() => expired.getAttribute('aria-describedby')).toMatch(/\S/);
    const describedBy = (await expired.getAttribute('aria-describedby')) ?? '';
    const tooltip = page.getByRole('tooltip').and(page.locator(`[id="${describedBy}"]`));
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/\d{4}/);
  });

  it('revokes a pending invitation after a confirmation, and the row says Revoked', async () => {
    const user = await invited(stack, { lastName: 'Revokeinvite' });
    const invitation = await invitationOf(stack, user.userId);
    await open(`/invitations?userId=${user.userId}`);
    const target = row(page, user.email);
    await target.getByRole('button', { name: /^Revoke the invitation for/ }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke the invitation for Sarah ${user.lastName}?` });
    expect(await confirm.textContent()).toContain(`sent to ${user.email} will stop working`);
    await stack.clearUpstreamRequests();
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click();
    await page.getByText(`Revoked the invitation for Sarah ${user.lastName}.`, { exact: false }).waitFor();
    await target.getByText('Revoked', { exact: true }).waitFor();
    expect(await target.getByRole('button', { name: /^Revoke the invitation/ }).count()).toBe(0);
    const posts = (await stack.upstreamRequests()).filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, r.body])).toEqual([
      ['/v1/viewer/users/invitations/revoke', { invitationId: invitation.invitationId }],
    ]);
    expect((await invitationOf(stack, user.userId)).status).toBe('revoked');
  });

  it('revokes a pending invitation with the keyboard alone', async () => {
    const user = await invited(stack, { lastName: 'Keyinvite' });
    await open(`/invitations?userId=${user.userId}`);
    await invitationsTable(page).waitFor();
    await tabTo(page, row(page, user.email).getByRole('button', { name: /^Revoke the invitation for/ }));
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: /^Revoke the invitation for/ });
    await expect.poll(() => isFocused(confirm.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const outcome = page
      .getByRole('status')
      .filter({ hasText: `Revoked the invitation for Sarah ${user.lastName}` });
    await outcome.waitFor();
    // The row's button is gone with the pending state: the outcome has the focus, so the keyboard is not lost.
    await expect.poll(() => isFocused(outcome)).toBe(true);
    expect((await invitationOf(stack, user.userId)).status).toBe('revoked');
  });

  it('edits a pending invitation with the invite form’s fields; the user follows', async () => {
    const user = await invited(stack, {
      lastName: 'Editinvite',
      level: 'member',
      hasDashboardAccess: false,
      canManageStudies: false,
    });
    const invitation = await invitationOf(stack, user.userId);
    await open(`/invitations?userId=${user.userId}`);
    await row(page, user.email)
      .getByRole('button', { name: /^Edit the invitation for/ })
      .click();
    const dialog = page.getByRole('dialog', { name: `Edit the invitation for Sarah ${user.lastName}` });
    await dialog.waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Email' }).getAttribute('readonly')).not.toBeNull();
    await dialog.getByRole('textbox', { name: 'Suffix 1 (optional)' }).fill('MD');
    await dialog.getByRole('button', { name: /^Admin / }).click();
    expect(await dialog.getByRole('switch', { name: 'Dashboard access' }).isChecked()).toBe(true);
    await stack.clearUpstreamRequests();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`The invitation for Sarah ${user.lastName} was updated.`).waitFor();
    const patches = (await stack.upstreamRequests()).filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.path, r.body])).toEqual([
      [
        `/v1/viewer/users/invitations/${invitation.invitationId}`,
        { suffix1: 'MD', level: 'admin', hasDashboardAccess: true },
      ],
    ]);
    expect(await userNow(stack, user.userId)).toMatchObject({
      suffix1: 'MD',
      level: 'admin',
      hasDashboardAccess: true,
    });
    await row(page, user.email).getByText('Admin', { exact: true }).waitFor();
  });

  it('copies an invitation’s invitationId and userId exactly', async () => {
    const user = await invited(stack, { lastName: 'Copyinvite' });
    const invitation = await invitationOf(stack, user.userId);
    await open(`/invitations?userId=${user.userId}`);
    const target = row(page, user.email);
    await target.getByRole('button', { name: /^Copy invitationId of / }).click();
    await expect.poll(() => readClipboard(page)).toBe(invitation.invitationId);
    await target.getByRole('button', { name: /^Copy userId of / }).click();
    await expect.poll(() => readClipboard(page)).toBe(user.userId);
  });

  it('exports the filtered invitations as CSV, every page', async () => {
    await open('/invitations?state=accepted,declined&limit=20');
    await invitationsTable(page).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^invitations-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path()) ?? '', 'utf8').replace(/^\uFEFF/, '');
    const [header, ...rows] = csv.split('\r\n').filter((line) => line !== '');
    const columns = header?.split(',') ?? [];
    const state = columns.indexOf('state');
    expect(columns.slice(0, 3)).toEqual(['invitationId', 'userId', 'email']);
    expect(rows.length).toBeGreaterThan(5);
    expect(new Set(rows.map((line) => line.split(',')[state]))).toEqual(new Set(['accepted', 'declined']));
    expect(rows.every((line) => /^inv_[0-9a-f]{32},usr_[0-9a-f]{32},/.test(line))).toBe(true);
  });
});
