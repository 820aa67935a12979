import { INVITE_FIELDS } from '../person/field-names.ts';
import type { InviteField } from '../person/field-names.ts';

/**
 * Which invite field each column of a spreadsheet holds, from its header, forgivingly: case, spaces, underscores,
 * punctuation and accents do not matter, filler words ("optional", "work", "the") are dropped, and each field has the
 * names people give it in their own sheets. Only a whole-header match counts: an unrelated header maps to nothing,
 * never to a guess.
 */

/** A column's field, or null when the column is not used. */
export type ColumnMapping = readonly (InviteField | null)[];

/** How each field is named on screen and in the template. */
export const FIELD_LABELS: Readonly<Record<InviteField, string>> = {
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  suffix1: 'Suffix',
  suffix2: 'Second suffix',
  email: 'Email',
  phoneNumber: 'Phone',
  clinicRole: 'Role',
  level: 'Level',
  hasDashboardAccess: 'Dashboard access',
  canManageStudies: 'Manage studies',
};

/** Header names for each field, written as people write them (normalised before use). */
export const HEADER_SYNONYMS: Readonly<Record<InviteField, readonly string[]>> = {
  firstName: ['First name', 'Given name', 'Forename', 'First', 'FName', 'Given'],
  middleName: ['Middle name', 'Middle', 'Middle initial', 'MI', 'Middle names'],
  lastName: ['Last name', 'Surname', 'Family name', 'Last', 'LName', 'Family'],
  suffix1: ['Suffix', 'Suffix 1', 'First suffix', 'Credentials', 'Credential', 'Post-nominals', 'Degree'],
  suffix2: ['Suffix 2', 'Second suffix', 'Other suffix'],
  email: ['Email', 'Email address', 'Mail', 'Login', 'Login email', 'Emails'],
  phoneNumber: [
    'Phone',
    'Phone number',
    'Telephone',
    'Telephone number',
    'Tel',
    'Mobile',
    'Mobile number',
    'Mobile phone',
    'Cell',
    'Cell phone',
    'Phone no',
    'Contact number',
  ],
  clinicRole: ['Role', 'Clinic role', 'Job title', 'Job role', 'Position', 'Occupation', 'Profession'],
  level: [
    'Level',
    'Admin',
    'Access level',
    'Admin or member',
    'User level',
    'Permission level',
    'Account type',
  ],
  hasDashboardAccess: ['Dashboard', 'Dashboard access'],
  canManageStudies: ['Manage studies', 'Studies', 'Study management', 'Manages studies', 'Manage study'],
};

/** Words a header may carry that do not change its meaning ("Work email (optional)", "Is admin?", "Their role"). */
const FILLER = new Set([
  'optional',
  'required',
  'the',
  'a',
  'an',
  'of',
  'is',
  'has',
  'can',
  'may',
  'their',
  'your',
  'user',
  'users',
  'person',
  'persons',
  'staff',
  'work',
  'primary',
  'business',
  'office',
  'preferred',
  'main',
]);

const wordsOf = (header: string) =>
  header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // "E-mail" and "e.mail" are one word; other punctuation separates words.
    .replace(/\b(e)[-.\s](mail)\b/g, '$1$2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');

/** The header reduced to its words (accents, case and punctuation gone, filler dropped), run together. */
export function headerKey(header: string): string {
  return wordsOf(header)
    .filter((word) => !FILLER.has(word))
    .join('');
}

const FIELD_OF_KEY: ReadonlyMap<string, InviteField> = new Map(
  INVITE_FIELDS.flatMap((field) => HEADER_SYNONYMS[field].map((name) => [headerKey(name), field] as const)),
);

/** Filler run into the header's words ("isadmin", "canmanagestudies", "emailoptional"). */
const LEADING_FILLER = new RegExp(`^(${[...FILLER].join('|')})`);
const TRAILING_FILLER = /(optional|required)$/;

/** The field a header names, or null. */
export function fieldOfHeader(header: string): InviteField | null {
  const key = headerKey(header);
  if (key === '') return null;
  const exact = FIELD_OF_KEY.get(key);
  if (exact !== undefined) return exact;
  const runTogether = key.replace(TRAILING_FILLER, '');
  return FIELD_OF_KEY.get(runTogether) ?? FIELD_OF_KEY.get(runTogether.replace(LEADING_FILLER, '')) ?? null;
}

/**
 * The field of each column. A field is taken by the first column that names it; a second "Suffix" column becomes the
 * second suffix; any other repeat is not used (the admin can change it).
 */
export function matchColumns(header: readonly string[]): ColumnMapping {
  const taken = new Set<InviteField>();
  return header.map((name) => {
    let field = fieldOfHeader(name);
    if (field === 'suffix1' && taken.has('suffix1')) field = 'suffix2';
    if (field === null || taken.has(field)) return null;
    taken.add(field);
    return field;
  });
}

/** How many distinct fields a header row names (to tell a header from a row of data, and to pick the delimiter). */
export function recognisedFields(header: readonly string[]): number {
  return matchColumns(header).filter((field) => field !== null).length;
}

/** The mapping after the admin chose `field` for column `index`: a field lives in one column, so it leaves any other. */
export function remapColumn(mapping: ColumnMapping, index: number, field: InviteField | null): ColumnMapping {
  return mapping.map((current, column) => {
    if (column === index) return field;
    return field !== null && current === field ? null : current;
  });
}
