// The frame around every screen in real Chromium: a visible keyboard focus ring on every control (2 px, at least
// 3:1 against what surrounds it, WCAG 2.4.11/2.4.13) in light and dark; the phone header (one row of at most 64 px
// with the operator's name readable, navigation behind a Menu disclosure); and a sign-out that says it happened.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { axeViolations } from './axe.ts';
import { openInvite } from './invite-page.ts';

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

async function open(path: string, options: BrowserContextOptions): Promise<void> {
  context = await browser.newContext(options);
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  page = await context.newPage();
  problems = watchPage(page);
  if (path === '/') await openInvite(page, stack.bffUrl);
  else {
    await page.goto(`${stack.bffUrl}${path}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  }
}

const RingSchema = z.object({
  what: z.string(),
  width: z.number(),
  style: z.string(),
  contrast: z.number(),
});
type Ring = z.infer<typeof RingSchema>;

/**
 * The focused element's ring as drawn: on the element itself, or, for MUI's switches and checkboxes whose real input
 * is invisible, on the visible part around it; text fields by their focused border. The contrast is the ring's
 * colour against the first opaque background behind it (WCAG relative luminance).
 */
const READ_RING = `(() => {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const isText = active.matches('input:not([type=checkbox]):not([type=radio]), textarea');
  const ringOwner = isText
    ? active.closest('.MuiInputBase-root')?.querySelector('fieldset') ?? active
    : active.matches('input') ? active.closest('.Mui-focusVisible') ?? active : active;
  const style = getComputedStyle(ringOwner);
  const width = parseFloat(isText ? style.borderTopWidth : style.outlineWidth);
  const lineStyle = isText ? style.borderTopStyle : style.outlineStyle;
  const color = isText ? style.borderTopColor : style.outlineColor;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const behind = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
      if (a > 0.5) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const ring = luminance(rgb(color));
  const back = luminance(behind(isText ? ringOwner.parentElement : ringOwner.parentElement));
  const contrast = (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05);
  const name = active.getAttribute('aria-label') || active.textContent.trim().slice(0, 40) || active.getAttribute('name') || '';
  return { what: active.tagName.toLowerCase() + (active.getAttribute('role') ? '[' + active.getAttribute('role') + ']' : '') + ' ' + name, width, style: lineStyle, contrast };
})()`;

/** Tab through the whole page once (until focus comes back round), reading each control's ring. */
async function ringsOfEveryControl(): Promise<Ring[]> {
  const rings: Ring[] = [];
  const seen = new Set<string>();
  for (let step = 0; step < 80; step += 1) {
    await page.keyboard.press('Tab');
    const raw: unknown = await page.evaluate(READ_RING);
    if (raw === null) continue;
    const ring = RingSchema.parse(raw);
    if (seen.has(ring.what)) break;
    seen.add(ring.what);
    rings.push(ring);
  }
  return rings;
}

describe('keyboard focus ring', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const path of ['/', '/users']) {
      it(`every control on ${path} shows a 2 px ring of at least 3:1 (${colorScheme})`, async () => {
        await open(path, { colorScheme, viewport: { width: 1280, height: 900 } });
        const rings = await ringsOfEveryControl();
        // The navigation, the theme toggle and Sign out at least, and the screen's own controls.
        expect(rings.length).toBeGreaterThan(path === '/' ? 15 : 10);
        expect(rings.filter((ring) => ring.what.includes('[switch]')).length).toBe(path === '/' ? 2 : 0);
        if (path === '/users') {
          expect(rings.some((ring) => ring.what.startsWith('input') && !ring.what.includes('['))).toBe(true);
        }
        const weak = rings.filter((ring) => ring.width < 2 || ring.style !== 'solid' || ring.contrast < 3);
        expect(weak).toEqual([]);
      });
    }
  }
});

describe('at phone width (375 px)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`the header is one row of at most 64 px with the operator's name readable; Menu opens the navigation (${colorScheme})`, async () => {
      await open('/', { colorScheme, viewport: { width: 375, height: 740 } });
      const header = page.locator('header');
      const box = await header.boundingBox();
      expect(box?.height).toBeLessThanOrEqual(64);
      const name = header.getByText('Administrator', { exact: true });
      expect(await name.isVisible()).toBe(true);
      // Readable: the whole name shows, not cut off by the ellipsis.
      expect(
        await name.evaluate((element) => {
          const text = element.closest('p');
          return text !== null && text.scrollWidth <= text.clientWidth;
        }),
      ).toBe(true);
      // With a name of this length the product name still shows whole beside it.
      expect(
        await header
          .getByText('Viewer Admin', { exact: true })
          .evaluate((element) => element.scrollWidth <= element.clientWidth),
      ).toBe(true);
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);

      // Keyboard only: skip link, then Menu.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const menu = page.getByRole('button', { name: 'Menu' });
      expect(await menu.evaluate((element) => element === document.activeElement)).toBe(true);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('Enter');
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      expect(await nav.isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      // The next key press goes into the navigation; Escape folds it away and gives the focus back to Menu.
      await page.keyboard.press('Tab');
      expect(
        await nav
          .getByRole('link', { name: 'Invite', exact: true })
          .evaluate((e) => e === document.activeElement),
      ).toBe(true);
      await page.keyboard.press('Escape');
      expect(await nav.isVisible()).toBe(false);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await menu.evaluate((element) => element === document.activeElement)).toBe(true);

      // Opened with the pointer (no focus ripple left running for axe): axe-clean, nothing scrolls sideways.
      await menu.click();
      expect(await nav.isVisible()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);

      // Choosing a screen goes there and folds the menu.
      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
      expect(await nav.isVisible()).toBe(false);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect((await header.boundingBox())?.height).toBeLessThanOrEqual(64);
    });
  }
});

describe('signing out', () => {
  it('the sign-in screen that follows confirms it, and the session is over on the server', async () => {
    await open('/', { viewport: { width: 1280, height: 900 } });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'You have signed out.' }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // Signed out for real: the session cookie no longer opens anything.
    problems.expectHttpErrors(401);
    const status = await page.evaluate(
      async () => (await fetch('/api/session', { headers: { 'x-csrf': '1' } })).status,
    );
    expect(status).toBe(401);
  });
});
