import { describe, expect, it } from 'vitest';
import { toCsv, toTsvLines } from '../../../src/web/lib/csv.ts';

describe('CSV and TSV', () => {
  it('writes RFC 4180 CSV with a byte-order mark, quoting only what needs it', () => {
    const text = toCsv(
      ['id', 'name', 'note', 'flag', 'missing'],
      [
        ['usr_1', 'Ramírez, Diego', 'says "hi"\nthen leaves', true, null],
        ['usr_2', 'Zoë', '', false, undefined],
      ],
    );
    expect(text).toBe(
      '\uFEFFid,name,note,flag,missing\r\n' +
        'usr_1,"Ramírez, Diego","says ""hi""\nthen leaves",true,\r\n' +
        'usr_2,Zoë,,false,\r\n',
    );
  });

  it('keeps a spreadsheet from running text as a formula', () => {
    expect(
      toCsv(['a'], [['=1+1'], ['+SUM(A1)'], ['-2'], ['@cmd'], ['\tx']])
        .split('\r\n')
        .slice(1, 6),
    ).toEqual(["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tx"]);
  });

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
