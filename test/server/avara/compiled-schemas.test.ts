import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { InvitationPageSchema, InvitationSchema } from '../../../src/contract/invitations.ts';
import { InviteUserInputSchema, UserPageSchema, UserSchema } from '../../../src/contract/users.ts';
import { compiled } from '../../../src/server/avara/compiled-schemas.ts';

const SARAH = {
  userId: 'usr_1234567890abcdef1234567890abcdef',
  email: 'dr.johnson@hospital.org',
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: 'MD',
  suffix2: null,
  phoneNumber: '5551234567',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
  invitedSource: 'api',
  createdAt: '2024-01-15T10:00:00Z',
  lastLoginAt: null,
};

/** Values near a user: each field kept, dropped, nulled or replaced by something random. */
function nearly(base: Record<string, unknown>) {
  const fields = Object.keys(base);
  return fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.constantFrom(...fields, 'extra', '__proto__'),
          fc.oneof(fc.constant(undefined), fc.constant(null), fc.jsonValue()),
        ),
        { maxLength: 4 },
      ),
      fc.boolean(),
    )
    .map(([changes, dropFirst]) => {
      const value: Record<string, unknown> = Object.fromEntries(
        Object.entries(base).filter(([key]) => !dropFirst || key !== fields[0]),
      );
      for (const [key, replacement] of changes) {
        Object.defineProperty(value, key, {
          value: replacement,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return value;
    });
}

function expectSameVerdict(schema: z.core.$ZodType, value: unknown) {
  const plain = z.safeParse(schema, value);
  const fast = z.safeParse(compiled(schema), value);
  expect(fast.success).toBe(plain.success);
  if (plain.success && fast.success) expect(fast.data).toEqual(plain.data);
  else expect(fast.error?.issues.map((i) => i.path)).toEqual(plain.error?.issues.map((i) => i.path));
}

const INVITATION = {
  invitationId: `inv_${'b'.repeat(32)}`,
  userId: SARAH.userId,
  clinicId: '5b0e4c1a-6c55-4f5e-9d0e-2f1f2b7d9c11',
  email: SARAH.email,
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

describe('compiled schemas', () => {
  it('accept a valid user, page and invitation exactly as the contract does', () => {
    expectSameVerdict(UserSchema, SARAH);
    expectSameVerdict(UserPageSchema, { users: [SARAH, SARAH], cursor: null, hasMore: false });
    expect(z.safeParse(InvitationSchema, INVITATION).success).toBe(true);
    expectSameVerdict(InvitationPageSchema, { invitations: [INVITATION], hasMore: true, cursor: 'x' });
  });

  it('give the same verdict, data and issue paths as the contract on near-misses (property)', () => {
    fc.assert(
      fc.property(nearly(SARAH), (user) => {
        expectSameVerdict(UserSchema, user);
        expectSameVerdict(UserPageSchema, { users: [SARAH, user], hasMore: false });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(nearly(INVITATION), (invitation) => expectSameVerdict(InvitationSchema, invitation)),
      { numRuns: 200 },
    );
  });

  it('keep refinements and strictness (the invite input: admin needs dashboard access, no extra fields)', () => {
    const invite = {
      firstName: ' Sarah ',
      lastName: 'Johnson',
      email: 'Dr.J@hospital.org',
      clinicRole: 'Radiologist',
      level: 'admin',
      hasDashboardAccess: true,
      canManageStudies: false,
    };
    expectSameVerdict(InviteUserInputSchema, invite);
    expectSameVerdict(InviteUserInputSchema, { ...invite, hasDashboardAccess: false });
    expectSameVerdict(InviteUserInputSchema, { ...invite, extra: 1 });
  });
});
