import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { AuditQuerySchema } from '../../src/contract/audit.ts';
import { InvitationSchema, ListInvitationsQuerySchema } from '../../src/contract/invitations.ts';
import { AddOperatorInputSchema } from '../../src/contract/operators.ts';
import {
  ChangePasswordInputSchema,
  NewPasswordSchema,
  SignInInputSchema,
} from '../../src/contract/session.ts';
import { hasUnusableCharacter, unusableCharacterMessage } from '../../src/contract/text.ts';
import {
  InviteUserInputSchema,
  ListUsersQuerySchema,
  UpdateUserInputSchema,
  UserPageSchema,
  UserSchema,
} from '../../src/contract/users.ts';

/**
 * Every text field of every input schema refuses control characters, direction overrides and marks, line separators
 * and lone surrogates (issue 13), with a message that names the field; clean text in any script is accepted; and the
 * schemas that read Avara's answers stay tolerant of all of them.
 */

const code = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((c) => String.fromCharCode(c));

/** One character no input may hold. */
const unusable = fc.oneof(
  code(0x00, 0x1f),
  fc.constant('\u007f'),
  code(0x80, 0x9f),
  code(0x202a, 0x202e),
  code(0x2066, 0x2069),
  fc.constantFrom('\u200e', '\u200f', '\u061c', '\u2028', '\u2029'),
  // Lone surrogates: half a character.
  code(0xd800, 0xdbff),
  code(0xdc00, 0xdfff),
);

/** What `String.prototype.trim` removes among them: only these are let through at either end (they are trimmed). */
const TRIMMED = new Set(['\t', '\n', '\u000b', '\f', '\r', '\u2028', '\u2029']);

/** Letters from many scripts, digits, and the punctuation names hold. */
const cleanChar = fc.constantFrom(
  ...'abcXYZéßøłÇñ李明김민준Александрأحمدשרה0123456789',
  "'",
  '-',
  '.',
  '😀',
  '👩🏽‍⚕️',
  'ㅤ',
);
/** Clean text that starts and ends with a visible character (so trimming leaves it as it is). */
const cleanText = (maxLength: number) =>
  fc
    .array(fc.oneof({ weight: 5, arbitrary: cleanChar }, { weight: 1, arbitrary: fc.constant(' ') }), {
      minLength: 1,
      maxLength,
    })
    .map((chars) => chars.join('').trim())
    .filter((text) => text.length > 0 && text.length <= maxLength);

interface FieldCase {
  /** Which input it is, for the test's name. */
  input: string;
  schema: z.ZodMiniType;
  base: Record<string, unknown>;
  field: string;
  label: string;
  /** A valid value of the field (the unusable character is put somewhere inside it). */
  value: fc.Arbitrary<string>;
  /** The field keeps surrounding spaces and controls (never trimmed). */
  untrimmed?: boolean;
}

const INVITE = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  email: 'dr.johnson@hospital.org',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
};
const email = fc.constantFrom('dr.johnson@hospital.org', 'a@b.co', 'first.last+tag@clinic.example');
const phone = fc.constantFrom('5551234567', '(555) 123-4567', '+1 555 123 4567');
const cursor = fc.stringMatching(/^[A-Za-z0-9_-]{2,40}$/);
const password = fc.constantFrom('correct horse battery staple', 'a long password 4 me');

