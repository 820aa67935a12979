// The build's first-screen stylesheet in real Chromium: the home screen takes its styles from it instead of emotion
// compiling and inserting them at run time, looks exactly as without it (light and dark, with validation errors), and
// still looks right when the stylesheet cannot be loaded (emotion then inserts everything itself). The inputs share one
// copy of MUI's autofill keyframes instead of a style element each.
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as z from 'zod/mini';
import { signInBrowser, watchPage } from '../support/browser.ts';
import type { PageProblems } from '../support/browser.ts';
import { TEST_OPERATOR } from '../support/session.ts';
import type { Stack } from '../support/stack.ts';
import { useBrowserStack } from '../support/browser-stack.ts';
import { field, openInvite } from './invite-page.ts';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Each page's console errors and the ones it provokes on purpose (the blocked stylesheet). */
const watched: { problems: PageProblems; expected: RegExp | undefined }[] = [];

useBrowserStack((started) => ({ stack, browser } = started));

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  for (const { problems, expected } of watched.splice(0)) {
    expect(problems.list().filter((problem) => expected === undefined || !expected.test(problem))).toEqual(
      [],
    );
  }
});

type Scheme = 'light' | 'dark';

async function openHome(scheme: Scheme, { blockStylesheet = false } = {}): Promise<Page> {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await signInBrowser(context, stack.bffUrl, TEST_OPERATOR);
  const page = await context.newPage();
  watched.push({
    problems: watchPage(page),
    expected: blockStylesheet
      ? /^console\.error: Failed to load resource: net::ERR_FAILED .*first-screen-/
      : undefined,
  });
  if (blockStylesheet) await page.route('**/assets/first-screen-*.css', (route) => route.abort());
  await openInvite(page, stack.bffUrl);
  return page;
}

const RuntimeStylesSchema = z.object({
  /** Class rules emotion inserted at run time (`.css-…` selectors), global rules aside. */
  classRules: z.array(z.string()),
  /** The names the build's stylesheet holds, as its link lists them. */
  prerendered: z.array(z.string()),
  stylesheetLoaded: z.boolean(),
});

async function runtimeStyles(page: Page) {
  return RuntimeStylesSchema.parse(
    await page.evaluate(() => {
      const classRules: string[] = [];
      for (const element of document.querySelectorAll('style[data-emotion]')) {
        if (!(element instanceof HTMLStyleElement) || !element.sheet) continue;
        for (const rule of element.sheet.cssRules) {
          if (rule instanceof CSSStyleRule && rule.selectorText.includes('.css-'))
            classRules.push(rule.selectorText);
        }
      }
      const link = document.querySelector('link[data-first-screen-styles]');
      let stylesheetLoaded = false;
      try {
        stylesheetLoaded = link instanceof HTMLLinkElement && (link.sheet?.cssRules.length ?? 0) > 0;
      } catch {
        // A stylesheet that failed to load has no readable rules.
      }
      return {
        classRules,
        prerendered: (link?.getAttribute('data-first-screen-styles') ?? '').split(' ').filter(Boolean),
        stylesheetLoaded,
      };
    }),
  );
}

const LOOK = [
  'color',
  'background-color',
  'border-top-color',
  'border-top-width',
  'border-radius',
  'font-size',
  'font-weight',
  'line-height',
  'padding-top',
  'padding-left',
  'margin-top',
  'display',
  'width',
  'height',
] as const;

/**
 * How every element of the page looks once its transitions have ended (a label fading to the error colour would
 * otherwise be caught half-way): the computed values above, element by element, in document order.
 */
async function look(page: Page): Promise<string[]> {
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => animation.playState !== 'running'),
  );
  return z.array(z.string()).parse(
    await page.evaluate((properties) => {
      return [...document.body.querySelectorAll('*')].map((element) => {
        const style = getComputedStyle(element);
        return `${element.tagName} ${properties.map((name) => style.getPropertyValue(name)).join('|')}`;
      });
    }, LOOK),
  );
}

describe('first-screen stylesheet', () => {
  it('gives the light home screen its styles: emotion inserts no class rule of its own', async () => {
    const page = await openHome('light');
    const styles = await runtimeStyles(page);
    expect(styles.stylesheetLoaded).toBe(true);
    expect(styles.prerendered.length).toBeGreaterThan(40);
    expect(styles.classRules).toEqual([]);
  });

  it('adds one global style element, not one per input, and every input still hears about autofill', async () => {
    const page = await openHome('light');
    // The baseline's (which carries the autofill keyframes); MUI's default would add one per input besides.
    expect(await page.locator('style[data-emotion="css-global"]').count()).toBe(1);
    const keyframes = await page.evaluate(() =>
      [...document.styleSheets].flatMap((sheet) =>
        [...sheet.cssRules].flatMap((rule) => (rule instanceof CSSKeyframesRule ? [rule.name] : [])),
      ),
    );
    expect(keyframes).toContain('mui-auto-fill');
    expect(keyframes).toContain('mui-auto-fill-cancel');
    const email = field(page, 'Email');
    expect(await email.evaluate((input) => getComputedStyle(input).animationName)).toBe(
      'mui-auto-fill-cancel',
    );
    // What Chromium starts when it autofills an input: the empty field's label moves out of the way.
    const label = page.locator('label', { hasText: 'Email' });
    expect(await label.getAttribute('data-shrink')).toBe('false');
    await email.evaluate((input) =>
      input.dispatchEvent(
        new AnimationEvent('animationstart', { animationName: 'mui-auto-fill', bubbles: true }),
      ),
    );
    await expect.poll(() => label.getAttribute('data-shrink')).toBe('true');
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`looks exactly as without it in ${scheme} mode, empty and with validation errors`, async () => {
      const withSheet = await openHome(scheme);
      const without = await openHome(scheme, { blockStylesheet: true });
      const fallback = await runtimeStyles(without);
      expect(fallback.stylesheetLoaded).toBe(false);
      // Without the file emotion inserted the first screen's class rules itself.
      expect(fallback.classRules.length).toBeGreaterThan(40);
      expect(await look(withSheet)).toEqual(await look(without));
      // Enter in a field (not a click: a click leaves a ripple fading out on its own clock).
      await field(withSheet, 'First name').press('Enter');
      await field(without, 'First name').press('Enter');
      await withSheet.getByText('Enter a first name').first().waitFor();
      await without.getByText('Enter a first name').first().waitFor();
      expect(await look(withSheet)).toEqual(await look(without));
    });
  }
});
