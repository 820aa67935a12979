// Invite many in real Chromium, against the built app served by the BFF in sandbox mode: cells pasted from a
// spreadsheet, checked (nothing sent), one row fixed in place, the ready rows handed to the BFF as a batch; keyboard
// only; and axe-clean in light and dark at 1280 and 375 px.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { BulkBatchSchema } from '../../src/contract/bulk.ts';
import { UserPageSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { batchStateText, expectedResultsCsv, expectedTsv } from './bulk-page.ts';
import { readClipboard, tabTo, usersWithEmail } from './invite-page.ts';
import { axeViolations } from './axe.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  await stack.faults.clear();
  await context?.close();
  context = undefined;
  expect(problems.list()).toEqual([]);
});

async function open(options: BrowserContextOptions = {}): Promise<void> {
  context = await browser.newContext({ bypassCSP: true, ...options });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.bffUrl });
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
  await page.goto(`${stack.bffUrl}/invite-many`);
  await pasteBox().waitFor();
}

const pasteBox = () => page.getByRole('textbox', { name: /Cells copied from Excel/ });
const summary = () => page.getByTestId('bulk-summary');
const editButton = (line: number) => page.getByRole('button', { name: `Edit line ${line}`, exact: true });
const rowText = async (line: number) =>
  (await editButton(line).locator('xpath=ancestor::tr').innerText()).replace(/\s+/g, ' ');

/** Two people the sandbox seeded who have signed in (users, not pending invitations), found before any test sends. */
let seeded: User[] | undefined;
async function seededUsers(): Promise<User[]> {
  if (seeded !== undefined) return seeded;
  const answer = await stack.api('GET', '/api/users?limit=100');
  const users = UserPageSchema.parse(answer.json()).users.filter((user) => user.lastLoginAt !== null);
  if (users.length < 2) throw new Error('The sandbox seeded fewer than two people who signed in.');
  seeded = users.slice(0, 2);
  return seeded;
}

const HEADER = [
  'First name',
  'Last name',
  'E-mail',
  'Role',
  'Admin?',
  'Dashboard',
  'Manage studies',
  'Phone',
];
const ROLES = ['Registered Nurse', 'Doctor', 'radiologist', 'Imaging Technologist'];
let round = 0;

/**
 * 30 rows as a spreadsheet copies them (tab-separated, CRLF): 24 new people (lines 2-25), 3 invalid (26: no last
 * name, 27: not an e-mail address, 28: an admin without dashboard access), 2 existing users (29, 30), and line 2
 * again (31).
 */
async function thirtyRows(): Promise<{
  tsv: string;
  existing: User[];
  emails: string[];
  noLastName: string;
}> {
  round += 1;
  const stamp = `${Date.now()}.${round}`;
  const existing = await seededUsers();
  const people = Array.from({ length: 24 }, (_, index) => [
    `Pat${index}`,
    'Tester',
    `bulk.${stamp}.${index}@clinic.example`,
    ROLES[index % ROLES.length] ?? 'Doctor',
    'no',
    'yes',
    'x',
    '',
  ]);
  const rows = [
    ...people,
    ['Nobody', '', `bulk.${stamp}.nolast@clinic.example`, 'Doctor', 'no', 'no', 'no', ''],
    ['Bad', 'Mail', 'not-an-email', 'Doctor', 'no', 'no', 'no', ''],
    ['Ada', 'Admin', `bulk.${stamp}.admin@clinic.example`, 'Doctor', 'yes', 'no', 'no', ''],
    ...existing.map((user) => [user.firstName, user.lastName, user.email, 'Doctor', 'no', 'no', 'no', '']),
    people[0] ?? [],
  ];
  const tsv = [HEADER, ...rows].map((cells) => cells.join('\t')).join('\r\n');
  return {
    tsv,
    existing,
    emails: people.map((person) => person[2] ?? ''),
    noLastName: `bulk.${stamp}.nolast@clinic.example`,
  };
}

/** Put the cells on the clipboard and paste them into the box, as from a spreadsheet. */
async function paste(tsv: string): Promise<void> {
  await page.evaluate(async (text) => navigator.clipboard.writeText(text), tsv);
  await pasteBox().focus();
  await page.keyboard.press('Control+V');
  await expect.poll(() => pasteBox().inputValue()).toBe(tsv.replace(/\r\n/g, '\n'));
}

