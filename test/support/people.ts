import type { InviteUserInput } from '../../src/contract/users.ts';

let counter = 0;

/** A valid invite body with a unique e-mail address (the tests share one sandbox per file). */
export function newPerson(overrides: Partial<InviteUserInput> = {}): InviteUserInput {
  counter += 1;
  return {
    firstName: 'Sarah',
    lastName: `Johnson${counter}`,
    email: `person-${counter}-${process.pid}-${Date.now()}@hospital.example`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: true,
    ...overrides,
  };
}
