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

export interface EmotionCacheOptions {
  nonce?: string | undefined;
}

export function createEmotionCache({ nonce }: EmotionCacheOptions = { nonce: readCspNonce() }): EmotionCache {
  return createCache({
    key: 'css',
    // No vendor prefixer: every browser this app supports (ES2022, see vite.config.ts) takes the standard properties
    // MUI writes, and prefixing every rule was a measurable share of the first render (`npm run bench:load`).
    stylisPlugins: [],
    ...(nonce === undefined ? {} : { nonce }),
  });
}
