import { toCsv } from '../../../contract/csv.ts';
import { INVITE_FIELDS } from '../person/field-names.ts';
import { FIELD_LABELS } from './columns.ts';

/** The downloadable template: every column this screen reads, with one example person. */
export const TEMPLATE_FILE_NAME = 'invite-many-template.csv';

const EXAMPLE: Readonly<Record<(typeof INVITE_FIELDS)[number], string>> = {
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: 'MD',
  suffix2: 'FACR',
  email: 'sarah.johnson@clinic.org',
  phoneNumber: '(555) 123-4567',
  clinicRole: 'Radiologist',
  level: 'Member',
  hasDashboardAccess: 'yes',
  canManageStudies: 'yes',
};

export function templateCsv(): string {
  return toCsv(
    INVITE_FIELDS.map((field) => FIELD_LABELS[field]),
    [INVITE_FIELDS.map((field) => EXAMPLE[field])],
  );
}
