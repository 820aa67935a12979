// The invite journeys in real Chromium, against the built app served by the BFF in sandbox mode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { USER_ID_PATTERN } from '../../src/contract/ids.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import {
  aSeededUser,
  chooseRole,
  dashboardSwitch,
  field,
  fillPerson,
  newPerson,
  openInvite,
  personFieldValues,
  readClipboard,
  roleField,
  studiesSwitch,
  submitButton,
  tabTo,
  usersWithEmail,
} from './invite-page.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started));

beforeEach(async () => {
  context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.bffUrl });
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
});

afterEach(async () => {
  await stack.faults.clear();
  await context.close();
  expect(problems.list()).toEqual([]);
});

describe('invite screen (end to end)', () => {
  it('invites a colleague with every field and leaves with their userId on the clipboard', async () => {
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await page.getByText('Mode: Sandbox', { exact: true }).waitFor();
    expect(await page.title()).toBe('Invite a colleague · Viewer Admin');

    await fillPerson(page, person);
    expect(await page.getByTestId('name-preview').textContent()).toContain(
      `Sarah M. ${person.lastName}, MD, FACR`,
    );
    expect(await page.getByText('Will be stored as 5551234567 (10 digits).').isVisible()).toBe(true);
    await chooseRole(page, 'Radio');
    expect(await roleField(page).inputValue()).toBe('Radiologist');
    await page.getByRole('button', { name: /^Member / }).click();
    await dashboardSwitch(page).check();
    await studiesSwitch(page).check();
    await submitButton(page).click();

    const heading = page.getByRole('heading', {
      name: `Invitation sent to Sarah M. ${person.lastName}, MD, FACR`,
    });
    await heading.waitFor();
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(true);
    const userId = (await page.getByTestId('invited-user-id').textContent()) ?? '';
    expect(userId).toMatch(USER_ID_PATTERN);

    await page.getByRole('button', { name: 'Copy userId' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await readClipboard(page)).toBe(userId);

    const [stored, ...others] = await usersWithEmail(stack, person.email);
    expect(others).toEqual([]);
    expect(stored).toMatchObject({
      userId,
      email: person.email,
      firstName: 'Sarah',
      middleName: 'Marie',
      lastName: person.lastName,
      suffix1: 'MD',
      suffix2: 'FACR',
      phoneNumber: '5551234567',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: true,
    });

    const link = page.getByRole('link', { name: `See Sarah M. ${person.lastName}, MD, FACR in Users` });
    expect(await link.getAttribute('href')).toBe(`/users/${userId}`);
  });

  it('enforces "admins need dashboard access" in the form', async () => {
    await openInvite(page, stack.bffUrl);
    expect(await dashboardSwitch(page).isChecked()).toBe(false);
    await page.getByRole('button', { name: /^Admin / }).click();
    expect(await dashboardSwitch(page).isChecked()).toBe(true);
    expect(await dashboardSwitch(page).isDisabled()).toBe(true);
    expect(await page.getByText('Admins always have dashboard access.').isVisible()).toBe(true);

    // Back to Member: dashboard access is as it was before Admin (off), and the page says so.
    await page.getByRole('button', { name: /^Member / }).click();
    expect(await dashboardSwitch(page).isDisabled()).toBe(false);
    expect(await dashboardSwitch(page).isChecked()).toBe(false);
    expect(
      await page.getByText('Dashboard access is off again, as it was before Admin was chosen.').isVisible(),
    ).toBe(true);

    // An admin invited through the form arrives with dashboard access.
    const person = newPerson();
    await fillPerson(page, person);
    await chooseRole(page, 'IT Admin');
    await page.getByRole('button', { name: /^Admin / }).click();
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    const [stored] = await usersWithEmail(stack, person.email);
    expect(stored).toMatchObject({
      level: 'admin',
      hasDashboardAccess: true,
      clinicRole: 'IT Administrator',
    });
  });

  it('says on the email field that a seeded colleague is already in the clinic', async () => {
    problems.expectHttpErrors(409);
    const existing = await aSeededUser(stack);
    await stack.clearUpstreamRequests();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, { ...newPerson(), email: existing.email.toUpperCase() });
    await chooseRole(page, 'Nurse');
    await submitButton(page).click();

    const email = field(page, 'Email');
    await page.waitForFunction(
      () =>
        document.activeElement?.getAttribute('aria-invalid') === 'true' && document.activeElement.id !== '',
    );
    expect(await email.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    const message = await page.locator(`[id="${describedBy}"]`).textContent();
    expect(message).toMatch(/already/i);
    expect(await email.inputValue()).toBe(existing.email.toUpperCase());
    expect((await usersWithEmail(stack, existing.email)).length).toBe(1);

    // The refusal names the person: their userId to copy, a link to them, and the request id to quote.
    const notice = page.getByRole('region', { name: 'Already in the clinic' });
    expect(await notice.textContent()).toMatch(/Request id to quote if you ask for help: \S+/);
    await notice.getByRole('button', { name: 'Copy userId' }).click();
    await notice.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await readClipboard(page)).toBe(existing.userId);
    const link = notice.getByRole('link', { name: 'See them in Users' });
    expect(await link.getAttribute('href')).toBe(`/users/${existing.userId}`);
    await link.click();
    await page.waitForURL(`**/users/${existing.userId}`);
    await page.getByRole('dialog').getByText(existing.userId).first().waitFor();
  });

  it('says it is still waiting on Avara when the answer takes more than 2 seconds', async () => {
    await stack.faults.add({ path: '/v1/viewer/users', method: 'POST', latencyMs: 4_000 });
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await chooseRole(page, 'Cardio');
    const waiting = page.getByRole('status').filter({ hasText: 'Still waiting on Avara…' });
    const sentAt = Date.now();
    await submitButton(page).click();
    expect(await waiting.count()).toBe(0);
    await waiting.waitFor({ timeout: 4_000 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2_000);
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor({ timeout: 10_000 });
    expect(await waiting.count()).toBe(0);
    expect(await usersWithEmail(stack, person.email)).toHaveLength(1);
  });

  it('recovers from an upstream failure with Retry, nothing retyped and exactly one user created', async () => {
    problems.expectHttpErrors(502);
    await stack.faults.add({ path: '/v1/viewer/users', method: 'POST', status: 503 });
    await stack.clearUpstreamRequests();
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await chooseRole(page, 'Cardio');
    await studiesSwitch(page).check();
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/api/users') && r.request().method() === 'POST',
    );
    await submitButton(page).click();

    const banner = page.getByRole('alert').filter({ hasText: 'Avara is not answering right now.' });
    await banner.waitFor();
    const requestId = (await answered).headers()['x-request-id'];
    expect(requestId).toMatch(/\S/);
    expect(await banner.textContent()).toContain(
      `Request id to quote if you ask for help: ${requestId ?? ''}`,
    );
    expect(await personFieldValues(page)).toEqual(person);
    expect(await roleField(page).inputValue()).toBe('Cardiologist');
    expect(await studiesSwitch(page).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();

    const created = await usersWithEmail(stack, person.email);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ clinicRole: 'Cardiologist', canManageStudies: true });
    const posts = (await stack.upstreamRequests()).filter(
      (entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users',
    );
    expect(posts).toHaveLength(2);
  });

  it('finds a role by its group in the grouped picker and sends it exactly (apostrophe kept)', async () => {
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    await fillPerson(page, person);
    await roleField(page).click();
    const listbox = page.getByRole('listbox');
    await listbox.waitFor();
    for (const group of ['Physicians & specialists', 'Imaging & laboratory', 'Administration & IT']) {
      expect(await listbox.getByRole('group', { name: group }).isVisible()).toBe(true);
    }
    expect(await listbox.getByRole('option').count()).toBe(61);
    await page.keyboard.type('laboratory');
    await listbox.getByRole('option').nth(4).waitFor();
    expect(await listbox.getByRole('group').count()).toBe(1);
    expect(
      await listbox
        .getByRole('group', { name: 'Imaging & laboratory' })
        .getByRole('option')
        .allTextContents(),
    ).toEqual([
      'Imaging Technologist',
      'Laboratory Technician',
      'Medical Laboratory Scientist',
      "Pathologists' Assistant",
      'Phlebotomist',
    ]);
    for (let press = 0; press < 3; press += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await roleField(page).inputValue()).toBe("Pathologists' Assistant");
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    const [stored] = await usersWithEmail(stack, person.email);
    expect(stored?.clinicRole).toBe("Pathologists' Assistant");
  });

  it('invites someone with the keyboard alone', async () => {
    const person = newPerson();
    await openInvite(page, stack.bffUrl);
    const keyboard = page.keyboard;

    await tabTo(page, field(page, 'First name'));
    await keyboard.type(person.firstName);
    await keyboard.press('Tab');
    await keyboard.type(person.middleName);
    await keyboard.press('Tab');
    await keyboard.type(person.lastName);
    await keyboard.press('Tab');
    await keyboard.type(person.suffix1);
    await keyboard.press('Tab');
    await keyboard.type(person.suffix2);
    await keyboard.press('Tab');
    await keyboard.type(person.email);
    await keyboard.press('Tab');
    await keyboard.type(person.phone);
    await keyboard.press('Tab');
    expect(await roleField(page).evaluate((element) => element === document.activeElement)).toBe(true);
    await keyboard.type('imag');
    await keyboard.press('ArrowDown');
    await keyboard.press('ArrowUp');
    await keyboard.press('Enter');
    expect(await roleField(page).inputValue()).toBe('Imaging Technologist');

    // The level buttons are one stop in the tab order (roving focus): arrows move between them.
    await tabTo(page, page.getByRole('button', { name: /^Member / }));
    await keyboard.press('ArrowRight');
    const admin = page.getByRole('button', { name: /^Admin / });
    expect(await admin.evaluate((element) => element === document.activeElement)).toBe(true);
    await keyboard.press('Space');
    expect(await admin.getAttribute('aria-pressed')).toBe('true');
    await tabTo(page, studiesSwitch(page));
    await keyboard.press('Space');
    await tabTo(page, submitButton(page));
    await keyboard.press('Enter');

    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Copy userId' }));
    await keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    const userId = (await page.getByTestId('invited-user-id').textContent()) ?? '';
    expect(await readClipboard(page)).toBe(userId);

    const [stored] = await usersWithEmail(stack, person.email);
    expect(stored).toMatchObject({
      userId,
      clinicRole: 'Imaging Technologist',
      level: 'admin',
      hasDashboardAccess: true,
      canManageStudies: true,
    });

    // And on to the next person, still without a mouse.
    await tabTo(page, page.getByRole('button', { name: 'Invite another' }));
    await keyboard.press('Enter');
    await field(page, 'First name').waitFor();
    expect(await field(page, 'First name').evaluate((element) => element === document.activeElement)).toBe(
      true,
    );
  });
});
