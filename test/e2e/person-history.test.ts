// A person's history in real Chromium: invite someone from the dashboard, edit their role, and their details list the
// invite (by the operator) and the edit with what changed; Activity filtered to them holds only their records, named;
// at 375 px the trail is cards with nothing cut off, axe-clean in light and dark, the filter chip and the technical
// detail reached by keyboard alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { PageProblems } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { axeViolations } from './axe.ts';
import { chooseRole, fillPerson, newPerson, submitButton, usersWithEmail } from './invite-page.ts';
import { isFocused, openSignedIn, pageScrollsSideways, tabTo } from './review-page.ts';
import type { Opened } from './review-page.ts';

let stack: Stack;
let browser: Browser;
let opened: Opened | undefined;
let page: Page;
let problems: PageProblems | undefined;

useBrowserStack((started) => ({ stack, browser } = started));

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

/** Invite someone from the dashboard's form as a Radiologist; their userId. */
async function inviteFromDashboard(): Promise<{ userId: string; lastName: string }> {
  const person = newPerson();
  await submitButton(page).waitFor();
  await fillPerson(page, person);
  await chooseRole(page, 'Radiolog');
  await submitButton(page).click();
  await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
  const [user] = await usersWithEmail(stack, person.email);
  if (!user) throw new Error('The invite did not reach the sandbox.');
  return { userId: user.userId, lastName: person.lastName };
}

const history = () => page.getByRole('dialog').getByRole('list', { name: 'History' });
const event = (list: Locator, label: string) =>
  list.locator(':scope > li').filter({ has: page.getByText(label, { exact: true }) });

let invitedPerson: { userId: string; lastName: string } | undefined;

describe("a person's history (end to end)", () => {
  it('their details list the invite by the operator and the edit with what changed; Activity filtered to them holds only theirs, named', async () => {
    await open('/');
    const operator = stack.client.session.operator.displayName;
    const { userId, lastName } = await inviteFromDashboard();
    invitedPerson = { userId, lastName };

    await page.goto(`${stack.bffUrl}/users/${userId}`);
    const details = page.getByRole('dialog');
    await details.getByRole('button', { name: 'Edit', exact: true }).click();
    const role = details.getByRole('combobox', { name: 'Clinic role' });
    await role.click();
    await role.fill('');
    await page.keyboard.type('Cardiolog');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('Enter');
    await details.getByRole('button', { name: 'Save changes' }).click();
    await details.getByText('Changes saved.').waitFor();

    const edit = event(history(), `Details edited by ${operator}`);
    await edit.waitFor();
    expect(await edit.getByRole('list', { name: 'What changed' }).textContent()).toBe(
      'Role: Radiologist → Cardiologist',
    );
    await event(history(), `Invited by ${operator}`).waitFor();
    const labels = await history()
      .locator(':scope > li')
      .evaluateAll((items) => items.map((item) => item.querySelector('p:nth-of-type(2)')?.textContent ?? ''));
    expect(labels.filter((label) => label.endsWith(`by ${operator}`))).toEqual([
      `Details edited by ${operator}`,
      `Invited by ${operator}`,
    ]);

    await details.getByRole('link', { name: 'All activity for this person' }).click();
    await page.waitForURL(`**/activity?userId=${userId}`);
    const table = page.getByRole('table', { name: 'Activity, newest first' });
    await table.waitFor();
    await page
      .getByRole('button', { name: `Person: Sarah M. ${lastName}, MD, FACR. Remove this filter` })
      .waitFor();
    const rows = table.getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(1).getByText('Edited a user').count()).toBe(1);
    expect(await rows.nth(1).getByText('Role: Radiologist → Cardiologist').count()).toBe(1);
    expect(await rows.nth(2).getByText('Invited a user').count()).toBe(1);
    for (const n of [1, 2]) {
      const name = rows.nth(n).getByRole('link', { name: `Sarah ${lastName}` });
      expect(await name.getAttribute('href')).toBe(`/users/${userId}`);
      expect(await rows.nth(n).getByText('Done', { exact: true }).count()).toBe(1);
    }
    // At 1280 px the trail uses the full width.
    await page.setViewportSize({ width: 1280, height: 800 });
    const box = await table.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(1150);
    expect(await pageScrollsSideways(page)).toBe(false);
  });

  describe.each(['light', 'dark'] as const)('Activity for one person at 375 px in %s mode', (scheme) => {
    it('is a list of cards with nothing cut off, axe-clean; keyboard alone reaches the technical detail and the filter chip', async () => {
      if (!invitedPerson) throw new Error('The first test invites the person.');
      const { userId, lastName } = invitedPerson;
      await open(`/activity?userId=${userId}`, {
        viewport: { width: 375, height: 740 },
        colorScheme: scheme,
      });
      const cards = page.getByRole('list', { name: 'Activity, newest first' });
      await cards.waitFor();
      await expect.poll(() => cards.locator(':scope > li').count()).toBe(2);
      expect(await page.getByRole('table').count()).toBe(0);
      expect(await pageScrollsSideways(page)).toBe(false);
      // Nothing inside a card is wider than the card.
      const overflowing = await cards
        .locator(':scope > li')
        .evaluateAll((items) =>
          items.flatMap((item) =>
            [...item.querySelectorAll('*')]
              .filter((el) => el.getBoundingClientRect().right > item.getBoundingClientRect().right + 1)
              .map((el) => el.outerHTML.slice(0, 80)),
          ),
        );
      expect(overflowing).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);

      const disclosure = cards
        .locator(':scope > li')
        .first()
        .getByRole('button', { name: 'Technical detail' });
      await tabTo(page, disclosure);
      await page.keyboard.press('Enter');
      const shown = cards
        .locator(':scope > li')
        .first()
        .getByRole('button', { name: 'Hide technical detail' });
      expect(await shown.getAttribute('aria-expanded')).toBe('true');
      await cards
        .locator(':scope > li')
        .first()
        .getByText(/^Avara answered HTTP 200$/)
        .waitFor();
      // The opened detail is axe-clean too (checked without focus: a focused button's ripple pulses until it leaves).
      await page.evaluate('document.activeElement.blur()');
      expect(await axeViolations(page)).toEqual([]);
      await shown.focus();

      const chip = page.getByRole('button', {
        name: `Person: Sarah M. ${lastName}, MD, FACR. Remove this filter`,
      });
      await tabTo(page, chip, { back: true });
      expect(await isFocused(chip)).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => !url.search.includes('userId'));
      await chip.waitFor({ state: 'detached' });
    });
  });
});
