import type { InviteUserInput } from '../../../contract/users.ts';

/** The form's fields in the order they appear (used to focus the first invalid one). */
export const INVITE_FIELDS = [
  'firstName',
  'middleName',
  'lastName',
  'suffix1',
  'suffix2',
  'email',
  'phoneNumber',
  'clinicRole',
  'level',
  'hasDashboardAccess',
  'canManageStudies',
] as const satisfies readonly (keyof InviteUserInput)[];

export type InviteField = (typeof INVITE_FIELDS)[number];

export function isInviteField(path: string): path is InviteField {
  return (INVITE_FIELDS as readonly string[]).includes(path);
}
