import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROW_VALUES,
  checkRow,
  readLevel,
  readYesNo,
} from '../../../../src/web/features/bulk-invite/cells.ts';
import type { RoleDecisions } from '../../../../src/web/features/bulk-invite/cells.ts';
import { matchColumns } from '../../../../src/web/features/bulk-invite/columns.ts';
import { parseSheet } from '../../../../src/web/features/bulk-invite/sheet.ts';
import { templateCsv } from '../../../../src/web/features/bulk-invite/template.ts';
import { INVITE_FIELDS } from '../../../../src/web/features/person/field-names.ts';
import {
  batchRows,
  canSend,
  countStatuses,
  reviewStatuses,
} from '../../../../src/web/features/bulk-invite/review.ts';
import type { Lookup, ReviewRow } from '../../../../src/web/features/bulk-invite/review.ts';

const HEADER = [
  'First name',
  'Last name',
  'E-mail',
  'Role',
  'Admin?',
  'Dashboard',
  'Manage studies',
  'Phone',
];
const mapping = matchColumns(HEADER);
const none: RoleDecisions = new Map();

describe('reading cells', () => {
  it('reads yes and no as people write them', () => {
    expect(['yes', 'Y', 'TRUE', 'x', '1', ' ✓ '].map(readYesNo)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['no', 'N', 'false', '0', '-'].map(readYesNo)).toEqual([false, false, false, false, false]);
    expect(readYesNo('  ')).toBeUndefined();
    expect(readYesNo('maybe')).toBeNull();
  });

  it('reads the level as Admin or Member, or yes and no under “Admin?”', () => {
    expect(['Admin', 'administrator', 'yes', 'x'].map(readLevel)).toEqual([
      'admin',
      'admin',
      'admin',
      'admin',
    ]);
    expect(['Member', 'no', '0'].map(readLevel)).toEqual(['member', 'member', 'member']);
    expect(readLevel('')).toBeUndefined();
    expect(readLevel('owner')).toBeNull();
  });
});

describe('checking a row', () => {
  it('reads a complete row into the invite the single form would send', () => {
    expect(
      checkRow(
        ['Ana', 'Ruiz', ' Ana@Clinic.org ', 'registered nurse', 'no', 'yes', 'x', '(555) 123-4567'],
        mapping,
        DEFAULT_ROW_VALUES,
        none,
      ),
    ).toEqual({
      ok: true,
      invite: {
        firstName: 'Ana',
        lastName: 'Ruiz',
        email: 'ana@clinic.org',
        phoneNumber: '5551234567',
        clinicRole: 'Registered Nurse',
        level: 'member',
        hasDashboardAccess: true,
        canManageStudies: true,
      },
    });
  });

  it('fills blanks and missing columns with the values for all rows; an admin gets dashboard access unless told no', () => {
    const short = matchColumns(['First name', 'Last name', 'Email', 'Admin?']);
    const defaults = { ...DEFAULT_ROW_VALUES, clinicRole: 'Doctor' as const, canManageStudies: true };
    expect(checkRow(['Bo', 'Lee', 'bo@clinic.org', 'yes'], short, defaults, none)).toMatchObject({
      ok: true,
      invite: { clinicRole: 'Doctor', level: 'admin', hasDashboardAccess: true, canManageStudies: true },
    });
  });

  it('says what needs fixing, field by field, with the single invite’s rules', () => {
    expect(
      checkRow(
        ['', 'Ruiz', 'not-an-email', 'Doctor', 'yes', 'no', 'maybe', '12'],
        mapping,
        DEFAULT_ROW_VALUES,
        none,
      ),
    ).toEqual({
      ok: false,
      issues: [
        { field: 'canManageStudies', message: 'Manage studies: write yes or no (not “maybe”).' },
        { field: 'firstName', message: 'First name: Enter a first name.' },
        { field: 'email', message: 'Email: Enter a valid email address, like name@clinic.org.' },
        {
          field: 'phoneNumber',
          message: 'Phone: Enter a phone number with 10 to 15 digits, for example (555) 123-4567.',
        },
        {
          field: 'hasDashboardAccess',
          message: 'Admins need dashboard access: write yes under dashboard access, or make them a Member.',
        },
      ],
    });
  });

  it('holds a role that is not on the list until the admin confirms a suggestion for it', () => {
    const row = ['Cy', 'Ng', 'cy@clinic.org', 'Radiology tech', '', '', '', ''];
    expect(checkRow(row, mapping, DEFAULT_ROW_VALUES, none)).toEqual({
      ok: false,
      issues: [
        {
          field: 'clinicRole',
          message: 'Role: “Radiology tech” is not on the list. Did you mean Imaging Technologist?',
        },
      ],
    });
    expect(
      checkRow(row, mapping, DEFAULT_ROW_VALUES, new Map([['radiology tech', 'Imaging Technologist']])),
    ).toMatchObject({
      ok: true,
      invite: { clinicRole: 'Imaging Technologist' },
    });
  });
});

