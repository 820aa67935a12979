// axe-core on a page of the running app, for every e2e file that checks accessibility.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import * as z from 'zod/mini';

const AXE_SOURCE = z.object({ source: z.string() }).parse(createRequire(import.meta.url)('axe-core')).source;
const AxeViolationsSchema = z.array(
  z.object({
    id: z.string(),
    help: z.string(),
    nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.optional(z.string()) })),
  }),
);

/** axe-core (WCAG 2.0/2.1 A and AA plus best practices) on the whole page; readable violations. */
export async function axeViolations(
  page: Page,
  { alsoRules = [] }: { alsoRules?: string[] } = {},
): Promise<string[]> {
  // Colours are only final once dialogs and drawers have finished fading or sliding in (or out).
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => animation.playState !== 'running'),
  );
  // Injected through the DevTools protocol (page.evaluate), which the page's CSP does not govern.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const raw: unknown = await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'], rules: ${JSON.stringify(
      Object.fromEntries(alsoRules.map((rule) => [rule, { enabled: true }])),
    )} }).then((results) => results.violations)`,
  );
  return AxeViolationsSchema.parse(raw).map(
    (v) =>
      `${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`,
  );
}
