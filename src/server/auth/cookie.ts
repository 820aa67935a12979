/**
 * The session cookie. The `__Host-` prefix makes the browser insist on Secure, Path=/ and no Domain, so no other
 * host (not even a sibling subdomain) can set or overwrite it. HttpOnly keeps it from scripts; SameSite=Strict keeps
 * it off every cross-site request. It is a session cookie (no Max-Age): closing the browser on a shared workstation
 * drops it, and the server's idle and absolute limits end it anyway.
 */
export const SESSION_COOKIE = '__Host-va_session';

const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Strict';

/** A session id as we issue them: 32 bytes, base64url (43 characters). Anything else is not looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function sessionCookie(sessionId: string): string {
  return `${SESSION_COOKIE}=${sessionId}; ${ATTRIBUTES}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** The session id from a Cookie header, when there is one that looks like ours. */
export function readSessionCookie(header: string | undefined): string | undefined {
  const value = readCookie(header, SESSION_COOKIE);
  return value !== undefined && SESSION_ID.test(value) ? value : undefined;
}

/** The value of the first cookie called `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim();
  }
  return undefined;
}
