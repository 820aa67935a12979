import { describe, expect, it } from 'vitest';
import {
  SESSION_COOKIE,
  clearedSessionCookie,
  readSessionCookie,
  sessionCookie,
} from '../../../src/server/auth/cookie.ts';
import { newSessionId } from '../../../src/server/store/sessions.ts';

describe('session cookie', () => {
  it('is __Host- prefixed, HttpOnly, Secure, SameSite=Strict, Path=/, with no Domain', () => {
    const id = newSessionId();
    const cookie = sessionCookie(id);
    const [pair, ...attributes] = cookie.split(';').map((s) => s.trim());
    expect(pair).toBe(`${SESSION_COOKIE}=${id}`);
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict']));
    expect(cookie).not.toMatch(/domain=/i);
    expect(clearedSessionCookie()).toMatch(/^__Host-va_session=; .*Max-Age=0/);
  });

  it('reads our cookie among others, and ignores values that are not our ids', () => {
    const id = newSessionId();
    expect(readSessionCookie(`theme=dark; ${SESSION_COOKIE}=${id}; other=1`)).toBe(id);
    expect(readSessionCookie(undefined)).toBeUndefined();
    expect(readSessionCookie('theme=dark')).toBeUndefined();
    expect(readSessionCookie(`${SESSION_COOKIE}=short`)).toBeUndefined();
    expect(readSessionCookie(`${SESSION_COOKIE}=${id.slice(0, -1)}!`)).toBeUndefined();
    expect(readSessionCookie(`va_session=${id}`)).toBeUndefined();
  });
});
