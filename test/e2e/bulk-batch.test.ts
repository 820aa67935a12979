// A sent batch in the browser: followed to the end against a slowed sandbox, its userIds copied as TSV and its results
// downloaded as CSV (exact contents), a failed row corrected and sent again, a running batch cancelled, the list of
// recent batches; keyboard-only use, and axe-clean in light and dark at 1280 and 375 px.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import * as z from 'zod/mini';
import type { BulkBatch, CreateBulkInviteInput } from '../../src/contract/bulk.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { newPerson } from '../support/people.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import {
  COLUMNS,
  createBatch,
  inviteRow,
  readBatch,
  skipRow,
  waitForBatch,
} from '../server/bulk/bulk-support.ts';
import { batchStateText, expectedResultsCsv, expectedTsv } from './bulk-page.ts';
import { readClipboard, tabTo, usersWithEmail } from './invite-page.ts';
import { axeViolations } from './axe.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let problems: PageProblems;

// Two upstream slots leave the batch one: rows go one at a time, so a slowed sandbox shows the progress.
useBrowserStack((started) => ({ stack, browser } = started), { concurrency: { maxConcurrent: 2 } });
beforeEach(async () => {
  await stack.faults.clear();
  // Until a page is open (a test that fails before it has nothing of the page's to report).
  problems = { list: () => [], expectHttpErrors: () => undefined };
});
afterEach(async () => {
  await stack.faults.clear();
  await context?.close();
  context = undefined;
  expect(problems.list()).toEqual([]);
});

const INVITE_PATH = { method: 'POST', path: '/v1/viewer/users' } as const;
/** Avara refuses the next invite outright (the row fails with a message and a request id). */
const REFUSE_ONE = {
  ...INVITE_PATH,
  status: 400,
  body: JSON.stringify({
    message: 'lastName is not valid',
    errors: [{ path: 'lastName', message: 'Not a name.' }],
  }),
};

/** A signed-in tab (signing in takes a while: a batch meant to be watched is created after). */
async function signedIn(options: BrowserContextOptions = {}): Promise<void> {
  context = await browser.newContext({ bypassCSP: true, ...options });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.bffUrl });
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
}

async function goTo(path: string): Promise<void> {
  await page.goto(`${stack.bffUrl}${path}`);
  await page.getByRole('heading', { name: 'Batch of invitations', level: 1 }).waitFor();
}

async function open(path: string, options: BrowserContextOptions = {}): Promise<void> {
  await signedIn(options);
  await goTo(path);
}

/** `invites` people, then one row skipped as an existing user. */
function batchBody(invites: number): CreateBulkInviteInput {
  const rows = Array.from({ length: invites }, (_, n) => inviteRow(n + 2, newPerson()));
  return { columns: COLUMNS, rows: [...rows, skipRow(invites + 2)] };
}

