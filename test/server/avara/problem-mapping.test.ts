import { describe, expect, it } from 'vitest';
import {
  ECHOED_KEY_TITLE,
  INVITE_UNCONFIRMED,
  problemForUpstreamError,
} from '../../../src/server/avara/problem-mapping.ts';
import type { UpstreamOperation } from '../../../src/server/avara/problem-mapping.ts';
import { UpstreamError } from '../../../src/server/avara/upstream-error.ts';
import type { AvaraErrorBody } from '../../../src/contract/avara-error.ts';

/** The mapping rules that the sandbox's own answers do not reach (the real Avara may answer differently). */

function map(status: number, body: AvaraErrorBody | undefined, operation: UpstreamOperation = 'invite') {
  return problemForUpstreamError(new UpstreamError({ kind: 'http', status, body }), operation);
}

describe('problemForUpstreamError', () => {
  it('treats a 400/422 saying the email already exists as a duplicate email', () => {
    expect(map(422, { message: 'The email has already been taken.' }).code).toBe('duplicate-email');
    expect(map(400, { errors: [{ field: 'email', message: 'already exists' }] }).code).toBe(
      'duplicate-email',
    );
    expect(map(400, { message: 'Enter a valid email address.' }).code).toBe('validation');
  });

  it('treats a silent 409 on invite as a duplicate email, elsewhere as a conflict', () => {
    expect(map(409, undefined, 'invite').code).toBe('duplicate-email');
    expect(map(409, {}, 'invite').code).toBe('duplicate-email');
    expect(map(409, undefined, 'update-invitation')).toMatchObject({
      code: 'conflict',
      title: 'This invitation can no longer be edited',
    });
    expect(map(409, { message: 'Only a pending invitation can be edited.' }, 'update-invitation').code).toBe(
      'conflict',
    );
  });

  it('attributes field errors from nested paths and `field`, ignoring unknown fields', () => {
    const problem = map(400, {
      errors: [
        { path: 'body.phoneNumber', message: 'Enter 10 to 15 digits.' },
        { field: 'lastName' },
        { path: '/clinicRole', message: 'Choose a role.' },
        { path: 'somethingElse', message: 'Nope.' },
      ],
    });
    expect(problem.errors).toEqual([
      { path: 'phoneNumber', message: 'Enter 10 to 15 digits.' },
      { path: 'lastName', message: 'Avara did not accept the last name.' },
      { path: 'clinicRole', message: 'Choose a role.' },
    ]);
  });

  it('attributes a bare message to the fields it names, by name or by label', () => {
    expect(map(400, { message: 'The phone number is too short' }).errors).toEqual([
      { path: 'phoneNumber', message: 'The phone number is too short' },
    ]);
  });

  it('replaces upstream messages that are long, multi-line or about credentials with its own words', () => {
    const problem = map(400, {
      errors: [
        { path: 'email', message: 'x'.repeat(201) },
        { path: 'firstName', message: 'line one\nline two' },
        { path: 'lastName', message: 'Bearer [redacted] is not allowed' },
      ],
    });
    expect(problem.errors).toEqual([
      { path: 'email', message: 'Avara did not accept the email address.' },
      { path: 'firstName', message: 'Avara did not accept the first name.' },
      { path: 'lastName', message: 'Avara did not accept the last name.' },
    ]);
  });

  it('maps 408 to a timeout and unexpected 4xx to an unreadable answer', () => {
    expect(map(408, undefined, 'list-users')).toMatchObject({ code: 'upstream-timeout', status: 504 });
    expect(map(418, undefined, 'list-users')).toMatchObject({
      code: 'upstream-invalid-response',
      status: 502,
    });
  });

  it('keeps a 5xx Retry-After for the browser', () => {
    const problem = problemForUpstreamError(
      new UpstreamError({ kind: 'http', status: 503, retryAfter: 10 }),
      'list-users',
    );
    expect(problem).toMatchObject({ code: 'upstream-unavailable', status: 502, retryAfter: 10 });
  });

  it('caps any wait it passes on at an hour, and never passes on less than a second', () => {
    const wait = (
      kind: 'http' | 'circuit-open' | 'overloaded',
      status: number | undefined,
      retryAfter: number,
    ) => problemForUpstreamError(new UpstreamError({ kind, status, retryAfter }), 'list-users').retryAfter;
    expect(wait('http', 429, 99_999_999)).toBe(3600);
    expect(wait('http', 503, 99_999_999)).toBe(3600);
    expect(wait('http', 429, -5)).toBe(1);
    expect(wait('http', 429, 0.2)).toBe(1);
    expect(wait('circuit-open', undefined, 1e12)).toBe(3600);
    expect(wait('overloaded', undefined, Number.POSITIVE_INFINITY)).toBe(3600);
  });

  it('maps an answer that held the key to 502 "Avara\'s answer could not be used", whatever its status', () => {
    for (const status of [200, 201, 400, 404, 409, 429, 500]) {
      const read = problemForUpstreamError(new UpstreamError({ kind: 'echoed-key', status }), 'get-user');
      expect(read).toMatchObject({
        code: 'upstream-invalid-response',
        status: 502,
        title: ECHOED_KEY_TITLE,
      });
      expect(read.retryAfter).toBeUndefined();
      expect(read.detail).toMatch(/API key.*Nothing was changed/);
      const write = problemForUpstreamError(new UpstreamError({ kind: 'echoed-key', status }), 'update-user');
      expect(write.detail).toMatch(/may or may not have been made/);
      const invite = problemForUpstreamError(new UpstreamError({ kind: 'echoed-key', status }), 'invite');
      expect(invite.detail).toContain(INVITE_UNCONFIRMED);
    }
  });
});