describe('invite many (end to end)', () => {
  it('pastes 30 rows, shows each state, fixes one in place, sends the ready rows, follows them, and gives the results back as TSV and CSV', async () => {
    await open();
    const { tsv, existing, emails, noLastName } = await thirtyRows();
    await paste(tsv);
    await page.getByRole('button', { name: 'Check the pasted cells' }).click();

    await expect
      .poll(() => summary().innerText(), { timeout: 15_000 })
      .toBe('24 ready · 3 need a fix · 3 will be skipped');
    expect(await rowText(2)).toContain('Ready');
    const send = page.getByRole('button', { name: /^Send \d+ invitations?$/ });
    expect(await send.isDisabled()).toBe(true);

    // The rows that need a fix, then those that will be skipped (each with why).
    const show = page.getByRole('combobox', { name: 'Show' });
    await show.selectOption('fix');
    expect(await page.getByRole('button', { name: /^Edit line/ }).count()).toBe(3);
    expect(await rowText(26)).toContain('Last name: Enter a last name.');
    expect(await rowText(27)).toContain('Email: Enter a valid email address, like name@clinic.org.');
    expect(await rowText(28)).toContain('Admins need dashboard access');
    await show.selectOption('skip');
    expect(await page.getByRole('button', { name: /^Edit line/ }).count()).toBe(3);
    for (const [index, user] of existing.entries()) {
      const text = await rowText(29 + index);
      expect(text).toContain(`Already a user: ${user.firstName} ${user.lastName}.`);
      expect(text).toContain(user.userId);
    }
    expect(await rowText(31)).toContain('The same e-mail address is on line 2: only that row is invited.');

    // Line 26 fixed in place.
    await show.selectOption('fix');
    await editButton(26).click();
    const editor = page.getByRole('form', { name: 'Edit line 26' });
    await editor.getByRole('textbox', { name: 'Last name', exact: true }).fill('Fixed');
    await editor.getByRole('button', { name: 'Save and check line 26' }).click();
    await expect
      .poll(() => summary().innerText(), { timeout: 15_000 })
      .toBe('25 ready · 2 need a fix · 3 will be skipped');

    await page.getByRole('checkbox', { name: /Send the ready rows only/ }).check();
    await page.getByRole('button', { name: 'Send 25 invitations' }).click();
    await page.waitForURL(/\/invite-many\/bat_[0-9a-f]{32}$/);
    const batchId = new URL(page.url()).pathname.split('/').at(-1) ?? '';

    const answer = await stack.api('GET', `/api/bulk-invites/${batchId}`);
    const batch = BulkBatchSchema.parse(answer.json());
    expect(batch.total).toBe(30);
    expect(batch.columns).toEqual(HEADER);
    expect(batch.rows.filter((row) => row.state === 'skipped').map((row) => [row.line, row.userId])).toEqual([
      [27, null],
      [28, null],
      [29, existing[0]?.userId],
      [30, existing[1]?.userId],
      [31, null],
    ]);
    const invited = batch.rows.filter((row) => row.state !== 'skipped');
    expect(invited.map((row) => row.email).sort()).toEqual([...emails, noLastName].sort());

    // The batch screen follows the sending to its end; each person invited once; the userIds come back as TSV and
    // the results as CSV, exactly.
    await expect
      .poll(() => batchStateText(page).textContent(), { timeout: 30_000 })
      .toBe('Finished: 25 sent, 0 failed, 5 skipped.');
    const finished = BulkBatchSchema.parse((await stack.api('GET', `/api/bulk-invites/${batchId}`)).json());
    const sent = finished.rows.filter((row) => row.state === 'sent');
    expect(sent.map((row) => row.email).sort()).toEqual([...emails, noLastName].sort());
    for (const row of sent)
      expect((await usersWithEmail(stack, row.email ?? '')).map((user) => user.userId)).toEqual([row.userId]);

    await page.getByRole('button', { name: 'Copy as TSV' }).click();
    await page.getByRole('button', { name: 'Copied as TSV' }).waitFor();
    const tsvBack = await readClipboard(page);
    expect(tsvBack).toBe(expectedTsv(finished));
    expect(tsvBack.split('\n')[0]).toBe(`${emails[0] ?? ''}\t${sent[0]?.userId ?? ''}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download results CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`invite-results-${batchId}.csv`);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv).toBe(expectedResultsCsv(HEADER, finished));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(`\uFEFF${HEADER.join(',')},status,userId,message`);
    expect(lines[1]).toBe(
      `Pat0,Tester,${emails[0] ?? ''},Registered Nurse,no,yes,x,,sent,${sent[0]?.userId ?? ''},`,
    );
    expect(lines[28]).toMatch(new RegExp(`,skipped,${existing[0]?.userId ?? ''},[^,]+$`));
  });

  it('works with the keyboard alone: paste, check, fix a row, send', async () => {
    await open();
    const { tsv } = await thirtyRows();
    await page.evaluate(async (text) => navigator.clipboard.writeText(text), tsv);
    await page.locator('body').focus();
    await tabTo(page, pasteBox());
    await page.keyboard.press('Control+V');
    await tabTo(page, page.getByRole('button', { name: 'Check the pasted cells' }));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => summary().innerText(), { timeout: 15_000 })
      .toBe('24 ready · 3 need a fix · 3 will be skipped');

    // The filter, then the first row that needs a fix: Edit puts the cursor in the cell to fix.
    await tabTo(page, page.getByRole('combobox', { name: 'Show' }), 120);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, editButton(26));
    await page.keyboard.press('Enter');
    const lastName = page
      .getByRole('form', { name: 'Edit line 26' })
      .getByRole('textbox', { name: 'Last name', exact: true });
    await expect.poll(() => lastName.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type('Keys');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => summary().innerText(), { timeout: 15_000 })
      .toBe('25 ready · 2 need a fix · 3 will be skipped');
    await expect
      .poll(() => editButton(26).evaluate((element) => element === document.activeElement))
      .toBe(true);

    await tabTo(page, page.getByRole('checkbox', { name: /Send the ready rows only/ }));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Send 25 invitations' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/invite-many\/bat_[0-9a-f]{32}$/);
  });
});

describe('invite many with 1,000 rows', () => {
  it('a 1,000-row .csv file, checked and sent through storms of 429s, completes: the table keeps only the rows in view, each person is invited once', async () => {
    await open();
    problems.expectHttpErrors(429);
    const stamp = `${Date.now()}.big`;
    const emails = Array.from({ length: 1000 }, (_, index) => `many.${stamp}.${index}@clinic.example`);
    const file = [
      'First name,Last name,Email,Role',
      ...emails.map((email, index) => `Pat${index},Many,${email},Doctor`),
    ].join('\r\n');
    // Avara says "too many requests" to the look-ups of the check and to the invites: both wait and carry on.
    await stack.faults.add([
      { method: 'GET', path: '/v1/viewer/users', status: 429, retryAfter: '1', times: 6 },
      { method: 'POST', path: '/v1/viewer/users', status: 429, retryAfter: '2', times: 40 },
    ]);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose a .csv file' }).click(),
    ]);
    await chooser.setFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(file, 'utf8') });
    await expect
      .poll(() => summary().innerText(), { timeout: 60_000 })
      .toBe('1,000 ready · 0 need a fix · 0 will be skipped');
    const region = page.getByRole('region', { name: 'Rows of the sheet' });
    expect(await region.locator('tbody tr').count()).toBeLessThan(60);
    await region.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await editButton(1001).waitFor();
    expect(await rowText(1001)).toContain(emails[999]);
    expect(await region.locator('tbody tr').count()).toBeLessThan(60);

    // The check is done: from here the sandbox's log holds the sending alone.
    await stack.clearUpstreamRequests();
    await page.getByRole('button', { name: 'Send 1,000 invitations' }).click();
    await page.waitForURL(/\/invite-many\/bat_[0-9a-f]{32}$/);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const text = (await batchStateText(page).textContent()) ?? '';
          seen.add(text.split(':')[0] ?? '');
          return text;
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe('Finished: 1000 sent, 0 failed, 0 skipped.');
    // Avara's 429s paused the batch on the way.
    expect(seen).toContain('Paused');
    // 40 invites refused at the door with 429 (nothing read), then each address invited exactly once.
    const invites = (await stack.upstreamRequests()).filter(
      (entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users',
    );
    expect(invites.filter((entry) => entry.body === null)).toHaveLength(40);
    const posts = invites
      .filter((entry) => entry.body !== null)
      .map((entry) => z.object({ email: z.string() }).parse(entry.body).email);
    expect(posts.sort()).toEqual([...emails].sort());
    const batchId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const batch = BulkBatchSchema.parse((await stack.api('GET', `/api/bulk-invites/${batchId}`)).json());
    expect(batch.counts.sent).toBe(1000);
    expect(new Set(batch.rows.map((row) => row.userId)).size).toBe(1000);
  }, 240_000);
});

/** axe-core (WCAG 2.0/2.1 A and AA plus best practices) on the page: readable violations. */

async function noSidewaysScroll(): Promise<void> {
  const widths = z
    .object({ scrollWidth: z.number(), clientWidth: z.number() })
    .parse(
      await page.evaluate(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      ),
    );
  expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
}

describe.each([
  ['light', 1280],
  ['dark', 1280],
  ['light', 375],
  ['dark', 375],
] as const)('invite many in %s mode at %i px', (scheme, width) => {
  it('has no axe violations and nothing scrolls sideways: empty, a refused paste, the review with a role to confirm, the skipped rows, a row being edited', async () => {
    await open({ colorScheme: scheme, viewport: { width, height: 900 } });
    expect(await axeViolations(page)).toEqual([]);
    await noSidewaysScroll();

    await pasteBox().fill('Department\tStart date\nX-ray\t2024');
    await page.getByRole('button', { name: 'Check the pasted cells' }).click();
    await page.getByRole('alert').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The 30 rows and one more whose role needs confirming ("RN").
    const { tsv } = await thirtyRows();
    await pasteBox().fill(`${tsv}\r\nRita\tNurse\trn.${Date.now()}@clinic.example\tRN\tno\tno\tno\t`);
    await page.getByRole('button', { name: 'Check the pasted cells' }).click();
    await expect
      .poll(() => summary().innerText(), { timeout: 15_000 })
      .toBe('24 ready · 4 need a fix · 3 will be skipped');
    await page.getByRole('combobox', { name: 'Did you mean (for “RN”)' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await noSidewaysScroll();

    // The skipped rows, with the existing users' userIds and their Copy buttons.
    await page.getByRole('combobox', { name: 'Show' }).selectOption('skip');
    await page
      .getByRole('button', { name: /^Copy userId of / })
      .first()
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await noSidewaysScroll();

    await page.getByRole('combobox', { name: 'Show' }).selectOption('problems');
    await editButton(27).click();
    expect(await axeViolations(page)).toEqual([]);
    await noSidewaysScroll();
  });
});
