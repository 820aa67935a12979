import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SHELL_BOOTSTRAP_ELEMENT_ID } from '../contract/session.ts';
import type { ShellBootstrap } from '../contract/session.ts';
import { injectNonce } from './security/headers.ts';

/**
 * The SPA shell (index.html) with this response's CSP nonce and bootstrap data (who is signed in) written into it.
 * Read from disk once and again only when the file changes (a rebuild while the server runs), so every response
 * costs one stat and two replaces.
 */
export interface SpaShell {
  /** `bootstrap` undefined: the block stays empty and the app asks GET /api/session itself. */
  render(nonce: string, bootstrap?: ShellBootstrap): string;
}

const EMPTY_BOOTSTRAP = `<script id="${SHELL_BOOTSTRAP_ELEMENT_ID}" type="application/json"></script>`;

/**
 * JSON that is safe inside a <script> element: no "<" at all (so no "</script>" or "<!--" can end or bend the
 * element, whatever a display name holds). JSON.parse reads \u003c back as "<".
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

export function createSpaShell(staticDir: string): SpaShell {
  const file = join(staticDir, 'index.html');
  let cached: { mtimeMs: number; html: string } | undefined;
  return {
    render(nonce, bootstrap) {
      const { mtimeMs } = statSync(file);
      if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
      const html = injectNonce(cached.html, nonce);
      if (bootstrap === undefined) return html;
      return html.replace(
        EMPTY_BOOTSTRAP,
        () =>
          `<script id="${SHELL_BOOTSTRAP_ELEMENT_ID}" type="application/json">${scriptSafeJson(bootstrap)}</script>`,
      );
    },
  };
}
