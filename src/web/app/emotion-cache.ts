import createCache from '@emotion/cache';
import type { EmotionCache } from '@emotion/cache';

/**
 * MUI styles itself with emotion, which adds <style> elements at run time. The server's Content-Security-Policy
 * allows styles only from this origin or carrying this response's nonce (never 'unsafe-inline'), so emotion must put
 * the nonce on every style element it creates. The server writes the nonce into index.html as
 * <meta name="csp-nonce" content="…">; it is empty when no server filled it in (Vite's dev server, jsdom tests).
 */
export function readCspNonce(doc: Document = document): string | undefined {
  const content = doc.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
  return content ? content : undefined;
}

/** The build's first-screen stylesheet (see first-screen-styles.tsx): its link carries the emotion names it holds. */
export const FIRST_SCREEN_STYLES_ATTRIBUTE = 'data-first-screen-styles';

/**
 * The emotion names whose CSS the build's first-screen stylesheet already gives this page. None unless that
 * stylesheet has loaded (a failed or missing file leaves emotion to insert everything itself, as without it).
 */
export function readPrerenderedStyleNames(doc: Document = document): string[] {
  const link = doc.querySelector<HTMLLinkElement>(`link[${FIRST_SCREEN_STYLES_ATTRIBUTE}]`);
  if (!link || !hasRules(link.sheet)) return [];
  return (link.getAttribute(FIRST_SCREEN_STYLES_ATTRIBUTE) ?? '').split(' ').filter(Boolean);
}

/** A stylesheet still loading has no sheet yet; one that failed has none readable (reading its rules throws). */
function hasRules(sheet: CSSStyleSheet | null): boolean {
  try {
    return (sheet?.cssRules.length ?? 0) > 0;
  } catch {
    return false;
  }
}

export interface EmotionCacheOptions {
  nonce?: string | undefined;
  /** Styles already on the page (emotion names): emotion neither compiles nor inserts them again. */
  prerendered?: readonly string[] | undefined;
}

export function createEmotionCache(
  { nonce, prerendered = [] }: EmotionCacheOptions = {
    nonce: readCspNonce(),
    prerendered: readPrerenderedStyleNames(),
  },
): EmotionCache {
  const cache = createCache({
    key: 'css',
    // Emotion's styles go after the build's first-screen stylesheet, in the order they are first used: the cascade is
    // the one emotion would have built had it inserted the first screen's styles itself.
    prepend: false,
    // No vendor prefixer: every browser this app supports (ES2022, see vite.config.ts) takes the standard properties
    // MUI writes, and prefixing every rule was a measurable share of the first render (`npm run bench:load`).
    stylisPlugins: [],
    ...(nonce === undefined ? {} : { nonce }),
  });
  for (const name of prerendered) cache.inserted[name] = true;
  return cache;
}
