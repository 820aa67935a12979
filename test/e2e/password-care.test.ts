// Password care in real Chromium: change your own password from the account menu, an administrator's reset with a
// one-time password that must be replaced at sign-in, and the message a disabled operator sees.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AddOperatorResultSchema } from '../../src/contract/operators.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR, signIn as signInApi } from '../support/session.ts';
import { signIn } from '../support/sign-in.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { axeViolations } from './axe.ts';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const watched: PageProblems[] = [];

useBrowserStack((started) => ({ stack, browser } = started), { seed: false });

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  for (const problems of watched.splice(0)) expect(problems.list()).toEqual([]);
});

/** A new browser window at a path; signed out, GET /api/session answers 401 (expected). */
async function openPage(path: string, signedInAs?: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  if (signedInAs) await signInBrowser(context, stack.bffUrl, signedInAs);
  const page = await context.newPage();
  const problems = watchPage(page);
  problems.expectHttpErrors(401);
  watched.push(problems);
  await page.goto(`${stack.bffUrl}${path}`);
  return page;
}

/** Add an operator through the API, with their own password already chosen. */
async function newOperator(email: string, displayName: string) {
  // An Administrator: the test walks to the Operators screen.
  const added = await stack.client.post('/api/operators', { email, displayName, role: 'administrator' });
  expect(added.status, added.text).toBe(201);
  const { operator, initialPassword } = AddOperatorResultSchema.parse(added.json());
  const first = await signInApi(stack.bffUrl, { email, password: initialPassword });
  const password = `${displayName} chose this password`;
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: password,
  });
  expect(changed.status, changed.text).toBe(200);
  return { id: operator.id, email, password };
}

describe('password care', () => {
  it('changes your own password from the account menu; the new one signs in, the old one does not', async () => {
    const me = await newOperator('walter.skinner@clinic.test', 'Walter Skinner');
    const elsewhere = await openPage('/users', { email: me.email, password: me.password });
    await elsewhere.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const page = await openPage('/invitations');
    await signIn(page, { email: me.email, password: me.password });
    const bar = page.getByRole('banner');
    await bar.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    await dialog.getByLabel('Current password').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByLabel('Current password').fill(me.password);
    const chosen = 'walter has a brand new password';
    await dialog.getByLabel(/^New password(?! again)/).fill(chosen);
    await dialog.getByLabel('New password again').fill(chosen);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: 'Password changed. Other sessions were signed out.' })
      .waitFor();
    const done = dialog.getByRole('button', { name: 'Done' });
    expect(await done.evaluate((element) => element === document.activeElement)).toBe(true);
    await done.click();
    await dialog.waitFor({ state: 'detached' });

    // The other browser is signed out; this one carries on. Sign out, then only the new password works.
    await elsewhere.reload();
    await elsewhere.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Operators' }).click();
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();
    await bar.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Email' }).fill(me.email);
    await page.getByLabel('Password').fill(me.password);
    watched.at(-1)?.expectHttpErrors(401);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is not right.' }).waitFor();
    await signIn(page, { email: me.email, password: chosen });
    await page.getByRole('banner').getByText('Walter Skinner').waitFor();
  });

  it('an administrator resets another’s password; they sign in with the one-time password and choose a new one', async () => {
    const other = await newOperator('monica.reyes@clinic.test', 'Monica Reyes');
    const admin = await openPage('/operators', TEST_OPERATOR);
    const row = admin.getByRole('listitem').filter({ hasText: other.email });
    await row.getByRole('button', { name: 'Reset password for Monica Reyes' }).click();
    const confirm = admin.getByRole('dialog', { name: 'Reset the password of Monica Reyes?' });
    await confirm.getByRole('button', { name: 'Reset password' }).click();
    const shown = admin.getByRole('dialog', { name: 'New one-time password for Monica Reyes' });
    const oneTime =
      (await shown
        .locator('p')
        .filter({ hasText: /^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5}$/ })
        .textContent()) ?? '';
    expect(oneTime).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5}$/);
    await shown.getByRole('button', { name: 'Copy one-time password' }).waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    await shown.getByRole('button', { name: 'Done' }).click();
    await row.getByText('Has not chosen a password yet').waitFor();

    const theirs = await openPage('/');
    await signIn(theirs, { email: other.email, password: oneTime });
    await theirs.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    const chosen = 'monica picked her own again';
    await theirs.getByLabel('Current password').fill(oneTime);
    await theirs.getByLabel(/^New password(?! again)/).fill(chosen);
    await theirs.getByLabel('New password again').fill(chosen);
    await theirs.getByRole('button', { name: 'Save the new password' }).click();
    await theirs.getByRole('banner').getByText('Monica Reyes').waitFor();
    expect(
      (await signInApi(stack.bffUrl, { email: other.email, password: chosen })).session.mustChangePassword,
    ).toBe(false);
  });

  it('a disabled operator who gives the right password is told the account is disabled', async () => {
    const other = await newOperator('alex.krycek@clinic.test', 'Alex Krycek');
    expect((await stack.client.post(`/api/operators/${other.id}/disable`, {})).status).toBe(200);
    const page = await openPage('/');
    watched.at(-1)?.expectHttpErrors(403);
    await page.getByRole('textbox', { name: 'Email' }).fill(other.email);
    await page.getByLabel('Password').fill(other.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'This account is disabled; ask an administrator.' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in', level: 1 }).isVisible()).toBe(true);
  });
});
