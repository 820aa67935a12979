import * as z from 'zod/mini';

/**
 * The clinic roles this product offers, in the upstream's order. This is the ONLY place the list lives:
 * the upstream has revised it before, so change it here and everything (form, BFF, sandbox) follows.
 */
export const CLINIC_ROLES = [
  'Radiologist',
  'Cardiologist',
  'Neurologist',
  'Urologist',
  'Gynecologist',
  'Endocrinologist',
  'Doctor',
  'Surgeon',
  'Physician',
  'Physician Assistant',
  'Nurse Practitioner',
  'Registered Nurse',
  'Patient Care Coordinator',
  'Front Desk Operator',
  'Imaging Technologist',
  'PACS Administrator',
  'Software Engineer',
  'Revenue Cycle Manager',
  'Administrative Director',
  'Administrative Assistant',
  'Other',
] as const;

export type ClinicRole = (typeof CLINIC_ROLES)[number];

export const ClinicRoleSchema = z.enum(CLINIC_ROLES, 'Choose a clinic role from the list.');

export const ROLE_GROUPS = ['Clinicians', 'Nursing & care', 'Imaging & IT', 'Administration'] as const;
export type RoleGroup = (typeof ROLE_GROUPS)[number];

const GROUP_OF: Record<ClinicRole, RoleGroup> = {
  Radiologist: 'Clinicians',
  Cardiologist: 'Clinicians',
  Neurologist: 'Clinicians',
  Urologist: 'Clinicians',
  Gynecologist: 'Clinicians',
  Endocrinologist: 'Clinicians',
  Doctor: 'Clinicians',
  Surgeon: 'Clinicians',
  Physician: 'Clinicians',
  'Physician Assistant': 'Clinicians',
  'Nurse Practitioner': 'Nursing & care',
  'Registered Nurse': 'Nursing & care',
  'Patient Care Coordinator': 'Nursing & care',
  'Front Desk Operator': 'Administration',
  'Imaging Technologist': 'Imaging & IT',
  'PACS Administrator': 'Imaging & IT',
  'Software Engineer': 'Imaging & IT',
  'Revenue Cycle Manager': 'Administration',
  'Administrative Director': 'Administration',
  'Administrative Assistant': 'Administration',
  Other: 'Administration',
};

export function roleGroup(role: ClinicRole): RoleGroup {
  return GROUP_OF[role];
}

/** Roles ordered by group (then by the upstream's order inside a group), for a grouped picker. */
export const ROLES_BY_GROUP: readonly ClinicRole[] = ROLE_GROUPS.flatMap((group) =>
  CLINIC_ROLES.filter((role) => GROUP_OF[role] === group),
);

export function isClinicRole(value: string): value is ClinicRole {
  return (CLINIC_ROLES as readonly string[]).includes(value);
}
