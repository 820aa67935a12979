import { describe, expect, it } from 'vitest';
import { DUPLICATE_EMAIL_MESSAGE, describeFailure } from '../../../../src/web/features/invite/failure.ts';
import { ApiError } from '../../../../src/web/lib/api-client.ts';

describe('describeFailure', () => {
  it('orders field errors as the form does and keeps messages that name no field', () => {
    const failure = describeFailure(
      new ApiError(400, {
        type: '/problems/validation',
        title: 'Check the fields.',
        status: 400,
        errors: [
          { path: 'clinicRole', message: 'Pick a role.' },
          { path: 'firstName', message: 'Too long.' },
          { path: '', message: 'Unexpected field: nickname.' },
        ],
      }),
    );
    expect(failure).toEqual({
      kind: 'fields',
      fields: [
        { path: 'firstName', message: 'Too long.' },
        { path: 'clinicRole', message: 'Pick a role.' },
      ],
      other: ['Unexpected field: nickname.'],
    });
  });

  it('puts a duplicate email on the email field even when the server names no field', () => {
    const failure = describeFailure(
      new ApiError(409, { type: '/problems/duplicate-email', title: 'Already in use.', status: 409 }),
    );
    expect(failure).toEqual({
      kind: 'fields',
      fields: [{ path: 'email', message: DUPLICATE_EMAIL_MESSAGE }],
      other: [],
    });
  });

  it('offers a retry for upstream faults and network failures, and not for a rejected key', () => {
    for (const [status, type] of [
      [502, '/problems/upstream-unavailable'],
      [502, '/problems/upstream-invalid-response'],
      [504, '/problems/upstream-timeout'],
      [0, '/problems/network'],
      [500, '/problems/internal'],
    ] as const) {
      expect(describeFailure(new ApiError(status, { type, title: 'x', status })).kind).toBe('retry');
    }
    expect(
      describeFailure(new ApiError(502, { type: '/problems/upstream-key-rejected', title: 'x', status: 502 }))
        .kind,
    ).toBe('error');
  });

  it('carries the seconds to wait on a 429', () => {
    expect(
      describeFailure(
        new ApiError(429, { type: '/problems/rate-limited', title: 'x', status: 429, retryAfter: 12 }),
      ),
    ).toEqual({ kind: 'rate-limited', seconds: 12 });
  });
});
