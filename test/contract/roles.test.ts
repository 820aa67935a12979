import { describe, expect, it } from 'vitest';
import {
  CLINIC_ROLES,
  ClinicRoleSchema,
  ROLES_BY_GROUP,
  ROLE_GROUPS,
  isClinicRole,
  roleGroup,
} from '../../src/contract/roles.ts';

describe('clinic roles', () => {
  it('offers exactly the 21 upstream roles in the upstream order', () => {
    expect(CLINIC_ROLES).toEqual([
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
    ]);
  });

  it.each(CLINIC_ROLES)('accepts %s', (role) => {
    expect(ClinicRoleSchema.parse(role)).toBe(role);
    expect(isClinicRole(role)).toBe(true);
  });

  it('refuses roles outside the list with a readable message', () => {
    for (const bad of ['radiologist', 'Owner', '', 'Nurse']) {
      const result = ClinicRoleSchema.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('Choose a clinic role from the list.');
      expect(isClinicRole(bad)).toBe(false);
    }
  });

  it('groups every role exactly once, in the four display groups', () => {
    expect(ROLE_GROUPS).toEqual(['Clinicians', 'Nursing & care', 'Imaging & IT', 'Administration']);
    expect([...ROLES_BY_GROUP].sort()).toEqual([...CLINIC_ROLES].sort());
    expect(new Set(ROLES_BY_GROUP).size).toBe(21);
    const groupsInOrder = ROLES_BY_GROUP.map(roleGroup);
    // Grouped: once a group ends it never comes back.
    const firstSeen = [...new Set(groupsInOrder)];
    expect(firstSeen).toEqual([...ROLE_GROUPS]);
    expect(roleGroup('Radiologist')).toBe('Clinicians');
    expect(roleGroup('Registered Nurse')).toBe('Nursing & care');
    expect(roleGroup('PACS Administrator')).toBe('Imaging & IT');
    expect(roleGroup('Front Desk Operator')).toBe('Administration');
  });
});
