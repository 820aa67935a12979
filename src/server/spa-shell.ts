import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { injectNonce } from './security/headers.ts';

/**
 * The SPA shell (index.html) with this response's CSP nonce written into it. Read from disk once and again only
 * when the file changes (a rebuild while the server runs), so every response costs one stat and one replace.
 */
export interface SpaShell {
  render(nonce: string): string;
}

export function createSpaShell(staticDir: string): SpaShell {
  const file = join(staticDir, 'index.html');
  let cached: { mtimeMs: number; html: string } | undefined;
  return {
    render(nonce) {
      const { mtimeMs } = statSync(file);
      if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
      return injectNonce(cached.html, nonce);
    },
  };
}
