import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEADER_SYNONYMS,
  fieldOfHeader,
  headerKey,
  matchColumns,
  remapColumn,
} from '../../../../src/web/features/bulk-invite/columns.ts';
import { INVITE_FIELDS } from '../../../../src/web/features/person/field-names.ts';
import type { InviteField } from '../../../../src/web/features/person/field-names.ts';

/** The headers the issue names, and a few more people write. */
const KNOWN: readonly [string, InviteField][] = [
  ['First name', 'firstName'],
  ['first_name', 'firstName'],
  ['Given name', 'firstName'],
  ['FirstName', 'firstName'],
  ['E-mail', 'email'],
  ['Email address', 'email'],
  ['Work e-mail (optional)', 'email'],
  ['Role', 'clinicRole'],
  ['Job title', 'clinicRole'],
  ['Admin?', 'level'],
  ['Is admin', 'level'],
  ['Dashboard', 'hasDashboardAccess'],
  ['Has dashboard access?', 'hasDashboardAccess'],
  ['Manage studies', 'canManageStudies'],
  ['Can manage studies?', 'canManageStudies'],
  ['Phone', 'phoneNumber'],
  ['Mobile number', 'phoneNumber'],
  ['Middle name', 'middleName'],
  ['Suffix', 'suffix1'],
  ['Suffix 2', 'suffix2'],
  ['Surname', 'lastName'],
  ['Family name', 'lastName'],
  ['LAST NAME *', 'lastName'],
];

/** The same header as another spreadsheet spells it: any case, any separator between words, noise around it. */
function spelling(header: string) {
  const words = header.split(/[\s_-]+/);
  return fc
    .record({
      cases: fc.array(fc.boolean(), { minLength: header.length, maxLength: header.length }),
      separators: fc.array(fc.constantFrom('', ' ', '_', '-', '.', '  ', ' / '), {
        minLength: words.length,
        maxLength: words.length,
      }),
      before: fc.constantFrom('', ' ', '  ', '* '),
      after: fc.constantFrom('', ' ', '?', '*', ':', ' (optional)', ' *', '\t'),
    })
    .map(({ cases, separators, before, after }) => {
      const joined = words
        .map((word, index) => (index === 0 ? word : `${separators[index] ?? ' '}${word}`))
        .join('');
      const cased = [...joined]
        .map((char, index) => (cases[index] ? char.toUpperCase() : char.toLowerCase()))
        .join('');
      return `${before}${cased}${after}`;
    });
}

describe('column matcher', () => {
  it.each(KNOWN)('maps “%s” to %s', (header, field) => {
    expect(fieldOfHeader(header)).toBe(field);
  });

  it('maps any spelling of a known header to its field', () => {
    const cases = [
      ...KNOWN,
      ...INVITE_FIELDS.flatMap((field) =>
        HEADER_SYNONYMS[field].map((name): [string, InviteField] => [name, field]),
      ),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...cases).chain(([header, field]) => fc.tuple(spelling(header), fc.constant(field))),
        ([variant, field]) => {
          expect(fieldOfHeader(variant)).toBe(field);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives each name one field', () => {
    const fieldsOfKey = new Map<string, Set<InviteField>>();
    for (const field of INVITE_FIELDS) {
      for (const name of HEADER_SYNONYMS[field]) {
        const fields = fieldsOfKey.get(headerKey(name)) ?? new Set<InviteField>();
        fields.add(field);
        fieldsOfKey.set(headerKey(name), fields);
      }
    }
    expect([...fieldsOfKey.values()].filter((fields) => fields.size > 1)).toEqual([]);
  });

  it.each([
    'Department',
    'Start date',
    'Employee ID',
    'Notes',
    'Manager',
    'Name',
    'Full name',
    'Date of birth',
    'Team',
    '',
    '???',
    'Location',
  ])('maps the unrelated header “%s” to nothing', (header) => {
    expect(fieldOfHeader(header)).toBeNull();
  });

  it('maps headers made of words no field uses to nothing', () => {
    // No field's name can be spelled with these letters alone.
    const word = fc.string({
      unit: fc.constantFrom('q', 'w', 'z', 'x', 'j', 'k', 'v', 'b'),
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(' ', '_', '-', '?', ''),
        (words, separator) => {
          expect(fieldOfHeader(words.join(separator))).toBeNull();
        },
      ),
    );
  });

  it('gives a field to the first column naming it; a second suffix column is the second suffix', () => {
    expect(matchColumns(['Email', 'First name', 'E-mail', 'Suffix', 'Suffix', 'Suffix', 'Notes'])).toEqual([
      'email',
      'firstName',
      null,
      'suffix1',
      'suffix2',
      null,
      null,
    ]);
  });

  it('moves a field when the admin maps it to another column', () => {
    expect(remapColumn(['email', 'firstName', null], 2, 'email')).toEqual([null, 'firstName', 'email']);
    expect(remapColumn(['email', 'firstName', null], 0, null)).toEqual([null, 'firstName', null]);
  });
});
