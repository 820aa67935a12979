import { describe, expect, it } from 'vitest';
import {
  InviteUserInputSchema,
  ListUsersQuerySchema,
  NOTHING_TO_CHANGE,
  UpdateUserInputSchema,
  UserPageSchema,
  UserSchema,
  mergeUpdate,
} from '../../src/contract/users.ts';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule, normalizePhone } from '../../src/contract/person.ts';
import { UserIdSchema, InvitationIdSchema } from '../../src/contract/ids.ts';

const valid = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  email: 'dr.johnson@hospital.org',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
};

function issuesOf(input: unknown) {
  const result = InviteUserInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('InviteUserInputSchema', () => {
  it('accepts the documented example unchanged', () => {
    expect(InviteUserInputSchema.parse(valid)).toEqual(valid);
  });

  it('trims names and email, lower-cases the email, and keeps optional fields absent when blank', () => {
    const parsed = InviteUserInputSchema.parse({
      ...valid,
      firstName: '  Sarah ',
      lastName: ' Johnson',
      middleName: '   ',
      suffix1: ' MD ',
      suffix2: '',
      phoneNumber: '',
      email: '  Dr.Johnson@Hospital.ORG ',
    });
    // What goes on the wire: blank optional fields are absent, never "".
    expect(JSON.parse(JSON.stringify(parsed))).toStrictEqual({ ...valid, suffix1: 'MD' });
  });

  it('requires first and last name after trimming', () => {
    expect(issuesOf({ ...valid, firstName: '   ', lastName: '' })).toEqual([
      ['firstName', 'Enter a first name.'],
      ['lastName', 'Enter a last name.'],
    ]);
    expect(issuesOf({ ...valid, firstName: undefined })).toEqual([['firstName', 'Enter a first name.']]);
  });

  it('limits name lengths', () => {
    expect(issuesOf({ ...valid, firstName: 'x'.repeat(101) })).toEqual([
      ['firstName', 'Keep the first name to 100 characters or fewer.'],
    ]);
    expect(issuesOf({ ...valid, firstName: 'x'.repeat(100) })).toEqual([]);
    expect(issuesOf({ ...valid, suffix1: 'x'.repeat(21) })).toEqual([
      ['suffix1', 'Keep the first suffix to 20 characters or fewer.'],
    ]);
  });

  it('requires a valid email', () => {
    for (const email of ['', 'no-at-sign', 'a@b', 'a @b.org', 'a@b..org']) {
      expect(issuesOf({ ...valid, email }).map(([path]) => path)).toEqual(['email']);
    }
  });

  it.each([
    ['5551234567', '5551234567'],
    ['555-123-4567', '5551234567'],
    ['(555) 123-4567', '5551234567'],
    ['555.123.4567', '5551234567'],
    ['+1 555 123 4567', '15551234567'],
    ['+44 (20) 7946-0958', '442079460958'],
    ['123456789012345', '123456789012345'],
  ])('accepts the phone %s as %s', (input, stored) => {
    expect(InviteUserInputSchema.parse({ ...valid, phoneNumber: input }).phoneNumber).toBe(stored);
  });

  it.each([
    '123456789',
    '1234567890123456',
    '555-CALL-NOW',
    '++15551234567',
    '555/123/4567',
    '5551234567 ext 2',
  ])('refuses the phone %s with a readable message', (input) => {
    expect(issuesOf({ ...valid, phoneNumber: input })).toEqual([
      ['phoneNumber', 'Enter a phone number with 10 to 15 digits, for example (555) 123-4567.'],
    ]);
  });

  it('normalises phones the same way everywhere', () => {
    expect(normalizePhone(' +1 (555) 123-45.67 ')).toBe('15551234567');
  });

  it('refuses an admin without dashboard access, on the dashboard access field', () => {
    expect(issuesOf({ ...valid, level: 'admin', hasDashboardAccess: false })).toEqual([
      ['hasDashboardAccess', ADMIN_NEEDS_DASHBOARD],
    ]);
    expect(issuesOf({ ...valid, level: 'admin', hasDashboardAccess: true })).toEqual([]);
    expect(issuesOf({ ...valid, level: 'member', hasDashboardAccess: false })).toEqual([]);
  });

  it('refuses owner, unknown roles, wrong types and unexpected fields', () => {
    expect(issuesOf({ ...valid, level: 'owner' })).toEqual([['level', 'Choose Admin or Member.']]);
    expect(issuesOf({ ...valid, clinicRole: 'Janitor' })).toEqual([
      ['clinicRole', 'Choose a clinic role from the list.'],
    ]);
    expect(issuesOf({ ...valid, canManageStudies: 'true' })).toEqual([
      ['canManageStudies', 'Choose whether they may manage studies.'],
    ]);
    expect(issuesOf({ ...valid, userId: 'usr_00000000000000000000000000000000' })).toEqual([
      ['', 'Unexpected field: userId.'],
    ]);
    expect(issuesOf(null).length).toBeGreaterThan(0);
    expect(issuesOf([]).length).toBeGreaterThan(0);
  });
});

describe('UpdateUserInputSchema', () => {
  it('keeps only the fields sent and turns blanks into null to clear', () => {
    expect(UpdateUserInputSchema.parse({ clinicRole: 'Surgeon' })).toEqual({ clinicRole: 'Surgeon' });
    expect(UpdateUserInputSchema.parse({ middleName: '', suffix1: null, phoneNumber: ' ' })).toEqual({
      middleName: null,
      suffix1: null,
      phoneNumber: null,
    });
    expect(UpdateUserInputSchema.parse({ phoneNumber: '(555) 123-4567' })).toEqual({
      phoneNumber: '5551234567',
    });
  });

  it('refuses an empty change, an email change and an owner level', () => {
    expect(UpdateUserInputSchema.safeParse({}).error?.issues.map((i) => i.message)).toEqual([
      NOTHING_TO_CHANGE,
    ]);
    expect(UpdateUserInputSchema.safeParse({ email: 'x@y.org' }).success).toBe(false);
    expect(UpdateUserInputSchema.safeParse({ level: 'owner' }).success).toBe(false);
    expect(UpdateUserInputSchema.safeParse({ firstName: '  ' }).success).toBe(false);
    expect(UpdateUserInputSchema.safeParse({ firstName: null }).success).toBe(false);
  });

  it('applies the admin rule to the patch and to the merged result', () => {
    const inPatch = UpdateUserInputSchema.safeParse({ level: 'admin', hasDashboardAccess: false });
    expect(inPatch.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['hasDashboardAccess', ADMIN_NEEDS_DASHBOARD],
    ]);
    const current = { level: 'member', hasDashboardAccess: false, firstName: 'Ann', middleName: 'B' };
    const promoted = mergeUpdate(current, UpdateUserInputSchema.parse({ level: 'admin' }));
    expect(promoted).toEqual({
      level: 'admin',
      hasDashboardAccess: false,
      firstName: 'Ann',
      middleName: 'B',
    });
    expect(breaksAdminRule(promoted)).toBe(true);
    const cleared = mergeUpdate(current, UpdateUserInputSchema.parse({ middleName: null }));
    expect(cleared.middleName).toBeNull();
    expect(breaksAdminRule({ level: 'admin', hasDashboardAccess: true })).toBe(false);
    expect(breaksAdminRule({ level: 'owner', hasDashboardAccess: false })).toBe(false);
  });
});