const CASES: FieldCase[] = [
  ...(['firstName', 'lastName', 'middleName'] as const).map((field) => ({
    input: 'invite',
    schema: InviteUserInputSchema,
    base: INVITE,
    field,
    label: { firstName: 'first name', lastName: 'last name', middleName: 'middle name' }[field],
    value: cleanText(60),
  })),
  {
    input: 'invite',
    schema: InviteUserInputSchema,
    base: INVITE,
    field: 'suffix1',
    label: 'first suffix',
    value: cleanText(10),
  },
  {
    input: 'invite',
    schema: InviteUserInputSchema,
    base: INVITE,
    field: 'suffix2',
    label: 'second suffix',
    value: cleanText(10),
  },
  {
    input: 'invite',
    schema: InviteUserInputSchema,
    base: INVITE,
    field: 'email',
    label: 'email address',
    value: email,
  },
  {
    input: 'invite',
    schema: InviteUserInputSchema,
    base: INVITE,
    field: 'phoneNumber',
    label: 'phone number',
    value: phone,
  },
  ...(['firstName', 'lastName', 'middleName'] as const).map((field) => ({
    input: 'update',
    schema: UpdateUserInputSchema,
    base: {},
    field,
    label: { firstName: 'first name', lastName: 'last name', middleName: 'middle name' }[field],
    value: cleanText(60),
  })),
  {
    input: 'update',
    schema: UpdateUserInputSchema,
    base: {},
    field: 'suffix1',
    label: 'first suffix',
    value: cleanText(10),
  },
  {
    input: 'update',
    schema: UpdateUserInputSchema,
    base: {},
    field: 'suffix2',
    label: 'second suffix',
    value: cleanText(10),
  },
  {
    input: 'update',
    schema: UpdateUserInputSchema,
    base: {},
    field: 'phoneNumber',
    label: 'phone number',
    value: phone,
  },
  {
    input: 'list users',
    schema: ListUsersQuerySchema,
    base: {},
    field: 'firstName',
    label: 'first name',
    value: cleanText(60),
  },
  {
    input: 'list users',
    schema: ListUsersQuerySchema,
    base: {},
    field: 'lastName',
    label: 'last name',
    value: cleanText(60),
  },
  {
    input: 'list users',
    schema: ListUsersQuerySchema,
    base: {},
    field: 'email',
    label: 'email address',
    value: email,
  },
  {
    input: 'list users',
    schema: ListUsersQuerySchema,
    base: {},
    field: 'cursor',
    label: 'page link',
    value: cursor,
  },
  {
    input: 'list invitations',
    schema: ListInvitationsQuerySchema,
    base: {},
    field: 'cursor',
    label: 'page link',
    value: cursor,
  },
  {
    input: 'audit query',
    schema: AuditQuerySchema,
    base: {},
    field: 'cursor',
    label: 'page link',
    value: cursor,
  },
  {
    input: 'add operator',
    schema: AddOperatorInputSchema,
    base: { email: 'dana@clinic.org', displayName: 'Dana' },
    field: 'displayName',
    label: 'display name',
    value: cleanText(60),
  },
  {
    input: 'add operator',
    schema: AddOperatorInputSchema,
    base: { email: 'dana@clinic.org', displayName: 'Dana' },
    field: 'email',
    label: 'email address',
    value: email,
  },
  {
    input: 'sign-in',
    schema: SignInInputSchema,
    base: { email: 'dana@clinic.org', password: 'whatever it was' },
    field: 'email',
    label: 'email address',
    value: email,
  },
  {
    input: 'password change',
    schema: ChangePasswordInputSchema,
    base: { currentPassword: 'the old one', newPassword: 'correct horse battery staple' },
    field: 'newPassword',
    label: 'new password',
    value: password,
    untrimmed: true,
  },
];

