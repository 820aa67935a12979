import type { DefaultValues } from 'react-hook-form';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';

/** What "keep these settings" carries over to the next invite. */
export type InviteSettings = Pick<
  InviteUser,
  'clinicRole' | 'level' | 'hasDashboardAccess' | 'canManageStudies'
>;

/**
 * Least privilege: member, no study management, and no dashboard access (see README, "Design decisions").
 * No clinic role is preselected: the operator must choose one.
 */
export const DEFAULT_ACCESS = {
  level: 'member',
  hasDashboardAccess: false,
  canManageStudies: false,
} as const;

export function inviteDefaults(settings?: InviteSettings): DefaultValues<InviteUserInput> {
  return {
    firstName: '',
    middleName: '',
    lastName: '',
    suffix1: '',
    suffix2: '',
    email: '',
    phoneNumber: '',
    ...DEFAULT_ACCESS,
    ...settings,
  };
}

export function settingsOf(values: InviteUser): InviteSettings {
  return {
    clinicRole: values.clinicRole,
    level: values.level,
    hasDashboardAccess: values.hasDashboardAccess,
    canManageStudies: values.canManageStudies,
  };
}