describe('a sent batch (end to end)', () => {
  it('follows the batch to the end, copies the userIds as TSV, downloads the results, retries a corrected row', async () => {
    await signedIn();
    await stack.faults.add([REFUSE_ONE, { ...INVITE_PATH, latencyMs: 1200, times: 100 }]);
    const body = batchBody(5);
    const batchId = await createBatch(stack.client, body);
    await goTo(`/invite-many/${batchId}`);

    // Progress moves while rows are sent, then the batch finishes.
    const bar = page.getByRole('progressbar', { name: 'Batch progress' });
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add((await bar.getAttribute('aria-valuenow')) ?? '');
          return batchStateText(page).textContent();
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe('Finished: 4 sent, 1 failed, 1 skipped.');
    expect([...seen].filter((value) => value !== '100' && value !== '').length).toBeGreaterThan(1);
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');

    const finished = await readBatch(stack.client, batchId);
    const sent = finished.rows.filter((row) => row.state === 'sent');
    expect(sent).toHaveLength(4);
    for (const row of sent) {
      const users = await usersWithEmail(stack, row.email ?? '');
      expect(users.map((user) => user.userId)).toEqual([row.userId]);
      await page.getByRole('button', { name: `Copy userId of ${row.email ?? ''}` }).waitFor();
    }

    await page.getByRole('button', { name: 'Copy as TSV' }).click();
    await page.getByRole('button', { name: 'Copied as TSV' }).waitFor();
    expect(await readClipboard(page)).toBe(expectedTsv(finished));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download results CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`invite-results-${batchId}.csv`);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv).toBe(expectedResultsCsv(body.columns, finished));
    expect(csv).toContain(',failed,,');
    expect(csv).toContain(`,skipped,usr_${'d'.repeat(32)},Already has an account.\r\n`);

    // The failed row, corrected in place and sent again.
    const failed = finished.rows.find((row) => row.state === 'failed');
    const email = failed?.email ?? '';
    expect(failed?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByText(failed?.requestId ?? '', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Correct and retry ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Correct line ${failed?.line ?? 0} and send it again` });
    await dialog.waitFor();
    const lastName = dialog.getByRole('textbox', { name: 'Last name', exact: true });
    expect(await lastName.inputValue()).toBe(failed?.invite?.lastName);
    await lastName.fill('Corrected');
    await dialog.getByRole('button', { name: 'Send again' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => batchStateText(page).textContent(), { timeout: 10_000 })
      .toBe('Finished: 5 sent, 0 failed, 1 skipped.');
    const users = await usersWithEmail(stack, email);
    expect(users.map((user) => user.lastName)).toEqual(['Corrected']);

    // The recent batches list has it, marked as the one shown.
    const recent = page.getByRole('region', { name: 'Recent batches' });
    const shown = recent.getByRole('listitem').filter({ has: page.locator('a[aria-current="page"]') });
    const link = shown.getByRole('link');
    expect(await link.getAttribute('href')).toBe(`/invite-many/${batchId}`);
    expect(await link.textContent()).toMatch(/^6 rows, /);
    await expect
      .poll(async () => (await shown.textContent()) ?? '', { timeout: 5_000 })
      .toMatch(new RegExp(`By .+ \\(${TEST_OPERATOR.email}\\) · 5 sent · 0 failed · 1 skipped$`));
  });

  it('cancels a running batch: the rows not sent yet are not sent', async () => {
    await signedIn();
    // A second per row: the batch is still sending when Cancel is pressed, even on a busy machine.
    await stack.faults.add({ ...INVITE_PATH, latencyMs: 1000, times: 100 });
    const batchId = await createBatch(stack.client, batchBody(20));
    await goTo(`/invite-many/${batchId}`);
    await expect.poll(() => batchStateText(page).textContent(), { timeout: 10_000 }).toBe('Sending…');
    await page.getByRole('button', { name: 'Cancel the rest' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop sending the rest of this batch?' });
    await dialog.getByRole('button', { name: 'Stop sending' }).click();
    await expect
      .poll(() => batchStateText(page).textContent(), { timeout: 10_000 })
      .toMatch(/^Cancelled: \d+ sent, 0 failed, 1 skipped, \d+ not sent\.$/);
    expect(await page.getByRole('button', { name: 'Cancel the rest' }).count()).toBe(0);
    const batch = await waitForBatch(stack.client, batchId);
    expect(batch.counts.cancelled).toBeGreaterThan(0);
    expect(batch.counts.sent + batch.counts.cancelled).toBe(20);
    await expect
      .poll(() => batchStateText(page).textContent(), { timeout: 5_000 })
      .toBe(`Cancelled: ${batch.counts.sent} sent, 0 failed, 1 skipped, ${batch.counts.cancelled} not sent.`);
    for (const row of batch.rows.filter((each) => each.state === 'cancelled')) {
      expect(await usersWithEmail(stack, row.email ?? '')).toEqual([]);
    }
    const rowTexts = await page
      .getByRole('table', { name: 'Results by row' })
      .getByRole('row')
      .allInnerTexts();
    expect(rowTexts.filter((text) => text.includes('Not sent (cancelled)'))).toHaveLength(
      batch.counts.cancelled,
    );
  });
});

/** A finished batch with one failed row, one sent and one skipped. */
async function finishedBatch(): Promise<{ batchId: string; batch: BulkBatch }> {
  await stack.faults.add(REFUSE_ONE);
  const batchId = await createBatch(stack.client, batchBody(2));
  return { batchId, batch: await waitForBatch(stack.client, batchId) };
}

describe('keyboard only', () => {
  it('copies, opens the retry form, and closes it again without a mouse', async () => {
    const { batchId, batch } = await finishedBatch();
    await open(`/invite-many/${batchId}`);
    await batchStateText(page).filter({ hasText: 'Finished' }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Copy as TSV' }));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Copied as TSV' }).waitFor();
    expect(await readClipboard(page)).toBe(expectedTsv(batch));

    const failed = batch.rows.find((row) => row.state === 'failed');
    const retryName = `Correct and retry ${failed?.email ?? ''}`;
    await tabTo(page, page.getByRole('button', { name: retryName }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(
      await page
        .getByRole('button', { name: retryName })
        .evaluate((element) => element === document.activeElement),
    ).toBe(true);
  });
});

describe.each([
  { scheme: 'light', width: 1280 },
  { scheme: 'dark', width: 1280 },
  { scheme: 'light', width: 375 },
  { scheme: 'dark', width: 375 },
] as const)('in $scheme mode at $width px', ({ scheme, width }) => {
  it('has no axe violations, and nothing scrolls sideways: the batch, the retry form', async () => {
    const { batchId, batch } = await finishedBatch();
    await open(`/invite-many/${batchId}`, { colorScheme: scheme, viewport: { width, height: 900 } });
    await batchStateText(page).filter({ hasText: 'Finished' }).waitFor();
    await page.getByRole('region', { name: 'Recent batches' }).getByRole('listitem').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const widths = async () =>
      z
        .object({ scrollWidth: z.number(), clientWidth: z.number() })
        .parse(
          await page.evaluate(
            '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
          ),
        );
    const before = await widths();
    expect(before.scrollWidth).toBeLessThanOrEqual(before.clientWidth);

    const failed = batch.rows.find((row) => row.state === 'failed');
    await page.getByRole('button', { name: `Correct and retry ${failed?.email ?? ''}` }).click();
    await page.getByRole('dialog').waitFor();
    // Scanned once the dialog has faded in (axe would measure the contrast of a half-transparent dialog).
    await page.waitForFunction('document.getAnimations().length === 0');
    expect(await axeViolations(page)).toEqual([]);
    const inDialog = await widths();
    expect(inDialog.scrollWidth).toBeLessThanOrEqual(inDialog.clientWidth);
  });
});
