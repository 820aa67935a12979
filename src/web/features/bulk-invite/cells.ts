import { ADMIN_NEEDS_DASHBOARD } from '../../../contract/person.ts';
import type { Level } from '../../../contract/person.ts';
import type { ClinicRole } from '../../../contract/roles.ts';
import { InviteUserInputSchema } from '../../../contract/users.ts';
import type { InviteUser } from '../../../contract/users.ts';
import { isInviteField } from '../person/field-names.ts';
import type { InviteField } from '../person/field-names.ts';
import type { ColumnMapping } from './columns.ts';
import { FIELD_LABELS } from './columns.ts';
import { matchRole } from './role-match.ts';

/**
 * One row of the sheet read as an invite: each mapped cell interpreted (yes/no, Admin/Member, the role), blanks and
 * missing columns filled with the values chosen for all rows, then checked with the single invite's own schema.
 */

/** What rows without a value (no column, or a blank cell) get. No role: a row without one needs a fix. */
export interface RowDefaults {
  level: Level;
  hasDashboardAccess: boolean;
  canManageStudies: boolean;
  clinicRole: ClinicRole | null;
}

/** Least privilege, as the single invite. */
export const DEFAULT_ROW_VALUES: RowDefaults = {
  level: 'member',
  hasDashboardAccess: false,
  canManageStudies: false,
  clinicRole: null,
};

/** Roles the admin confirmed, by the cell's text as written (trimmed, lower case). */
export type RoleDecisions = ReadonlyMap<string, ClinicRole>;

export const roleKey = (cell: string) => cell.trim().toLowerCase().replace(/\s+/g, ' ');

export interface RowIssue {
  field: InviteField | null;
  message: string;
}

export type RowCheck = { ok: true; invite: InviteUser } | { ok: false; issues: RowIssue[] };

const YES = new Set(['yes', 'y', 'true', 't', 'x', '1', 'on', '✓', '✔', 'ok']);
const NO = new Set(['no', 'n', 'false', 'f', '0', 'off', '-', '–', '—']);
const ADMIN = new Set(['admin', 'administrator', 'a']);
const MEMBER = new Set(['member', 'm', 'user', 'standard', 'regular']);

const normal = (cell: string) => cell.trim().toLowerCase();

/** yes/no, true/false, x, 1/0: a boolean; blank: undefined; anything else: null. */
export function readYesNo(cell: string): boolean | undefined | null {
  const value = normal(cell);
  if (value === '') return undefined;
  if (YES.has(value)) return true;
  if (NO.has(value)) return false;
  return null;
}

/** Admin or Member (or yes/no in an "Admin?" column); blank: undefined; anything else: null. */
export function readLevel(cell: string): Level | undefined | null {
  const value = normal(cell);
  if (value === '') return undefined;
  if (ADMIN.has(value)) return 'admin';
  if (MEMBER.has(value)) return 'member';
  const yesNo = readYesNo(value);
  if (yesNo === null || yesNo === undefined) return yesNo;
  return yesNo ? 'admin' : 'member';
}

const quoted = (cell: string) => `“${cell.trim()}”`;

/** Read a row into an invite, or say what needs fixing, field by field. */
export function checkRow(
  cells: readonly string[],
  mapping: ColumnMapping,
  defaults: RowDefaults,
  decisions: RoleDecisions,
): RowCheck {
  const cellOf = (field: InviteField): string | undefined => {
    const index = mapping.indexOf(field);
    return index === -1 ? undefined : (cells[index] ?? '');
  };
  const issues: RowIssue[] = [];
  const values: Record<string, unknown> = {};

  for (const field of [
    'firstName',
    'middleName',
    'lastName',
    'suffix1',
    'suffix2',
    'email',
    'phoneNumber',
  ] as const) {
    const cell = cellOf(field);
    values[field] = cell ?? '';
  }

  const levelCell = cellOf('level') ?? '';
  const level = readLevel(levelCell);
  if (level === null) {
    issues.push({ field: 'level', message: `Level: write Admin or Member (not ${quoted(levelCell)}).` });
  }
  values.level = level ?? defaults.level;

  const dashboardCell = cellOf('hasDashboardAccess') ?? '';
  const dashboard = readYesNo(dashboardCell);
  if (dashboard === null) {
    issues.push({
      field: 'hasDashboardAccess',
      message: `Dashboard access: write yes or no (not ${quoted(dashboardCell)}).`,
    });
  }
  // As on the single invite, an admin gets dashboard access unless the row says otherwise.
  values.hasDashboardAccess = dashboard ?? (values.level === 'admin' ? true : defaults.hasDashboardAccess);

  const studiesCell = cellOf('canManageStudies') ?? '';
  const studies = readYesNo(studiesCell);
  if (studies === null) {
    issues.push({
      field: 'canManageStudies',
      message: `Manage studies: write yes or no (not ${quoted(studiesCell)}).`,
    });
  }
  values.canManageStudies = studies ?? defaults.canManageStudies;

  const roleCell = cellOf('clinicRole') ?? '';
  if (roleCell.trim() === '') {
    values.clinicRole = defaults.clinicRole ?? undefined;
  } else {
    const match = matchRole(roleCell);
    const decided = decisions.get(roleKey(roleCell));
    if (match.kind === 'exact') values.clinicRole = match.role;
    else if (decided !== undefined) values.clinicRole = decided;
    else if (match.kind === 'suggest') {
      issues.push({
        field: 'clinicRole',
        message: `Role: ${quoted(roleCell)} is not on the list. Did you mean ${match.suggestions.join(' or ')}?`,
      });
    } else {
      issues.push({
        field: 'clinicRole',
        message: `Role: ${quoted(roleCell)} is not on the list. Write a role from the list, or choose one for it above.`,
      });
    }
  }

  const parsed = InviteUserInputSchema.safeParse(values);
  if (parsed.success && issues.length === 0) return { ok: true, invite: parsed.data };
  const flagged = new Set(issues.map((issue) => issue.field));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = String(issue.path[0] ?? '');
      const field = isInviteField(path) ? path : null;
      if (field !== null && flagged.has(field)) continue;
      flagged.add(field);
      let message = field === null ? issue.message : `${FIELD_LABELS[field]}: ${issue.message}`;
      if (issue.message === ADMIN_NEEDS_DASHBOARD) {
        message = 'Admins need dashboard access: write yes under dashboard access, or make them a Member.';
      }
      issues.push({ field, message });
    }
  }
  return { ok: false, issues };
}