describe('the review', () => {
  const row = (id: number, email: string, first = 'Ana'): ReviewRow => ({
    id,
    line: id + 1,
    cells: [first, 'Ruiz', email, 'Doctor', '', '', '', ''],
    check: checkRow([first, 'Ruiz', email, 'Doctor', '', '', '', ''], mapping, DEFAULT_ROW_VALUES, none),
  });
  const rows = [
    row(1, 'a@clinic.org'),
    row(2, 'b@clinic.org'),
    row(3, 'A@clinic.org'),
    row(4, 'c@clinic.org'),
    row(5, 'bad', ''),
  ];
  const existing = { userId: `usr_${'1'.repeat(32)}`, name: 'Bo Lee', lastLoginAt: null };
  const lookups = new Map<string, Lookup>([
    ['a@clinic.org', { kind: 'known', existing: null }],
    ['b@clinic.org', { kind: 'known', existing: { ...existing, invitation: null } }],
  ]);

  it('gives every row its state: duplicates skipped, existing people skipped with their userId, lookups awaited', () => {
    const statuses = reviewStatuses(rows, lookups);
    expect(statuses.map((status) => status.kind)).toEqual(['ready', 'skip', 'skip', 'checking', 'fix']);
    expect(statuses[1]).toEqual({
      kind: 'skip',
      reason: 'existing-user',
      message: 'Already a user: Bo Lee.',
      userId: existing.userId,
    });
    expect(statuses[2]).toMatchObject({
      reason: 'duplicate',
      message: 'The same e-mail address is on line 2: only that row is invited.',
    });
    const counts = countStatuses(statuses);
    expect(counts).toEqual({ ready: 1, fix: 1, skip: 2, checking: 1, unchecked: 0 });
    expect(canSend(counts, true)).toBe(false);
  });

  it('skips a pending invitation, and sends only when nothing needs a fix or the admin chose the ready rows only', () => {
    const settled = new Map<string, Lookup>([
      ...lookups,
      [
        'c@clinic.org',
        {
          kind: 'known',
          existing: {
            ...existing,
            invitation: { invitationId: 'inv_1', status: 'sent', expiry: '2026-12-20T00:00:00Z' },
          },
        },
      ],
    ]);
    const statuses = reviewStatuses(rows, settled);
    expect(statuses[3]).toMatchObject({
      kind: 'skip',
      reason: 'pending-invitation',
      message: 'Already invited (Bo Lee), not signed in yet; the invitation expires 2026-12-20.',
    });
    const counts = countStatuses(statuses);
    expect(canSend(counts, false)).toBe(false);
    expect(canSend(counts, true)).toBe(true);
    expect(canSend(countStatuses(statuses.slice(0, 4)), false)).toBe(true);
    expect(batchRows(rows, statuses).map((entry) => entry.skip?.reason ?? 'invite')).toEqual([
      'invite',
      'existing-user',
      'duplicate',
      'pending-invitation',
      'needs-fix',
    ]);
  });
});

describe('the template', () => {
  it('names every field in a header this screen reads back, and its example row is ready to invite', () => {
    const read = parseSheet(templateCsv(), 'file');
    if (!read.ok) throw new Error(read.problem);
    const columns = matchColumns(read.sheet.header);
    expect([...columns].sort()).toEqual([...INVITE_FIELDS].sort());
    const [example] = read.sheet.rows;
    expect(checkRow(example?.cells ?? [], columns, DEFAULT_ROW_VALUES, none)).toMatchObject({
      ok: true,
      invite: { email: 'sarah.johnson@clinic.org', phoneNumber: '5551234567', hasDashboardAccess: true },
    });
  });
});
