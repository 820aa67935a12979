// Shared steps for the end-to-end tests of the Users and Invitations screens: opening them signed in, finding rows
// as a person does (by the name in them), axe, and sideways scrolling.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { DirectoryFreshnessSchema } from '../../src/contract/directory.ts';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { OperatorListSchema } from '../../src/contract/operators.ts';
import type { Invitation } from '../../src/contract/invitations.ts';
import { UserSchema } from '../../src/contract/users.ts';
import type { InviteUserInput, User } from '../../src/contract/users.ts';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { newPerson } from '../support/people.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';

export interface Opened {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/** A signed-in browser tab (clipboard allowed) on `path`. */
export async function openSignedIn(
  browser: Browser,
  stack: Stack,
  path: string,
  options: BrowserContextOptions = {},
  /** HTTP error statuses the test provokes on purpose (Chromium logs each as a console error). */
  expectedHttpErrors: number[] = [],
): Promise<Opened> {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.bffUrl });
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  const page = await context.newPage();
  const problems = watchPage(page);
  problems.expectHttpErrors(...expectedHttpErrors);
  await page.goto(`${stack.bffUrl}${path}`);
  return { context, page, problems };
}

/** Invite someone through the BFF (not the subject of these tests) with a recognisable last name. */
export async function invited(stack: Stack, overrides: Partial<InviteUserInput> = {}): Promise<User> {
  const answer = await stack.api('POST', '/api/users', {
    body: newPerson(overrides),
    headers: { 'idempotency-key': randomUUID() },
  });
  if (answer.status !== 201) throw new Error(`Inviting answered ${answer.status}: ${answer.text}`);
  return UserSchema.parse(answer.json());
}

export async function invitationOf(stack: Stack, userId: string): Promise<Invitation> {
  const answer = await stack.api('GET', `/api/invitations?userId=${userId}`);
  const invitation = InvitationPageSchema.parse(answer.json()).invitations[0];
  if (!invitation) throw new Error(`No invitation for ${userId}.`);
  return invitation;
}

export async function userNow(stack: Stack, userId: string): Promise<User> {
  return UserSchema.parse((await stack.api('GET', `/api/users/${userId}`)).json());
}

/** The table row that holds this text (a name, an email). */
export function row(page: Page, text: string): Locator {
  return page.getByRole('row').filter({ hasText: text });
}

export const usersTable = (page: Page) => page.getByRole('table', { name: 'Users', exact: true });
export const invitationsTable = (page: Page) => page.getByRole('table', { name: 'Invitations', exact: true });

/** Fill the directory from the sandbox (the test stack refreshes it only when asked) and wait for the end. */
export async function refreshDirectory(stack: Stack): Promise<void> {
  const started = await stack.api('POST', '/api/directory/refresh');
  if (started.status !== 202) throw new Error(`Refresh answered ${started.status}: ${started.text}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const freshness = DirectoryFreshnessSchema.parse(
      (await stack.api('GET', '/api/directory/status')).json(),
    );
    if (!freshness.refreshing) {
      if (freshness.lastError !== null) throw new Error(`The refresh failed: ${freshness.lastError}`);
      return;
    }
    if (Date.now() > deadline) throw new Error('The directory refresh did not finish in 30 s.');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The test operator's name as the audit trail (and so the directory) gives it: display name, else e-mail. */
export async function operatorName(stack: Stack): Promise<string> {
  const { operators } = OperatorListSchema.parse((await stack.api('GET', '/api/operators')).json());
  const me = operators.find((operator) => operator.email === TEST_OPERATOR.email);
  if (!me) throw new Error('The test operator is not listed.');
  return me.displayName || me.email;
}

/** The text of the page's clipboard (the context has clipboard-read permission). */
export async function readClipboard(page: Page): Promise<string> {
  return z.string().parse(await page.evaluate('navigator.clipboard.readText()'));
}

/** Whether the focused element is this one. */
export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}

/** Press Tab (or Shift+Tab) until `target` has focus: keyboard only, no clicks. */
export async function tabTo(
  page: Page,
  target: Locator,
  { maxPresses = 80, back = false } = {},
): Promise<void> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await isFocused(target)) return;
  }
  throw new Error(`Tab never reached ${String(target)} in ${maxPresses} presses.`);
}

/** The page itself never scrolls sideways (a wide table may scroll inside its own region). */
export async function pageScrollsSideways(page: Page): Promise<boolean> {
  const widths = z
    .object({ scrollWidth: z.number(), clientWidth: z.number() })
    .parse(
      await page.evaluate(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      ),
    );
  return widths.scrollWidth > widths.clientWidth;
}