describe('UserSchema (read back)', () => {
  const user = {
    userId: 'usr_1234567890abcdef1234567890abcdef',
    email: 'dr.johnson@hospital.org',
    firstName: 'Sarah',
    lastName: 'Johnson',
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: true,
    invitedSource: 'api',
    createdAt: '2024-01-15T10:00:00Z',
    lastLoginAt: null,
  };

  it('parses the documented example, tolerating owner, unknown roles and extra fields', () => {
    expect(UserSchema.parse(user)).toEqual(user);
    expect(UserSchema.parse({ ...user, level: 'owner', clinicRole: 'Chief Wizard', newField: 1 })).toEqual({
      ...user,
      level: 'owner',
      clinicRole: 'Chief Wizard',
    });
    expect(UserSchema.parse({ ...user, middleName: null, createdAt: null }).middleName).toBeNull();
  });

  it('refuses malformed ids and missing fields', () => {
    expect(UserSchema.safeParse({ ...user, userId: 'usr_123' }).success).toBe(false);
    expect(UserSchema.safeParse({ ...user, hasDashboardAccess: undefined }).success).toBe(false);
    expect(UserPageSchema.parse({ users: [user], cursor: null, hasMore: false }).users).toHaveLength(1);
    expect(UserPageSchema.safeParse({ users: [user] }).success).toBe(false);
  });

  it('knows the id formats', () => {
    expect(UserIdSchema.safeParse('usr_1234567890abcdef1234567890abcdef').success).toBe(true);
    expect(UserIdSchema.safeParse('usr_1234567890ABCDEF1234567890abcdef').success).toBe(false);
    expect(UserIdSchema.safeParse('inv_1234567890abcdef1234567890abcdef').success).toBe(false);
    expect(InvitationIdSchema.safeParse('inv_1234567890abcdef1234567890abcdef').success).toBe(true);
    expect(InvitationIdSchema.safeParse('inv_1234567890abcdef1234567890abcdef0').success).toBe(false);
  });
});

describe('ListUsersQuerySchema', () => {
  it('parses query strings with the upstream names', () => {
    expect(
      ListUsersQuerySchema.parse({
        limit: '50',
        level: 'owner',
        invitedSource: 'api',
        email: 'A@B.org',
        firstName: ' sa ',
      }),
    ).toEqual({ limit: 50, level: 'owner', invitedSource: 'api', email: 'a@b.org', firstName: 'sa' });
  });

  it.each([
    { limit: '0' },
    { limit: '101' },
    { limit: '2.5' },
    { limit: 'ten' },
    { level: 'boss' },
    { invitedSource: 'x' },
    { email: 'nope' },
    { page: '2' },
    { level: ['admin', 'member'] },
  ])('refuses %j', (query) => {
    expect(ListUsersQuerySchema.safeParse(query).success).toBe(false);
  });
});
