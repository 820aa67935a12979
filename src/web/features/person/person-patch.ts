import type { DefaultValues } from 'react-hook-form';
import * as z from 'zod/mini';
import { ADMIN_NEEDS_DASHBOARD, LEVELS, breaksAdminRule } from '../../../contract/person.ts';
import type { Level } from '../../../contract/person.ts';
import { isClinicRole } from '../../../contract/roles.ts';
import { InviteUserInputSchema, UpdateUserInputSchema } from '../../../contract/users.ts';
import type { InviteUserInput, UpdateUser } from '../../../contract/users.ts';

/** A user or an invitation as read back: what the edit form starts from. */
export interface EditablePerson {
  email: string;
  firstName: string;
  middleName?: string | null | undefined;
  lastName: string;
  suffix1?: string | null | undefined;
  suffix2?: string | null | undefined;
  phoneNumber?: string | null | undefined;
  clinicRole: string;
  level: string;
  hasDashboardAccess: boolean;
  canManageStudies: boolean;
}

export function isAssignableLevel(level: string): level is Level {
  return (LEVELS as readonly string[]).includes(level);
}

/** The invite form's values, filled in from the record (a role or level the form cannot show is left empty). */
export function editFormValues(person: EditablePerson): DefaultValues<InviteUserInput> {
  return {
    firstName: person.firstName,
    middleName: person.middleName ?? '',
    lastName: person.lastName,
    suffix1: person.suffix1 ?? '',
    suffix2: person.suffix2 ?? '',
    email: person.email,
    phoneNumber: person.phoneNumber ?? '',
    ...(isClinicRole(person.clinicRole) ? { clinicRole: person.clinicRole } : {}),
    ...(isAssignableLevel(person.level) ? { level: person.level } : {}),
    hasDashboardAccess: person.hasDashboardAccess,
    canManageStudies: person.canManageStudies,
  };
}

const FIELD = InviteUserInputSchema.shape;

/**
 * The invite form's own field rules (the contract's schema, field by field), in edit mode: the email is shown but
 * never sent; a role from outside this product's list, or the owner's level, may be left as it is. The admin rule is
 * checked on the merged result: the level as it will be, with dashboard access as it will be.
 */
export function editPersonSchema(person: EditablePerson) {
  const roleKnown = isClinicRole(person.clinicRole);
  const levelEditable = isAssignableLevel(person.level);
  return z
    .object({
      firstName: FIELD.firstName,
      middleName: FIELD.middleName,
      lastName: FIELD.lastName,
      suffix1: FIELD.suffix1,
      suffix2: FIELD.suffix2,
      email: z.optional(z.string()),
      phoneNumber: FIELD.phoneNumber,
      clinicRole: roleKnown ? FIELD.clinicRole : z.optional(FIELD.clinicRole),
      level: levelEditable ? FIELD.level : z.optional(FIELD.level),
      hasDashboardAccess: FIELD.hasDashboardAccess,
      canManageStudies: FIELD.canManageStudies,
    })
    .check(
      z.refine(
        (values) =>
          !breaksAdminRule({
            level: values.level ?? person.level,
            hasDashboardAccess: values.hasDashboardAccess,
          }),
        { message: ADMIN_NEEDS_DASHBOARD, path: ['hasDashboardAccess'] },
      ),
    );
}

export type EditedPerson = z.output<ReturnType<typeof editPersonSchema>>;

const OPTIONAL_TEXT = ['middleName', 'suffix1', 'suffix2', 'phoneNumber'] as const;
const REQUIRED_TEXT = ['firstName', 'lastName'] as const;
const SWITCHES = ['hasDashboardAccess', 'canManageStudies'] as const;

/**
 * Only what changed: a field equal to the record is left out; an optional field emptied is sent as null (clear it).
 * Undefined when nothing changed.
 */
export function changedFields(person: EditablePerson, edited: EditedPerson): UpdateUser | undefined {
  const patch: Record<string, unknown> = {};
  for (const key of REQUIRED_TEXT) {
    if (edited[key] !== person[key]) patch[key] = edited[key];
  }
  for (const key of OPTIONAL_TEXT) {
    const before = person[key] ?? undefined;
    const after = edited[key];
    if ((before === '' ? undefined : before) !== after) patch[key] = after ?? null;
  }
  if (edited.clinicRole !== undefined && edited.clinicRole !== person.clinicRole) {
    patch.clinicRole = edited.clinicRole;
  }
  if (edited.level !== undefined && edited.level !== person.level) patch.level = edited.level;
  for (const key of SWITCHES) {
    if (edited[key] !== person[key]) patch[key] = edited[key];
  }
  if (Object.keys(patch).length === 0) return undefined;
  // Through the contract's own update schema: the same rules the BFF applies to what arrives.
  return UpdateUserInputSchema.parse(patch);
}
