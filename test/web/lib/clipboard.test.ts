import { describe, expect, it } from 'vitest';
import { toTsvLines } from '../../../src/web/lib/clipboard.ts';

describe('TSV for the clipboard', () => {
  it('copies email<TAB>userId lines exactly, with no trailing whitespace', () => {
    expect(
      toTsvLines([
        ['a@clinic.org', 'usr_00000000000000000000000000000001'],
        ['b\t@clinic.org', 'usr_00000000000000000000000000000002'],
      ]),
    ).toBe(
      'a@clinic.org\tusr_00000000000000000000000000000001\nb @clinic.org\tusr_00000000000000000000000000000002',
    );
  });
});
