import * as z from 'zod/mini';

/**
 * The clinic roles this product offers: the 61 of Avara's current API, in its order. This is the ONLY place the
 * list lives: the upstream has revised it before, so change it here and everything (form, BFF, sandbox) follows.
 * People created earlier may carry a role no longer here (such as "PACS Administrator"): reading accepts any role.
 */
export const CLINIC_ROLES = [
  'Doctor',
  'Physician',
  'Surgeon',
  'Radiologist',
  'Cardiologist',
  'Neurologist',
  'Urologist',
  'Gynecologist',
  'Endocrinologist',
  'Oncologist',
  'Radiation Oncologist',
  'Hematologist',
  'Gastroenterologist',
  'Pulmonologist',
  'Nephrologist',
  'Rheumatologist',
  'Dermatologist',
  'Ophthalmologist',
  'Otolaryngologist',
  'Pediatrician',
  'Obstetrician',
  'Psychiatrist',
  'Anesthesiologist',
  'Emergency Medicine Physician',
  'Family Medicine Physician',
  'Internal Medicine Physician',
  'Pathologist',
  'Nuclear Medicine Physician',
  'Pain Management Specialist',
  'Infectious Disease Specialist',
  'Immunologist',
  'Physician Assistant',
  'Nurse Practitioner',
  'Certified Registered Nurse Anesthetist',
  'Psychologist',
  'Medical Assistant',
  'Scribe',
  'Registered Nurse',
  'Nurse Manager',
  'Patient Care Coordinator',
  'Imaging Technologist',
  'Laboratory Technician',
  'Medical Laboratory Scientist',
  "Pathologists' Assistant",
  'Phlebotomist',
  'Pharmacist',
  'Pharmacy Technician',
  'Physical Therapist',
  'Occupational Therapist',
  'Speech-Language Pathologist',
  'Respiratory Therapist',
  'Nutritionist',
  'Front Desk Operator',
  'Revenue Cycle Manager',
  'Administrative Director',
  'Administrative Assistant',
  'Legal Administrator',
  'IT Administrator',
  'IT Support',
  'Software Engineer',
  'Other',
] as const;

export type ClinicRole = (typeof CLINIC_ROLES)[number];

/** For what is written (invite, update): only a role from the list. */
export const ClinicRoleSchema = z.enum(CLINIC_ROLES, 'Choose a clinic role from the list.');

/** For what is read back: any role the upstream holds, shown as it came (older lists had other values). */
export const ReadClinicRoleSchema = z.string().check(z.minLength(1));

export const ROLE_GROUPS = [
  'Physicians & specialists',
  'Advanced practice & nursing',
  'Care team & behavioral health',
  'Imaging & laboratory',
  'Pharmacy & therapy',
  'Administration & IT',
  'Other',
] as const;
export type RoleGroup = (typeof ROLE_GROUPS)[number];

const GROUP_OF: Record<ClinicRole, RoleGroup> = {
  Doctor: 'Physicians & specialists',
  Physician: 'Physicians & specialists',
  Surgeon: 'Physicians & specialists',
  Radiologist: 'Physicians & specialists',
  Cardiologist: 'Physicians & specialists',
  Neurologist: 'Physicians & specialists',
  Urologist: 'Physicians & specialists',
  Gynecologist: 'Physicians & specialists',
  Endocrinologist: 'Physicians & specialists',
  Oncologist: 'Physicians & specialists',
  'Radiation Oncologist': 'Physicians & specialists',
  Hematologist: 'Physicians & specialists',
  Gastroenterologist: 'Physicians & specialists',
  Pulmonologist: 'Physicians & specialists',
  Nephrologist: 'Physicians & specialists',
  Rheumatologist: 'Physicians & specialists',
  Dermatologist: 'Physicians & specialists',
  Ophthalmologist: 'Physicians & specialists',
  Otolaryngologist: 'Physicians & specialists',
  Pediatrician: 'Physicians & specialists',
  Obstetrician: 'Physicians & specialists',
  Psychiatrist: 'Physicians & specialists',
  Anesthesiologist: 'Physicians & specialists',
  'Emergency Medicine Physician': 'Physicians & specialists',
  'Family Medicine Physician': 'Physicians & specialists',
  'Internal Medicine Physician': 'Physicians & specialists',
  Pathologist: 'Physicians & specialists',
  'Nuclear Medicine Physician': 'Physicians & specialists',
  'Pain Management Specialist': 'Physicians & specialists',
  'Infectious Disease Specialist': 'Physicians & specialists',
  Immunologist: 'Physicians & specialists',
  'Physician Assistant': 'Advanced practice & nursing',
  'Nurse Practitioner': 'Advanced practice & nursing',
  'Certified Registered Nurse Anesthetist': 'Advanced practice & nursing',
  'Registered Nurse': 'Advanced practice & nursing',
  'Nurse Manager': 'Advanced practice & nursing',
  Psychologist: 'Care team & behavioral health',
  'Medical Assistant': 'Care team & behavioral health',
  Scribe: 'Care team & behavioral health',
  'Patient Care Coordinator': 'Care team & behavioral health',
  'Imaging Technologist': 'Imaging & laboratory',
  'Laboratory Technician': 'Imaging & laboratory',
  'Medical Laboratory Scientist': 'Imaging & laboratory',
  "Pathologists' Assistant": 'Imaging & laboratory',
  Phlebotomist: 'Imaging & laboratory',
  Pharmacist: 'Pharmacy & therapy',
  'Pharmacy Technician': 'Pharmacy & therapy',
  'Physical Therapist': 'Pharmacy & therapy',
  'Occupational Therapist': 'Pharmacy & therapy',
  'Speech-Language Pathologist': 'Pharmacy & therapy',
  'Respiratory Therapist': 'Pharmacy & therapy',
  Nutritionist: 'Pharmacy & therapy',
  'Front Desk Operator': 'Administration & IT',
  'Revenue Cycle Manager': 'Administration & IT',
  'Administrative Director': 'Administration & IT',
  'Administrative Assistant': 'Administration & IT',
  'Legal Administrator': 'Administration & IT',
  'IT Administrator': 'Administration & IT',
  'IT Support': 'Administration & IT',
  'Software Engineer': 'Administration & IT',
  Other: 'Other',
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
