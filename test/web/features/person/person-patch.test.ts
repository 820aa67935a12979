import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ADMIN_NEEDS_DASHBOARD } from '../../../../src/contract/person.ts';
import {
  changedFields,
  editFormValues,
  editPersonSchema,
} from '../../../../src/web/features/person/person-patch.ts';
import type { EditablePerson } from '../../../../src/web/features/person/person-patch.ts';

const SARAH: EditablePerson = {
  email: 'sarah@clinic.org',
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: null,
  phoneNumber: '5551234567',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: false,
  canManageStudies: true,
};

/** Parse the form's values as the edit form does, then diff them against the record. */
function edit(person: EditablePerson, changes: Record<string, unknown>) {
  const parsed = z.safeParse(editPersonSchema(person), { ...editFormValues(person), ...changes });
  if (!parsed.success) return { issues: parsed.error.issues.map((i) => [i.path.join('.'), i.message]) };
  return { patch: changedFields(person, parsed.data) };
}

describe('edit form: only what changed', () => {
  it('sends nothing when nothing changed (even with the phone retyped in another format)', () => {
    expect(edit(SARAH, {})).toEqual({ patch: undefined });
    expect(edit(SARAH, { phoneNumber: '(555) 123-4567', firstName: ' Sarah ' })).toEqual({
      patch: undefined,
    });
  });

  it('sends changed fields, and null for an optional field emptied', () => {
    expect(
      edit(SARAH, { middleName: '', suffix1: 'MD', clinicRole: 'Surgeon', canManageStudies: false }),
    ).toEqual({
      patch: { middleName: null, suffix1: 'MD', clinicRole: 'Surgeon', canManageStudies: false },
    });
  });

  it('checks the admin rule on the record as it will be', () => {
    expect(edit(SARAH, { level: 'admin' })).toEqual({
      issues: [['hasDashboardAccess', ADMIN_NEEDS_DASHBOARD]],
    });
    expect(edit(SARAH, { level: 'admin', hasDashboardAccess: true })).toEqual({
      patch: { level: 'admin', hasDashboardAccess: true },
    });
    const admin = { ...SARAH, level: 'admin', hasDashboardAccess: true };
    expect(edit(admin, { hasDashboardAccess: false })).toEqual({
      issues: [['hasDashboardAccess', ADMIN_NEEDS_DASHBOARD]],
    });
  });

  it('applies the invite form’s field rules', () => {
    expect(edit(SARAH, { firstName: '   ', phoneNumber: '12' }).issues?.map(([path]) => path)).toEqual([
      'firstName',
      'phoneNumber',
    ]);
  });

  it('leaves an unknown role and the owner’s level alone unless changed, and never sends the email', () => {
    const owner = { ...SARAH, level: 'owner', clinicRole: 'Veterinarian', hasDashboardAccess: true };
    expect(editFormValues(owner)).not.toHaveProperty('clinicRole');
    expect(editFormValues(owner)).not.toHaveProperty('level');
    expect(edit(owner, { email: 'other@clinic.org' })).toEqual({ patch: undefined });
    expect(edit(owner, { clinicRole: 'Doctor' })).toEqual({ patch: { clinicRole: 'Doctor' } });
  });
});