function issuesOf(schema: z.ZodMiniType, input: unknown) {
  const result = z.safeParse(schema, input);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** `text` with `bad` put at `at` (a fraction of its length); characters trim would remove go strictly inside. */
function insert(text: string, bad: string, at: number, untrimmed: boolean): string {
  const chars = [...text];
  const inside = !untrimmed && TRIMMED.has(bad);
  if (inside && chars.length < 2) return `${text}x${bad}x`;
  const lowest = inside ? 1 : 0;
  const highest = inside ? chars.length - 1 : chars.length;
  const index = lowest + Math.floor(at * (highest - lowest + 1));
  chars.splice(Math.min(index, highest), 0, bad);
  return chars.join('');
}

describe.each(CASES)('$input: $field', (fieldCase) => {
  const { schema, base, field, label } = fieldCase;

  it(`refuses any unusable character anywhere in the ${label}, naming the field`, () => {
    fc.assert(
      fc.property(
        fieldCase.value,
        unusable,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (value, bad, at) => {
          const input = { ...base, [field]: insert(value, bad, at, fieldCase.untrimmed === true) };
          expect(issuesOf(schema, input)).toEqual([
            { path: field, message: unusableCharacterMessage(label) },
          ]);
        },
      ),
    );
  });

  it(`accepts a clean ${label}`, () => {
    fc.assert(
      fc.property(fieldCase.value, (value) => {
        expect(hasUnusableCharacter(value)).toBe(false);
        expect(issuesOf(schema, { ...base, [field]: value })).toEqual([]);
      }),
    );
  });
});

describe('the rule', () => {
  it('names the field for a clinic administrator', () => {
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: 'Sa\u0000rah' })).toEqual([
      {
        path: 'firstName',
        message:
          'The first name contains a character that cannot be used (an invisible or control character). Type it again rather than pasting it.',
      },
    ]);
  });

  it('trims spaces, tabs and line breaks around a name (a paste loses them) but refuses them inside', () => {
    expect(InviteUserInputSchema.parse({ ...INVITE, firstName: '\tSarah\r\n' }).firstName).toBe('Sarah');
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: 'Sa\trah' })).toHaveLength(1);
    // A NUL or a direction override is never trimmed, wherever it is.
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: '\u0000Sarah' })).toHaveLength(1);
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: 'Sarah\u202e' })).toHaveLength(1);
  });

  it('keeps emoji, joiners and every script: only lone surrogates are refused, not pairs', () => {
    for (const name of ['👩🏽‍⚕️ Ana', 'محمد', 'שרה', 'Zoë', 'Nguyễn', '李明', 'O\u2019Brien', 'Jean\u00a0Paul']) {
      expect(InviteUserInputSchema.parse({ ...INVITE, firstName: name }).firstName).toBe(name);
    }
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: '\ud83d' })).toHaveLength(1);
    expect(issuesOf(InviteUserInputSchema, { ...INVITE, firstName: 'a\ude00' })).toHaveLength(1);
  });

  it('refuses path, pattern and list fields too (by their own messages)', () => {
    for (const bad of ['\u0000', '\n', '\u202e', '\ud800']) {
      expect(issuesOf(ListInvitationsQuerySchema, { status: `sent,re${bad}voked` })[0]?.path).toMatch(
        /^status/,
      );
      expect(issuesOf(ListInvitationsQuerySchema, { startDate: `2026-01-01${bad}` })[0]?.path).toBe(
        'startDate',
      );
      expect(issuesOf(ListInvitationsQuerySchema, { userId: `usr_${'a'.repeat(32)}${bad}` })[0]?.path).toBe(
        'userId',
      );
      expect(issuesOf(AuditQuerySchema, { from: `2026-01-01${bad}` })[0]?.path).toBe('from');
      expect(issuesOf(ListUsersQuerySchema, { level: `admin${bad}` })[0]?.path).toBe('level');
    }
  });
});

describe('passwords', () => {
  it('a new password refuses them all', () => {
    fc.assert(
      fc.property(
        password,
        unusable,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (value, bad, at) => {
          expect(NewPasswordSchema.safeParse(insert(value, bad, at, true)).success).toBe(false);
        },
      ),
    );
  });

  it('sign-in and the current password refuse only lone surrogates: a password chosen earlier still signs in', () => {
    fc.assert(
      fc.property(
        password,
        unusable,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (value, bad, at) => {
          const typed = insert(value, bad, at, true);
          const lone = /\p{Cs}/u.test(typed);
          const signIn = issuesOf(SignInInputSchema, { email: 'dana@clinic.org', password: typed });
          expect(signIn).toEqual(
            lone ? [{ path: 'password', message: unusableCharacterMessage('password') }] : [],
          );
          const change = issuesOf(ChangePasswordInputSchema, {
            currentPassword: typed,
            newPassword: 'correct horse battery staple',
          });
          expect(change).toEqual(
            lone ? [{ path: 'currentPassword', message: unusableCharacterMessage('current password') }] : [],
          );
        },
      ),
    );
  });
});

describe("reading Avara's answers stays tolerant", () => {
  it('a record created elsewhere, with any of those characters, is still read as it is', () => {
    const user = {
      userId: `usr_${'c'.repeat(32)}`,
      email: 'odd\u0000@clinic.org',
      firstName: 'Sa\u202erah\n',
      lastName: '\ud800Johnson\u0085',
      middleName: '\u2066x\u2069',
      suffix1: '\t',
      clinicRole: 'Radiologist\u200f',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: true,
      invitedSource: 'dashboard',
      createdAt: null,
      lastLoginAt: null,
    };
    expect(UserSchema.parse(user)).toEqual(user);
    expect(UserPageSchema.parse({ users: [user], cursor: 'a\u0000b', hasMore: true }).cursor).toBe(
      'a\u0000b',
    );
    const invitation = {
      ...user,
      invitationId: `inv_${'d'.repeat(32)}`,
      clinicId: 'clinic\u001b',
      inviterId: null,
      status: 'sent',
      expiry: null,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    expect(InvitationSchema.parse(invitation).firstName).toBe(user.firstName);
  });
});
