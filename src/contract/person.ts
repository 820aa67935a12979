import * as z from 'zod/mini';
import { usableText } from './text.ts';

/** Field rules shared by invite, user update and invitation update. Messages are for a clinic administrator. */

export const NAME_MAX = 100;
export const SUFFIX_MAX = 20;
export const EMAIL_MAX = 254;

export const ADMIN_NEEDS_DASHBOARD =
  'Admins need dashboard access. Turn dashboard access on, or choose Member.';

export const LEVELS = ['admin', 'member'] as const;
export const LevelSchema = z.enum(LEVELS, 'Choose Admin or Member.');
export type Level = z.infer<typeof LevelSchema>;

export const READ_LEVELS = ['owner', 'admin', 'member'] as const;
export const ReadLevelSchema = z.enum(READ_LEVELS, 'Choose Owner, Admin or Member.');

export const INVITED_SOURCES = ['dashboard', 'api'] as const;
export const InvitedSourceSchema = z.enum(INVITED_SOURCES, 'Choose dashboard or api.');

/** A strict object: an unexpected field is refused with a message that names it. */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unexpected field: ${issue.keys.join(', ')}.` : undefined,
  });
}

/** Keep only the digits that will be stored: spaces, dashes, brackets, dots and one leading + are dropped. */
export function normalizePhone(raw: string): string {
  return raw
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s\-().]/g, '');
}

const PHONE_PATTERN = /^\d{10,15}$/;
const PHONE_MESSAGE = 'Enter a phone number with 10 to 15 digits, for example (555) 123-4567.';

export const requiredName = (label: string) =>
  z
    .string(`Enter a ${label}.`)
    .check(
      z.trim(),
      usableText(label),
      z.minLength(1, `Enter a ${label}.`),
      z.maxLength(NAME_MAX, `Keep the ${label} to ${NAME_MAX} characters or fewer.`),
    );

const trimmedText = (label: string, max: number) =>
  z
    .string(`The ${label} must be text.`)
    .check(z.trim(), usableText(label), z.maxLength(max, `Keep the ${label} to ${max} characters or fewer.`));

/** Optional text: blank means absent (never sent as an empty string). */
export const optionalText = (label: string, max: number) =>
  z.optional(
    z.pipe(
      trimmedText(label, max),
      z.transform((s) => (s === '' ? undefined : s)),
    ),
  );

/**
 * Clearable text for updates: blank or null means "clear it" (sent as null). Nullable rather than a union with null,
 * so a refused value gets the field's own message, not a union's "Invalid input".
 */
export const clearableText = (label: string, max: number) =>
  z.optional(
    z.nullable(
      z.pipe(
        trimmedText(label, max),
        z.transform((s) => (s === '' ? null : s)),
      ),
    ),
  );

const phoneDigits = z.string().check(z.regex(PHONE_PATTERN, PHONE_MESSAGE));
/** The phone number as typed: its characters are checked before spaces, dashes and brackets are dropped. */
const phoneText = z.string('Enter the phone number as text.').check(usableText('phone number'));

export const optionalPhone = z.optional(
  z.pipe(
    z.pipe(
      phoneText,
      z.transform((s) => (s.trim() === '' ? undefined : normalizePhone(s))),
    ),
    z.optional(phoneDigits),
  ),
);

export const clearablePhone = z.optional(
  z.nullable(
    z.pipe(
      z.pipe(
        phoneText,
        z.transform((s) => (s.trim() === '' ? null : normalizePhone(s))),
      ),
      z.nullable(phoneDigits),
    ),
  ),
);

export const EmailSchema = z
  .string('Enter an email address.')
  .check(
    z.trim(),
    usableText('email address'),
    z.toLowerCase(),
    z.minLength(1, { message: 'Enter an email address.', abort: true }),
    z.maxLength(EMAIL_MAX, `Keep the email address to ${EMAIL_MAX} characters or fewer.`),
    z.email('Enter a valid email address, like name@clinic.org.'),
  );

export const DashboardAccessSchema = z.boolean('Choose whether they get dashboard access.');
export const ManageStudiesSchema = z.boolean('Choose whether they may manage studies.');

/** True when the combination breaks the rule "admins need dashboard access". */
export function breaksAdminRule(person: {
  level?: string | undefined;
  hasDashboardAccess?: boolean | undefined;
}) {
  return person.level === 'admin' && person.hasDashboardAccess === false;
}
