import { describe, expect, it } from 'vitest';
import { parseCsp } from '../../support/csp.ts';
import { contentSecurityPolicy, injectNonce, newCspNonce } from '../../../src/server/security/headers.ts';

describe('content security policy', () => {
  it('allows only same-origin scripts, nothing inline or eval, and styles by nonce', () => {
    const nonce = newCspNonce();
    const csp = parseCsp(contentSecurityPolicy(nonce));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    for (const sources of csp.values()) {
      expect(sources).not.toContain("'unsafe-inline'");
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain('*');
    }
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newCspNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });

  it('writes the nonce into the shell’s meta element, or adds one', () => {
    const shell = '<html><head>\n<meta name="csp-nonce" content="" />\n<title>x</title></head></html>';
    expect(injectNonce(shell, 'abc+/=')).toContain('<meta name="csp-nonce" content="abc+/=" />');
    expect(injectNonce(shell, 'abc')).not.toContain('content=""');
    expect(injectNonce('<html><head><title>x</title></head></html>', 'n1')).toMatch(
      /<head>\s*<meta name="csp-nonce" content="n1" \/>/,
    );
  });
});
