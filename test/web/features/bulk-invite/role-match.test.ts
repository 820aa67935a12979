import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLINIC_ROLES } from '../../../../src/contract/roles.ts';
import { matchRole } from '../../../../src/web/features/bulk-invite/role-match.ts';

const first = (text: string) => {
  const match = matchRole(text);
  return match.kind === 'suggest' ? match.suggestions[0] : match.kind;
};

describe('role matcher', () => {
  it('matches a role on the list in any case and spacing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLINIC_ROLES),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.constantFrom('', ' ', '  ', '\t'),
        (role, cases, pad) => {
          const spelled = [...role]
            .map((char, index) => (cases[index] ? char.toUpperCase() : char.toLowerCase()))
            .join('');
          expect(matchRole(`${pad}${spelled.replace(/ /g, pad === '' ? ' ' : `${pad} `)}${pad}`)).toEqual({
            kind: 'exact',
            role,
          });
        },
      ),
    );
  });

  it.each([
    ['radiology tech', 'Imaging Technologist'],
    ['RN', 'Registered Nurse'],
    ['rn', 'Registered Nurse'],
    ['Radiolgist', 'Radiologist'],
    ['registerd nurse', 'Registered Nurse'],
    ['Nurse practicioner', 'Nurse Practitioner'],
    ['front desk', 'Front Desk Operator'],
    ['Receptionist', 'Front Desk Operator'],
    ['admin assistant', 'Administrative Assistant'],
    ['X-ray tech', 'Imaging Technologist'],
    ['cardio', 'Cardiologist'],
  ])('suggests for “%s”: %s', (text, role) => {
    expect(first(text)).toBe(role);
  });

  it('offers the close runners-up beside the best, not the far ones', () => {
    expect(matchRole('radiology tech')).toEqual({ kind: 'suggest', suggestions: ['Imaging Technologist'] });
    expect(matchRole('tech')).toEqual({
      kind: 'suggest',
      suggestions: ['Imaging Technologist', 'Laboratory Technician', 'Pharmacy Technician'],
    });
  });

  it('suggests nothing for what is no role', () => {
    expect(matchRole('xyzzy')).toEqual({ kind: 'none' });
    expect(matchRole('')).toEqual({ kind: 'none' });
    expect(matchRole('12')).toEqual({ kind: 'none' });
  });

  it('offers at most three roles, none twice', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const match = matchRole(text);
        if (match.kind !== 'suggest') return;
        expect(match.suggestions.length).toBeGreaterThan(0);
        expect(match.suggestions.length).toBeLessThanOrEqual(3);
        expect(new Set(match.suggestions).size).toBe(match.suggestions.length);
        match.suggestions.forEach((role) => expect(CLINIC_ROLES).toContain(role));
      }),
    );
  });
});
