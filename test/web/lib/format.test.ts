import { describe, expect, it } from 'vitest';
import { formatPersonName, levelLabel } from '../../../src/web/lib/format.ts';

describe('formatPersonName', () => {
  it('reads like the product’s example', () => {
    expect(
      formatPersonName({
        firstName: 'Sarah',
        middleName: 'Marie',
        lastName: 'Johnson',
        suffix1: 'MD',
        suffix2: 'FACR',
      }),
    ).toBe('Sarah M. Johnson, MD, FACR');
  });

  it('leaves out what is missing and tidies spaces', () => {
    expect(
      formatPersonName({ firstName: '  Omar ', lastName: 'Haddad', middleName: null, suffix1: '' }),
    ).toBe('Omar Haddad');
    expect(formatPersonName({ firstName: 'Ana', lastName: 'Silva', suffix2: 'PhD' })).toBe('Ana Silva, PhD');
    expect(formatPersonName({ firstName: 'ana', middleName: 'élise', lastName: 'Roy' })).toBe('ana É. Roy');
    expect(formatPersonName({})).toBe('');
  });
});

describe('levelLabel', () => {
  it('capitalises levels, including ones this product does not assign', () => {
    expect(levelLabel('admin')).toBe('Admin');
    expect(levelLabel('owner')).toBe('Owner');
    expect(levelLabel('')).toBe('');
  });
});
