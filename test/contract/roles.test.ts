import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvitationSchema } from '../../src/contract/invitations.ts';
import {
  CLINIC_ROLES,
  ClinicRoleSchema,
  ROLES_BY_GROUP,
  ROLE_GROUPS,
  isClinicRole,
  roleGroup,
} from '../../src/contract/roles.ts';
import { InviteUserInputSchema, UpdateUserInputSchema, UserSchema } from '../../src/contract/users.ts';

const user = {
  userId: 'usr_1234567890abcdef1234567890abcdef',
  email: 'dr.johnson@hospital.org',
  firstName: 'Sarah',
  lastName: 'Johnson',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
  invitedSource: 'api',
  createdAt: '2024-01-15T10:00:00Z',
  lastLoginAt: null,
};

const invitation = {
  ...user,
  invitationId: 'inv_1234567890abcdef1234567890abcdef',
  clinicId: '5b0e7f9c-7d0a-4f3e-9a55-0c1d2e3f4a5b',
  inviterId: null,
  status: 'sent',
  expiry: '2024-01-22T10:00:00Z',
  updatedAt: '2024-01-15T10:00:00Z',
};

const invite = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  email: 'dr.johnson@hospital.org',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
};

describe('clinic roles', () => {
  it('offers exactly the 61 roles of Avara’s current API, in its order', () => {
    expect(CLINIC_ROLES).toEqual([
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
    ]);
    expect(new Set(CLINIC_ROLES).size).toBe(61);
  });

  it.each(CLINIC_ROLES)('accepts %s', (role) => {
    expect(ClinicRoleSchema.parse(role)).toBe(role);
    expect(isClinicRole(role)).toBe(true);
  });

  it('refuses roles outside the list with a readable message, "PACS Administrator" included', () => {
    const bad = [
      'PACS Administrator',
      'radiologist',
      'Owner',
      '',
      'Nurse',
      'Pathologists Assistant',
      'Pathologists’ Assistant',
      ' Radiologist',
    ];
    for (const role of bad) {
      const result = ClinicRoleSchema.safeParse(role);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('Choose a clinic role from the list.');
      expect(isClinicRole(role)).toBe(false);
    }
  });

  it('groups every role exactly once, in the display groups', () => {
    expect(ROLE_GROUPS).toEqual([
      'Physicians & specialists',
      'Advanced practice & nursing',
      'Care team & behavioral health',
      'Imaging & laboratory',
      'Pharmacy & therapy',
      'Administration & IT',
      'Other',
    ]);
    expect([...ROLES_BY_GROUP].sort()).toEqual([...CLINIC_ROLES].sort());
    expect(new Set(ROLES_BY_GROUP).size).toBe(61);
    // Grouped: once a group ends it never comes back, and every group has someone in it.
    const firstSeen = [...new Set(ROLES_BY_GROUP.map(roleGroup))];
    expect(firstSeen).toEqual([...ROLE_GROUPS]);
    expect(roleGroup('Radiologist')).toBe('Physicians & specialists');
    expect(roleGroup('Registered Nurse')).toBe('Advanced practice & nursing');
    expect(roleGroup('Patient Care Coordinator')).toBe('Care team & behavioral health');
    expect(roleGroup("Pathologists' Assistant")).toBe('Imaging & laboratory');
    expect(roleGroup('Respiratory Therapist')).toBe('Pharmacy & therapy');
    expect(roleGroup('IT Administrator')).toBe('Administration & IT');
    expect(roleGroup('Other')).toBe('Other');
  });
});

describe('roles: written from the list, read back as anything', () => {
  const outside = fc.string({ minLength: 1 }).filter((role) => !isClinicRole(role));

  it('the invite and the update refuse any role outside the list', () => {
    fc.assert(
      fc.property(outside, (role) => {
        const created = InviteUserInputSchema.safeParse({ ...invite, clinicRole: role });
        expect(created.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
          ['clinicRole', 'Choose a clinic role from the list.'],
        ]);
        expect(UpdateUserInputSchema.safeParse({ clinicRole: role }).success).toBe(false);
      }),
    );
    expect(InviteUserInputSchema.parse({ ...invite, clinicRole: "Pathologists' Assistant" }).clinicRole).toBe(
      "Pathologists' Assistant",
    );
  });

  it('a user or an invitation read back keeps any non-empty role as it came', () => {
    fc.assert(
      fc.property(outside, (role) => {
        expect(UserSchema.parse({ ...user, clinicRole: role }).clinicRole).toBe(role);
        expect(InvitationSchema.parse({ ...invitation, clinicRole: role }).clinicRole).toBe(role);
      }),
    );
    expect(UserSchema.parse({ ...user, clinicRole: 'PACS Administrator' }).clinicRole).toBe(
      'PACS Administrator',
    );
  });

  it('a read-back role that is missing, empty or not text is refused (an upstream fault, not a blank cell)', () => {
    for (const clinicRole of ['', null, 7, undefined]) {
      expect(UserSchema.safeParse({ ...user, clinicRole }).success).toBe(false);
      expect(InvitationSchema.safeParse({ ...invitation, clinicRole }).success).toBe(false);
    }
  });
});
