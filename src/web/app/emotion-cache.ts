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

export function createEmotionCache(nonce: string | undefined = readCspNonce()): EmotionCache {
  // prepend: emotion's styles come first in <head>, so the built stylesheet (if any) can override them.
  return createCache({ key: 'css', prepend: true, ...(nonce === undefined ? {} : { nonce }) });
}
