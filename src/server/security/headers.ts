import { randomBytes } from 'node:crypto';

/**
 * Security headers sent on EVERY response (API answers, errors, 404s, static files, the SPA shell).
 *
 * The Content-Security-Policy allows scripts from this origin only: no inline script, no eval, no other host.
 * MUI styles itself with emotion, which inserts <style> elements at run time; rather than allowing
 * 'unsafe-inline' styles, each response carries a fresh random nonce: the server writes it into index.html
 * (`<meta name="csp-nonce">`) and into `style-src`, and the web app gives it to its emotion cache, so emotion's
 * style elements carry it. Scripts get no nonce at all: the nonce unlocks styles only.
 */
export const CSP_NONCE_META = 'csp-nonce';

const NONCE_BYTES = 16;
/** Nonces are cut from a block of CSPRNG output (as crypto.randomUUID does): one call per 256 responses, not per response. */
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePoolAt = 0;

/** 128 random bits, base64: unguessable per response. Every byte of the pool is used once, never again. */
export function newCspNonce(): string {
  if (noncePoolAt + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolAt = 0;
  }
  const nonce = noncePool.toString('base64', noncePoolAt, noncePoolAt + NONCE_BYTES);
  noncePoolAt += NONCE_BYTES;
  return nonce;
}

/** The policy before and after the nonce, joined once (it goes out with every response). */
const CSP_BEFORE_NONCE = "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-";
const CSP_AFTER_NONCE = `'; ${[
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ')}`;

export function contentSecurityPolicy(nonce: string): string {
  return `${CSP_BEFORE_NONCE}${nonce}${CSP_AFTER_NONCE}`;
}

/** The headers every response carries (besides the CSP, which needs the response's nonce). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Ignored by browsers over plain HTTP; binding once the app is reached over HTTPS.
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const NONCE_META = new RegExp(`<meta\\s+name="${CSP_NONCE_META}"\\s+content="[^"]*"\\s*/?>`);

/**
 * Put the response's nonce into the SPA shell. The shell must already carry the meta element (index.html does);
 * when it does not, one is added at the top of <head>.
 */
export function injectNonce(html: string, nonce: string): string {
  const meta = `<meta name="${CSP_NONCE_META}" content="${nonce}" />`;
  if (NONCE_META.test(html)) return html.replace(NONCE_META, meta);
  return html.replace(/<head>/i, `<head>\n    ${meta}`);
}
