// Accessibility of the invite screen in real Chromium: an axe-core scan with zero violations in light and dark
// mode (also with validation errors and the success panel showing), and nothing scrolling sideways at 375 px.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import {
  chooseRole,
  field,
  fillPerson,
  newPerson,
  openInvite,
  roleField,
  submitButton,
} from './invite-page.ts';

const AXE_SOURCE = z.object({ source: z.string() }).parse(createRequire(import.meta.url)('axe-core')).source;

const AxeViolationsSchema = z.array(
  z.object({
    id: z.string(),
    impact: z.nullable(z.optional(z.string())),
    help: z.string(),
    nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.optional(z.string()) })),
  }),
);

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let problems: PageProblems;

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(problems.list()).toEqual([]);
});

async function open(options: BrowserContextOptions): Promise<void> {
  // axe is injected as a script element; bypassCSP keeps the scan working under the product's strict CSP.
  context = await browser.newContext({ bypassCSP: true, ...options });
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
  await openInvite(page, stack.bffUrl);
  await page.getByText('Mode: Sandbox', { exact: true }).waitFor();
}

/** Run axe-core (WCAG 2.0/2.1 A and AA plus best practices) on the page; return readable violations. */
async function axeViolations(): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.addScriptTag({ content: AXE_SOURCE });
  const raw: unknown = await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((results) => results.violations)`,
  );
  return AxeViolationsSchema.parse(raw).map(
    (violation) =>
      `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n` +
      violation.nodes
        .map((node) => `  ${JSON.stringify(node.target)}: ${node.failureSummary ?? ''}`)
        .join('\n'),
  );
}

/**
 * axe's label-content-name-mismatch (WCAG 2.5.3), which axe leaves off unless asked: how many elements it checked on
 * the success panel, and what it found wrong.
 */
async function nameHoldsVisibleText(): Promise<{ checked: number; violations: string[] }> {
  const raw: unknown = await page.evaluate(
    `axe.run({ include: [['section[aria-labelledby="invite-success-heading"]']] }, {
      runOnly: { type: 'rule', values: ['label-content-name-mismatch'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    }).then((results) => ({
      checked: results.passes.flatMap((rule) => rule.nodes).length + results.violations.flatMap((rule) => rule.nodes).length,
      violations: results.violations.flatMap((rule) => rule.nodes.map((node) => node.html)),
    }))`,
  );
  return z.object({ checked: z.number(), violations: z.array(z.string()) }).parse(raw);
}

const BACKGROUND = { light: 'rgb(246, 247, 249)', dark: 'rgb(18, 20, 23)' } as const;

/** Which scheme the page is showing, read from the page background the theme paints. */
async function shownScheme(): Promise<string> {
  const background = z.string().parse(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
  return background === BACKGROUND.dark ? 'dark' : background === BACKGROUND.light ? 'light' : background;
}

describe.each(['light', 'dark'] as const)('invite screen in %s mode', (scheme) => {
  it('has no axe violations: empty, with validation errors, with the role list open, and after success', async () => {
    await open({ colorScheme: scheme });
    expect(await shownScheme()).toBe(scheme);
    expect(await axeViolations()).toEqual([]);

    // Validation errors showing (submit with nothing filled in).
    await field(page, 'Email').fill('not-an-email');
    await submitButton(page).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThanOrEqual(4);
    expect(await axeViolations()).toEqual([]);

    // The role list open, a role highlighted.
    await roleField(page).click();
    await page.keyboard.type('a');
    await page.getByRole('listbox').waitFor();
    expect(await axeViolations()).toEqual([]);
    await page.keyboard.press('Escape');

    // The admin rule's locked switch, then the success panel with its copy confirmation.
    await fillPerson(page, newPerson());
    await chooseRole(page, 'Surgeon');
    await page.getByRole('button', { name: /^Admin / }).click();
    expect(await axeViolations()).toEqual([]);
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    expect(await axeViolations()).toEqual([]);

    // After Copy: "Copied" is shown, and the button's name still holds it (WCAG 2.5.3).
    await page.getByRole('button', { name: 'Copy userId' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Copied userId' }).textContent()).toBe('Copied');
    expect(await nameHoldsVisibleText()).toEqual({ checked: 1, violations: [] });
    expect(await axeViolations()).toEqual([]);
  });
});

describe('theme toggle in the browser', () => {
  it('switches scheme, is remembered across a reload, and stays violation-free', async () => {
    await open({ colorScheme: 'light' });
    const toggle = page.getByRole('button', { name: 'Dark mode' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await shownScheme()).toBe('light');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await shownScheme()).toBe('dark');
    await page.reload();
    await submitButton(page).waitFor();
    expect(await shownScheme()).toBe('dark');
    expect(await axeViolations()).toEqual([]);
  });
});

describe('at phone width (375 px)', () => {
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

  it('nothing scrolls sideways: the form, its errors, the role list and the success panel', async () => {
    await open({ viewport: { width: 375, height: 812 }, colorScheme: 'light' });
    await noSidewaysScroll();

    await submitButton(page).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await noSidewaysScroll();

    await roleField(page).click();
    await page.getByRole('listbox').waitFor();
    await noSidewaysScroll();
    await page.keyboard.press('Escape');

    await fillPerson(page, {
      ...newPerson(),
      email: `a.very.long.address.for.a.colleague.${Date.now()}@radiology-department.hospital.example`,
    });
    await chooseRole(page, 'Patient');
    await submitButton(page).click();
    await page.getByRole('heading', { name: /^Invitation sent to/ }).waitFor();
    await noSidewaysScroll();
    expect(await axeViolations()).toEqual([]);
  });
});
