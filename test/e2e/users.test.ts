// The Users screen in real Chromium, against the built app served by the BFF in sandbox mode: find someone just
// invited, filter through the address, copy ids (one, or rows as TSV), export CSV, edit, revoke and reactivate,
// with the mouse and with the keyboard alone.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PeoplePageSchema } from '../../src/contract/directory.ts';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { chooseRole, fillPerson, newPerson, submitButton, usersWithEmail } from './invite-page.ts';
import {
  invited,
  isFocused,
  openSignedIn,
  readClipboard,
  refreshDirectory,
  row,
  tabTo,
  userNow,
  usersTable,
} from './review-page.ts';
import type { Opened } from './review-page.ts';

let stack: Stack;
let browser: Browser;
let opened: Opened | undefined;
let page: Page;
let problems: PageProblems | undefined;

useBrowserStack((started) => ({ stack, browser } = started));
// The seeded clinic into the directory (people invited by the tests follow it at once, as every change made here does).
beforeAll(() => refreshDirectory(stack));

afterEach(async () => {
  await opened?.context.close();
  opened = undefined;
  const seen = problems?.list() ?? [];
  problems = undefined;
  expect(seen).toEqual([]);
});

async function open(path: string, expectedHttpErrors: number[] = []): Promise<void> {
  opened = await openSignedIn(browser, stack, path, {}, expectedHttpErrors);
  ({ page, problems } = opened);
}

const details = () => page.getByRole('dialog');

