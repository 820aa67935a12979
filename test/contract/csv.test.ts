import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { csvField, csvLine, toCsv } from '../../src/contract/csv.ts';

/** A minimal RFC 4180 reader, to check that what is written reads back as the same fields. */
function readCsvLine(line: string): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line[at] === '"') {
      let text = '';
      at += 1;
      for (;;) {
        const quote = line.indexOf('"', at);
        text += line.slice(at, quote);
        at = quote + 1;
        if (line[at] === '"') {
          text += '"';
          at += 1;
        } else break;
      }
      fields.push(text);
    } else {
      const comma = line.indexOf(',', at);
      fields.push(line.slice(at, comma === -1 ? undefined : comma));
      at = comma === -1 ? line.length : comma;
    }
    if (at >= line.length) return fields;
    at += 1;
  }
}

describe('CSV', () => {
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

  it('quotes every field that has a value when asked, and leaves empty cells empty', () => {
    expect(csvLine(['plain', 'say "hi", ok', null, 502, undefined], 'always')).toBe(
      '"plain","say ""hi"", ok",,"502",\r\n',
    );
  });

  it('keeps a spreadsheet from running text as a formula, whichever the quoting', () => {
    for (const quoting of ['as-needed', 'always'] as const) {
      const lines = toCsv(['a'], [['=1+1'], ['+SUM(A1)'], ['-2'], ['@cmd'], ['\tx'], ['\rx']], quoting)
        .split('\r\n')
        .slice(1, 7);
      expect(lines.map((line) => line.replace(/^"|"$/g, ''))).toEqual([
        "'=1+1",
        "'+SUM(A1)",
        "'-2",
        "'@cmd",
        "'\tx",
        "'\rx",
      ]);
    }
    // Numbers are data, not formulas: a negative number stays a number.
    expect(csvField(-2)).toBe('-2');
  });

  it('reads back as the same fields, whatever the text (formula starts aside)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((text) => !/^[=+\-@\t\r]/.test(text)),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom('as-needed' as const, 'always' as const),
        (fields, quoting) => {
          const line = csvLine(fields, quoting);
          expect(line.endsWith('\r\n')).toBe(true);
          expect(readCsvLine(line.slice(0, -2))).toEqual(fields);
        },
      ),
    );
  });
});
