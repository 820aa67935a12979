// Reliability in the browser: an invite whose outcome was unknown is retried without inviting twice, a double-click
// sends one request, and a reload restores the unfinished invite and its Idempotency-Key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { RequestLogEntry, Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import {
  chooseRole,
  fillPerson,
  newPerson,
  openInvite,
  personFieldValues,
  roleField,
  studiesSwitch,
  submitButton,
  usersWithEmail,
} from './invite-page.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

const invitePosts = (log: RequestLogEntry[]) =>
  log.filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users');

useBrowserStack((started) => ({ stack, browser } = started), { upstreamTimeoutMs: 1_000 });
beforeEach(async () => {
  await stack.clearUpstreamRequests();
  context = await browser.newContext();
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
});
afterEach(async () => {
  await stack.faults.clear();
  await context.close();
  expect(problems.list()).toEqual([]);
});

describe('invite reliability (end to end)', () => {
  it('Avara created the user but the answer never came: Retry keeps every field and still invites once', async () => {
    problems.expectHttpErrors(504);
    await stack.faults.add({
      method: 'POST',
      path: '/v1/viewer/users',
      afterHandling: true,
      latencyMs: 2_500,
    });
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await chooseRole(page, 'Cardio');
    await studiesSwitch(page).check();
    await submitButton(page).click();

    const banner = page
      .getByRole('alert')
      .filter({ hasText: 'We could not confirm whether the invitation was sent.' });
    await banner.waitFor();
    expect(await personFieldValues(page)).toEqual(person);
    expect(await roleField(page).inputValue()).toBe('Cardiologist');
    expect(await studiesSwitch(page).isChecked()).toBe(true);

    // Avara finishes creating the person; then the operator retries.
    await expect
      .poll(async () => (await usersWithEmail(stack, person.email)).length, { timeout: 5_000 })
      .toBe(1);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();

    const [user] = await usersWithEmail(stack, person.email);
    expect(await page.getByTestId('invited-user-id').textContent()).toBe(user?.userId);
    expect(await usersWithEmail(stack, person.email)).toHaveLength(1);
    // One invite was sent to Avara: the retry looked the email up instead of sending it again.
    expect(invitePosts(await stack.upstreamRequests())).toHaveLength(1);
  });

  it('a double-click on "Send invitation" sends one request', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 400 });
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await chooseRole(page, 'Radio');
    await submitButton(page).dblclick();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    expect(invitePosts(await stack.upstreamRequests())).toHaveLength(1);
    expect(await usersWithEmail(stack, person.email)).toHaveLength(1);
  });

  it('a reload after a failure restores the form, and sending it again reuses its key', async () => {
    problems.expectHttpErrors(502);
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 503 });
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await chooseRole(page, 'Neuro');
    await submitButton(page).click();
    await page.getByRole('alert').filter({ hasText: 'Avara is not answering right now.' }).waitFor();

    await page.reload();
    await submitButton(page).waitFor({ state: 'visible' });
    expect(await personFieldValues(page)).toEqual(person);
    expect(await roleField(page).inputValue()).toBe('Neurologist');
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();

    const posts = invitePosts(await stack.upstreamRequests());
    expect(posts).toHaveLength(2);
    expect(posts[1]?.headers['idempotency-key']).toBe(posts[0]?.headers['idempotency-key']);
    expect(await usersWithEmail(stack, person.email)).toHaveLength(1);

    // Done: a further reload shows an empty form again.
    await page.getByRole('button', { name: /invite another/i }).click();
    await page.reload();
    await submitButton(page).waitFor({ state: 'visible' });
    expect((await personFieldValues(page)).email).toBe('');
  });
});
