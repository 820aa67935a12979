import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellBootstrapSchema } from '../../src/contract/session.ts';
import type { ShellBootstrap } from '../../src/contract/session.ts';
import { createSpaShell, scriptSafeJson } from '../../src/server/spa-shell.ts';

/** The shell's bootstrap block: whatever an operator's name holds, it stays one inert JSON data block. */

const INDEX =
  '<!doctype html><html><head><meta name="csp-nonce" content="" /></head><body><div id="root"></div>' +
  '<script id="viewer-admin-bootstrap" type="application/json"></script></body></html>';

const HOSTILE_NAME = '</script><script>alert(1)</script><!-- <SCRIPT> \u2028 "quoted" \\ back';

function bootstrapWith(displayName: string): ShellBootstrap {
  return {
    session: {
      operator: {
        id: 'opr_0123456789abcdef0123456789abcdef',
        email: 'admin@clinic.example',
        displayName,
        role: 'administrator',
      },
      mustChangePassword: false,
      expiresAt: '2026-11-27T20:00:00.000Z',
      idleTimeoutMinutes: 30,
    },
    mode: { mode: 'sandbox' },
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'viewer-admin-shell-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The text of the bootstrap block, as an HTML parser would cut it out (up to the first "</script"). */
function blockText(html: string): string {
  const start = html.indexOf('type="application/json">') + 'type="application/json">'.length;
  return html.slice(start, html.toLowerCase().indexOf('</script', start));
}

describe('SPA shell bootstrap', () => {
  it('writes the bootstrap as JSON that reads back exactly, with no "<" anywhere in it', () => {
    const bootstrap = bootstrapWith(HOSTILE_NAME);
    const html = createSpaShell(dir).render('bm9uY2U=', bootstrap);
    const text = blockText(html);
    expect(text).not.toContain('<');
    expect(ShellBootstrapSchema.parse(JSON.parse(text))).toEqual(bootstrap);
    // The document still ends as the file does: the name opened no element and closed none.
    expect(html.endsWith('</script></body></html>')).toBe(true);
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).toContain('<meta name="csp-nonce" content="bm9uY2U=" />');
  });

  it('leaves the block empty when the server could not tell who is signed in', () => {
    const html = createSpaShell(dir).render('bm9uY2U=');
    expect(blockText(html)).toBe('');
  });

  it('escapes every "<" and nothing else', () => {
    expect(scriptSafeJson({ a: '<b>&</b>' })).toBe('{"a":"\\u003cb>&\\u003c/b>"}');
    expect(JSON.parse(scriptSafeJson({ a: '<b>&</b>' }))).toEqual({ a: '<b>&</b>' });
  });
});
