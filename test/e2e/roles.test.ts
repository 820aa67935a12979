// Operator roles in real Chromium: a Viewer is offered reviewing only, and an address beyond the role names the role it
// needs; an Inviter invites; an Administrator changes a role on the Operators screen, and the last Administrator stays.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AddOperatorResultSchema } from '../../src/contract/operators.ts';
import type { OperatorRole } from '../../src/contract/session.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR, signIn as signInApi } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { chooseRole, fillPerson, newPerson, submitButton } from './invite-page.ts';
import { invited, row, usersTable } from './review-page.ts';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const watched: PageProblems[] = [];

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  for (const problems of watched.splice(0)) expect(problems.list()).toEqual([]);
});

let counter = 0;

/** An operator of `role` with their own password already chosen (added by the test's Administrator). */
async function operatorWith(role: OperatorRole) {
  counter += 1;
  const email = `${role}.${counter}@clinic.test`;
  const displayName = `${role[0]?.toUpperCase()}${role.slice(1)} ${counter}`;
  const added = await stack.client.post('/api/operators', { email, displayName, role });
  expect(added.status, added.text).toBe(201);
  const { operator, initialPassword } = AddOperatorResultSchema.parse(added.json());
  const first = await signInApi(stack.bffUrl, { email, password: initialPassword });
  const password = `${displayName} picked this password`;
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: password,
  });
  expect(changed.status, changed.text).toBe(200);
  return { id: operator.id, displayName, credentials: { email, password } };
}

async function openAs(
  credentials: { email: string; password: string },
  path: string,
  /** HTTP error statuses the test provokes on purpose (Chromium logs each as a console error). */
  expectedHttpErrors: number[] = [],
): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  await signInBrowser(context, stack.bffUrl, credentials);
  const page = await context.newPage();
  const problems = watchPage(page);
  problems.expectHttpErrors(...expectedHttpErrors);
  watched.push(problems);
  await page.goto(`${stack.bffUrl}${path}`);
  return page;
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const navLinks = (page: Page) => nav(page).getByRole('link').allTextContents();

describe('Operator roles (end to end)', () => {
  it('a Viewer reviews only: Users is home, no invite or admin entries or actions, /invite and /activity name the role needed', async () => {
    const someone = await invited(stack, { lastName: 'Viewed' });
    const viewer = await operatorWith('viewer');
    const page = await openAs(viewer.credentials, '/');
    await page.waitForURL(`${stack.bffUrl}/users`);
    await usersTable(page).waitFor();
    expect(await navLinks(page)).toEqual(['Users', 'Invitations']);

    await row(page, someone.email).getByRole('link').first().click();
    const details = page.getByRole('dialog');
    await details.getByRole('heading', { name: /Viewed/ }).waitFor();
    for (const action of ['Edit', 'Revoke access', 'More actions']) {
      expect(await details.getByRole('button', { name: action, exact: true }).count()).toBe(0);
    }
    expect(await details.getByRole('button', { name: /^Copy userId/ }).count()).toBe(1);

    await page.goto(`${stack.bffUrl}/invite`);
    await page.getByRole('heading', { name: 'Not part of your role', level: 1 }).waitFor();
    await page.getByText('This needs the Inviter role; ask an administrator.').waitFor();
    await page.getByText('You are signed in as Viewer.').waitFor();
    expect(await submitButton(page).count()).toBe(0);

    await page.goto(`${stack.bffUrl}/activity`);
    await page.getByText('This needs the Administrator role; ask an administrator.').waitFor();
  });

  it('an Inviter invites someone, and is offered no admin entries', async () => {
    const inviter = await operatorWith('inviter');
    const page = await openAs(inviter.credentials, '/');
    await submitButton(page).waitFor();
    expect(await navLinks(page)).toEqual(['Invite', 'Invite many', 'Users', 'Invitations']);
    const person = newPerson();
    await fillPerson(page, person);
    await chooseRole(page, 'Radio');
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
  });

  it('an Administrator changes a role after confirming; the last Administrator cannot step down', async () => {
    const later = await operatorWith('viewer');
    // The last Administrator's step down is refused with 409.
    const page = await openAs(TEST_OPERATOR, '/operators', [409]);
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();

    await page.getByRole('combobox', { name: `Role of ${later.displayName}` }).selectOption('inviter');
    const confirm = page.getByRole('dialog', { name: `Make ${later.displayName} Inviter?` });
    await confirm.getByRole('button', { name: 'Change role' }).click();
    await confirm.waitFor({ state: 'detached' });
    const session = await signInApi(stack.bffUrl, later.credentials);
    expect(session.session.operator.role).toBe('inviter');

    const myName = stack.client.session.operator.displayName;
    await page.getByRole('combobox', { name: `Role of ${myName}` }).selectOption('viewer');
    const stepDown = page.getByRole('dialog', { name: `Make ${myName} Viewer?` });
    await stepDown.getByRole('button', { name: 'Change role' }).click();
    await stepDown.getByText(/Viewer Admin needs at least one active Administrator/).waitFor();
    await stepDown.getByRole('button', { name: 'Cancel' }).click();
    expect((await signInApi(stack.bffUrl, TEST_OPERATOR)).session.operator.role).toBe('administrator');

    await page.goto(`${stack.bffUrl}/activity`);
    await page
      .getByText(/Operator role: Viewer → Inviter/)
      .first()
      .waitFor();
  });
});