describe('Users screen (end to end)', () => {
  it('finds someone just invited at the top of Users', async () => {
    await open('/');
    const person = newPerson();
    await submitButton(page).waitFor();
    await fillPerson(page, person);
    await chooseRole(page, 'Cardio');
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await usersTable(page).waitFor();
    expect(await page.title()).toBe('Users · Viewer Admin');
    const first = usersTable(page).getByRole('row').nth(1);
    expect(await first.getByRole('link').first().textContent()).toBe(`Sarah M. ${person.lastName}, MD, FACR`);
    expect(await first.textContent()).toContain(person.email);
    expect(await first.getByText('Never signed in').isVisible()).toBe(true);
    expect(await first.getByText('Cardiologist').isVisible()).toBe(true);
  });

  it('filters by level through the address, and the filter shows in the form', async () => {
    await open('/users?level=admin&limit=50');
    await usersTable(page).waitFor();
    expect(await page.getByLabel('Level').inputValue()).toBe('admin');
    expect(await page.getByLabel('Rows per page').inputValue()).toBe('50');
    // The "Role and level" cell: the role, then the level.
    const levels = await usersTable(page)
      .getByRole('row')
      .locator('td:nth-child(4) span:last-child')
      .allTextContents();
    expect(levels.length).toBeGreaterThan(1);
    expect(new Set(levels)).toEqual(new Set(['Admin']));

    await page.getByLabel('Level').selectOption('owner');
    await page.waitForURL(/level=owner/);
    await usersTable(page)
      .getByRole('row', { name: /Okafor/ })
      .waitFor();
    expect(await usersTable(page).getByRole('row').count()).toBe(2);
    await page.goBack();
    await page.waitForURL(/level=admin/);
    expect(await page.getByLabel('Level').inputValue()).toBe('admin');
  });

  it('comes Back to the list where it was scrolled to, after leaving for another screen', async () => {
    await open('/users?limit=100');
    await usersTable(page).waitFor();
    const links = usersTable(page).getByRole('row').getByRole('link');
    const last = links.last();
    await last.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(300);
    await last.click();
    await details().getByRole('link', { name: 'See their invitations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBeLessThan(scrolled);
    await page.goBack();
    await details().waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  });

  it('copies a userId from a row: exactly the id, with a visible and announced confirmation', async () => {
    const user = await invited(stack, { lastName: 'Copyable' });
    await open(`/users?q=Copyable`);
    const target = row(page, user.email);
    await target.getByRole('button', { name: /^Copy userId of / }).click();
    // The announcement is for screen readers (visually hidden); the button says "Copied" for the eye.
    await target
      .getByRole('status')
      .filter({ hasText: 'Copied the userId of' })
      .waitFor({ state: 'attached' });
    // Its name keeps the word it shows (WCAG 2.5.3).
    expect(await target.getByRole('button', { name: /^Copied userId of / }).textContent()).toBe('Copied');
    expect(await readClipboard(page)).toBe(user.userId);
  });

  it('copies a userId with the keyboard alone', async () => {
    const user = await invited(stack, { lastName: 'Keyboardcopy' });
    await open(`/users?q=Keyboardcopy`);
    await usersTable(page).waitFor();
    // "Copy userId of …", then "Copied userId of …" once pressed.
    const button = row(page, user.email).getByRole('button', { name: /^Cop(y|ied) userId of / });
    await tabTo(page, button);
    await page.keyboard.press('Enter');
    await row(page, user.email)
      .getByRole('status')
      .filter({ hasText: 'Copied the userId' })
      .waitFor({ state: 'attached' });
    expect(await readClipboard(page)).toBe(user.userId);
    expect(await isFocused(button)).toBe(true);
  });

  it('copies two selected rows as email<TAB>userId lines', async () => {
    const a = await invited(stack, { lastName: 'Tsvfirst' });
    const b = await invited(stack, { lastName: 'Tsvsecond' });
    await open('/users?q=Tsv');
    await usersTable(page).waitFor();
    await row(page, b.email).getByRole('checkbox').check();
    await row(page, a.email).getByRole('checkbox').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Copy as TSV' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied 2 rows' }).waitFor();
    expect(await readClipboard(page)).toBe(`${b.email}\t${b.userId}\n${a.email}\t${a.userId}`);
  });

  it('exports the current filter as CSV, every page of it', async () => {
    await open('/users?level=member&limit=20');
    await usersTable(page).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.getByText(/^Exported \d+ users to users-/).waitFor();
    const csv = readFileSync((await download.path()) ?? '', 'utf8').replace(/^\uFEFF/, '');
    const [header, ...rows] = csv.split('\r\n').filter((line) => line !== '');
    expect(header?.split(',').slice(0, 3)).toEqual(['userId', 'email', 'firstName']);
    const answer = await stack.api('GET', '/api/directory/people?level=member&limit=100');
    const members = PeoplePageSchema.parse(answer.json()).people.map((p) => p.user);
    expect(rows.length).toBe(members.length);
    expect(rows.map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
      members.map((m) => `${m.userId},${m.email}`),
    );
    expect(rows.every((line) => line.split(',')[9] === 'member')).toBe(true);
  });

  it('edits a user’s role from their details: only the role is sent', async () => {
    const user = await invited(stack, { lastName: 'Roleedit', clinicRole: 'Radiologist' });
    await open(`/users?q=Roleedit`);
    await row(page, user.email).getByRole('link').first().click();
    await details()
      .getByRole('heading', { name: `Sarah ${user.lastName}` })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe(`/users/${user.userId}`);
    await details().getByRole('button', { name: 'Edit', exact: true }).click();
    const role = details().getByRole('combobox', { name: 'Clinic role' });
    await role.click();
    await role.fill('');
    await page.keyboard.type('IT Admin');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('Enter');
    await stack.clearUpstreamRequests();
    await details().getByRole('button', { name: 'Save changes' }).click();
    await details().getByText('Changes saved.').waitFor();
    const patches = (await stack.upstreamRequests()).filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.body)).toEqual([{ clinicRole: 'IT Administrator' }]);
    expect((await userNow(stack, user.userId)).clinicRole).toBe('IT Administrator');
    expect(await details().getByText('IT Administrator', { exact: true }).isVisible()).toBe(true);

    await details().getByRole('button', { name: 'Close details' }).click();
    await usersTable(page).waitFor();
    await row(page, user.email).getByText('IT Administrator').waitFor();
  });

  it('shows a seeded role Avara no longer offers, and edits that person without changing it', async () => {
    const [priya] = await usersWithEmail(stack, 'priya.natarajan@northside-imaging.example');
    if (!priya) throw new Error('The sandbox did not seed Priya Natarajan.');
    expect(priya.clinicRole).toBe('PACS Administrator');
    await open('/users?q=Natarajan');
    await row(page, priya.email).getByText('PACS Administrator').waitFor();
    await row(page, priya.email).getByRole('link').first().click();
    await details().getByRole('heading', { name: 'Priya Natarajan' }).waitFor();
    expect(
      await details()
        .getByText(/^PACS Administrator/)
        .isVisible(),
    ).toBe(true);
    await details().getByRole('button', { name: 'Edit', exact: true }).click();
    const role = details().getByRole('combobox', { name: 'Clinic role' });
    expect(await role.inputValue()).toBe('PACS Administrator');
    await details().getByRole('textbox', { name: 'Middle name (optional)' }).fill('Devi');
    await stack.clearUpstreamRequests();
    await details().getByRole('button', { name: 'Save changes' }).click();
    await details().getByText('Changes saved.').waitFor();
    const patches = (await stack.upstreamRequests()).filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.body)).toEqual([{ middleName: 'Devi' }]);
    expect(await userNow(stack, priya.userId)).toMatchObject({
      middleName: 'Devi',
      clinicRole: 'PACS Administrator',
    });
  });

  it('shows seeded people whose times Avara did not record, in the list, the details and their invitation', async () => {
    const [rosa] = await usersWithEmail(stack, 'rosa.delgado@northside-imaging.example');
    const [ingrid] = await usersWithEmail(stack, 'ingrid.holm@northside-imaging.example');
    if (!rosa || !ingrid) throw new Error('The sandbox did not seed Rosa Delgado and Ingrid Holm.');
    expect([rosa.createdAt, ingrid.createdAt, ingrid.lastLoginAt]).toEqual([null, null, null]);
    await open('/users?q=Delgado');
    await row(page, rosa.email).getByText('Not recorded').waitFor();
    await row(page, rosa.email).getByRole('link').first().click();
    await details().getByRole('heading', { name: 'Rosa Delgado' }).waitFor();
    await details().getByText('Does not expire').waitFor();
    const values = await details()
      .getByRole('term')
      .evaluateAll((terms) => terms.map((term) => [term.textContent, term.nextElementSibling?.textContent]));
    expect(Object.fromEntries(values)).toMatchObject({
      Created: 'Not recorded',
      'Sent on': 'Not recorded',
      Expiry: 'Does not expire',
      State: 'Accepted',
    });
    expect(Object.fromEntries(values)['Last sign-in']).not.toBe('Never signed in');

    await page.goto(`${stack.bffUrl}/invitations?userId=${ingrid.userId}`);
    const invitation = row(page, ingrid.email);
    await invitation.getByText('Does not expire').waitFor();
    expect(await invitation.getByText('Not recorded', { exact: true }).count()).toBe(1);
  });

  it('shows the request id to quote when Avara refuses an edit', async () => {
    const user = await invited(stack, { lastName: 'Refused' });
    await stack.faults.add({
      path: `/v1/viewer/users/${user.userId}`,
      method: 'PATCH',
      status: 400,
      body: '{"message":"The clinic is being migrated; try again later."}',
    });
    try {
      await open(`/users/${user.userId}`, [400]);
      await details().getByRole('button', { name: 'Edit', exact: true }).click();
      await details().getByRole('textbox', { name: 'Suffix 2 (optional)' }).fill('PhD');
      const answered = page.waitForResponse(
        (r) => r.url().endsWith(`/api/users/${user.userId}`) && r.request().method() === 'PATCH',
      );
      await details().getByRole('button', { name: 'Save changes' }).click();
      const requestId = (await answered).headers()['x-request-id'] ?? '';
      expect(requestId).toMatch(/\S/);
      const alert = details().getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(`Request id to quote if you ask for help: ${requestId}`);
    } finally {
      await stack.faults.clear();
    }
  });

  it('revokes access then reactivates, each after a confirmation naming the person', async () => {
    const user = await invited(stack, { lastName: 'Revokeme' });
    await open(`/users/${user.userId}`);
    await details()
      .getByRole('heading', { name: `Sarah ${user.lastName}` })
      .waitFor();
    await stack.clearUpstreamRequests();

    await details().getByRole('button', { name: 'Revoke access' }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke access for Sarah ${user.lastName}?` });
    expect(await confirm.textContent()).toContain('will no longer be able to sign in to the Avara Viewer');
    await confirm.getByRole('button', { name: 'Revoke access' }).click();
    await page.getByText(/^Access revoked\./).waitFor();

    await details().getByRole('button', { name: 'Reactivate' }).click();
    const again = page.getByRole('dialog', { name: `Reactivate Sarah ${user.lastName}?` });
    await again.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByText('Access restored.').waitFor();
    expect((await stack.upstreamRequests()).filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/v1/viewer/users/revoke-access',
      '/v1/viewer/users/reactivate',
    ]);
  });

  it('revokes access then reactivates with the keyboard alone', async () => {
    const user = await invited(stack, { lastName: 'Keyrevoke' });
    await open('/users?q=Keyrevoke');
    await usersTable(page).waitFor();
    const link = row(page, user.email).getByRole('link').first();
    await tabTo(page, link);
    await page.keyboard.press('Enter');
    await details()
      .getByRole('heading', { name: `Sarah ${user.lastName}` })
      .waitFor();

    const revoke = details().getByRole('button', { name: 'Revoke access' });
    await tabTo(page, revoke);
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: /^Revoke access for/ });
    await confirm.waitFor();
    // Focus starts on Cancel, so a habitual Enter never confirms.
    await expect.poll(() => isFocused(confirm.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(confirm.getByRole('button', { name: 'Revoke access' }))).toBe(true);
    await page.keyboard.press('Enter');
    const notice = page.getByText(/^Access revoked\./);
    await notice.waitFor();

    const reactivate = details().getByRole('button', { name: 'Reactivate' });
    await tabTo(page, reactivate);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /^Reactivate/ }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Access restored.').waitFor();

    // Escape closes the details, back to the list where they were opened.
    await page.getByRole('dialog', { name: /^Reactivate/ }).waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/users', { waitUntil: 'commit' });
    expect(new URL(page.url()).search).toBe('?q=Keyrevoke');
  });

  it('says so when the user no longer exists', async () => {
    await open(`/users/usr_${'0'.repeat(32)}`, [404]);
    await page.getByRole('dialog', { name: 'This user no longer exists' }).waitFor();
  });
});
