import { describe, expect, it } from 'vitest';
import {
  InvitationPageSchema,
  InvitationSchema,
  ListInvitationsQuerySchema,
  RevokeInvitationBodySchema,
} from '../../src/contract/invitations.ts';
import { toQueryString } from '../../src/contract/query.ts';
import { ProblemSchema, fieldErrors, problemCodeOf, problemType } from '../../src/contract/problem.ts';

const invitation = {
  invitationId: 'inv_1234567890abcdef1234567890abcdef',
  userId: 'usr_1234567890abcdef1234567890abcdef',
  clinicId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  email: 'dr.johnson@hospital.org',
  firstName: 'Sarah',
  lastName: 'Johnson',
  middleName: null,
  phoneNumber: null,
  suffix1: null,
  suffix2: null,
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: false,
  invitedSource: 'api',
  inviterId: null,
  status: 'sent',
  expiry: '2024-01-22T10:00:00Z',
  createdAt: '2024-01-15T10:00:00Z',
  updatedAt: '2024-01-15T10:00:00Z',
};

describe('invitations', () => {
  it('parses an invitation and a page', () => {
    expect(InvitationSchema.parse(invitation)).toEqual(invitation);
    expect(
      InvitationPageSchema.parse({ invitations: [invitation], cursor: 'abc', hasMore: true }).hasMore,
    ).toBe(true);
    expect(
      InvitationSchema.safeParse({ ...invitation, invitationId: 'usr_1234567890abcdef1234567890abcdef' })
        .success,
    ).toBe(false);
  });

  it('reads createdAt, updatedAt and expiry as null when Avara did not record them, and nothing else', () => {
    const untimed = { ...invitation, createdAt: null, updatedAt: null, expiry: null };
    expect(InvitationSchema.parse(untimed)).toEqual(untimed);
    for (const field of ['createdAt', 'updatedAt', 'expiry']) {
      expect(InvitationSchema.safeParse({ ...invitation, [field]: 17 }).success, field).toBe(false);
      expect(InvitationSchema.safeParse({ ...invitation, [field]: undefined }).success, field).toBe(false);
    }
  });

  it('reads the status filter in comma format and writes it back the same way', () => {
    const query = ListInvitationsQuerySchema.parse({
      status: 'sent,revoked,sent',
      expired: 'not-expired',
      limit: '10',
    });
    expect(query).toEqual({ status: ['sent', 'revoked'], expired: 'not-expired', limit: 10 });
    expect(toQueryString(query)).toBe('?limit=10&status=sent,revoked&expired=not-expired');
    expect(toQueryString({ firstName: 'a&b c' })).toBe('?firstName=a%26b%20c');
    expect(toQueryString({})).toBe('');
  });

  it.each([
    { status: 'pending' },
    { status: '' },
    { expired: 'yes' },
    { startDate: '2024-02-30' },
    { startDate: '15/01/2024' },
    { startDate: '2024-03-01', endDate: '2024-02-01' },
    { userId: 'usr_x' },
    { extra: '1' },
  ])('refuses %j', (query) => {
    expect(ListInvitationsQuerySchema.safeParse(query).success).toBe(false);
  });

  it('accepts a date range on the same day', () => {
    expect(ListInvitationsQuerySchema.parse({ startDate: '2024-02-29', endDate: '2024-02-29' })).toEqual({
      startDate: '2024-02-29',
      endDate: '2024-02-29',
    });
  });

  it('needs an invitationId or a userId to revoke', () => {
    expect(RevokeInvitationBodySchema.safeParse({}).success).toBe(false);
    expect(RevokeInvitationBodySchema.safeParse({ invitationId: invitation.invitationId }).success).toBe(
      true,
    );
    expect(RevokeInvitationBodySchema.safeParse({ userId: invitation.userId }).success).toBe(true);
  });
});

describe('problem details', () => {
  it('round-trips a problem with field errors', () => {
    const problem = {
      type: problemType('duplicate-email'),
      title: 'Already invited',
      status: 409,
      errors: [{ path: 'email', message: 'Someone with this email address has already been invited.' }],
      requestId: 'req-1',
    };
    expect(ProblemSchema.parse(problem)).toEqual(problem);
    expect(problemCodeOf(problem)).toBe('duplicate-email');
    expect(problemCodeOf({ type: 'about:blank' })).toBeUndefined();
  });

  it('flattens zod issue paths', () => {
    expect(
      fieldErrors([
        { path: ['a', 0, 'b'], message: 'm' },
        { path: [], message: 'whole' },
      ]),
    ).toEqual([
      { path: 'a.0.b', message: 'm' },
      { path: '', message: 'whole' },
    ]);
  });
});
