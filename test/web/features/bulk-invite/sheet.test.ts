import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSheetFile, parseSheet } from '../../../../src/web/features/bulk-invite/sheet.ts';
import type { SheetSource } from '../../../../src/web/features/bulk-invite/sheet.ts';

const HEADERS = ['First name', 'Last name', 'Email', 'Role', 'Phone', 'Admin?', 'Dashboard', 'Suffix'];

/** A cell as a spreadsheet writes it: quoted when it holds the delimiter, a quotation mark or a line break. */
function cellText(cell: string, delimiter: string): string {
  return cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

interface Written {
  text: string;
  lines: number[];
}

/** Serialise a table with empty lines where asked; the line each data row starts on is worked out as it is written. */
function write(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: {
    delimiter: string;
    newline: string;
    bom: boolean;
    blankBefore: readonly number[];
    trailing: boolean;
  },
): Written {
  let text = options.bom ? '\uFEFF' : '';
  let line = 1;
  const lines: number[] = [];
  const records = [header, ...rows];
  records.forEach((record, index) => {
    for (let blank = 0; blank < (options.blankBefore[index] ?? 0); blank += 1) {
      text += options.newline;
      line += 1;
    }
    if (index > 0) lines.push(line);
    const recordText = record.map((cell) => cellText(cell, options.delimiter)).join(options.delimiter);
    text += recordText;
    line += (recordText.match(/\r\n|\r|\n/g) ?? []).length;
    if (index < records.length - 1 || options.trailing) {
      text += options.newline;
      line += 1;
    }
  });
  return { text, lines };
}

const cellArb = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'Z', ' ', '"', ',', ';', '\t', '\n', '\r', 'é', '1', '@'),
    maxLength: 12,
  }),
  fc.string({ maxLength: 12 }),
);

const tableArb = fc.shuffledSubarray(HEADERS, { minLength: 2, maxLength: HEADERS.length }).chain((header) =>
  fc.record({
    header: fc.constant(header),
    rows: fc.array(
      fc
        .array(cellArb, { minLength: header.length, maxLength: header.length })
        .filter((cells) => cells.some((cell) => cell.trim() !== '')),
      { minLength: 1, maxLength: 12 },
    ),
    newline: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    trailing: fc.boolean(),
    blankBefore: fc.array(fc.nat(2), { maxLength: 14 }),
  }),
);

describe('reading a sheet', () => {
  it.each<[SheetSource, string]>([
    ['file', ','],
    ['file', ';'],
    ['paste', '\t'],
  ])(
    'reads back any %s table written with %j (quotes, line breaks in cells, BOM, CRLF, empty lines)',
    (source, delimiter) => {
      fc.assert(
        fc.property(tableArb, (table) => {
          // Cells holding a tab are quoted in a pasted table; a spreadsheet never leaves a cell made only of spaces
          // between tabs in a way that matters here.
          const written = write(table.header, table.rows, { ...table, delimiter });
          const result = parseSheet(written.text, source);
          expect(result).toEqual({
            ok: true,
            sheet: {
              header: table.header,
              headerLine: 1 + (table.blankBefore[0] ?? 0),
              rows: table.rows.map((cells, index) => ({ line: written.lines[index], cells })),
            },
          });
        }),
        { numRuns: 150 },
      );
    },
  );

  it('reads cells pasted from a spreadsheet (tabs, a quoted cell with a line break)', () => {
    const pasted =
      'First name\tLast name\tEmail\r\nAna\t"Ruiz\r\nGarcía"\tana@clinic.org\r\nBo\tLee\tbo@clinic.org\r\n';
    expect(parseSheet(pasted, 'paste')).toEqual({
      ok: true,
      sheet: {
        header: ['First name', 'Last name', 'Email'],
        headerLine: 1,
        rows: [
          { line: 2, cells: ['Ana', 'Ruiz\r\nGarcía', 'ana@clinic.org'] },
          { line: 4, cells: ['Bo', 'Lee', 'bo@clinic.org'] },
        ],
      },
    });
  });

  it('picks the delimiter by the header: a semicolon file with commas in its cells', () => {
    const text = 'Last name;First name;Email\nRuiz, Jr.;Ana;ana@clinic.org\n';
    expect(parseSheet(text, 'file')).toMatchObject({
      ok: true,
      sheet: {
        header: ['Last name', 'First name', 'Email'],
        rows: [{ line: 2, cells: ['Ruiz, Jr.', 'Ana', 'ana@clinic.org'] }],
      },
    });
  });

  it('drops stray trailing delimiters and names extra columns as unnamed', () => {
    const text = 'Email,First name,,\nana@clinic.org,Ana,,\nbo@clinic.org,Bo,,note\n';
    expect(parseSheet(text, 'file')).toEqual({
      ok: true,
      sheet: {
        header: ['Email', 'First name', '', ''],
        headerLine: 1,
        rows: [
          { line: 2, cells: ['ana@clinic.org', 'Ana', '', ''] },
          { line: 3, cells: ['bo@clinic.org', 'Bo', '', 'note'] },
        ],
      },
    });
    expect(parseSheet('Email,First name,,\nana@clinic.org,Ana,,\n', 'file')).toMatchObject({
      sheet: { header: ['Email', 'First name'], rows: [{ cells: ['ana@clinic.org', 'Ana'] }] },
    });
  });

  it('refuses a sheet without a recognisable header, naming its line', () => {
    expect(parseSheet('\n\nana@clinic.org,Ana,Ruiz\n', 'file')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^Line 3 looks like a person, not column names\./) as unknown,
    });
    expect(parseSheet('Department,Start date\nX-ray,2024\n', 'file')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^Line 1 should name the columns/) as unknown,
    });
    expect(parseSheet('  \n', 'paste')).toEqual({ ok: false, problem: 'Nothing was pasted.' });
    expect(parseSheet('Email\n\n', 'file')).toEqual({
      ok: false,
      problem: 'There is a header on line 1 but no people below it.',
    });
  });

  it('refuses more than 1,000 people, naming the line of the first one too many', () => {
    const rows = Array.from({ length: 1001 }, (_, index) => `p${index}@clinic.org`);
    expect(parseSheet(['Email', '', ...rows].join('\n'), 'file')).toEqual({
      ok: false,
      problem:
        'There are 1,001 people; at most 1,000 can be invited at a time. Split it into smaller parts (person 1,001 is on line 1,003).',
    });
    expect(parseSheet(['Email', ...rows.slice(0, 1000)].join('\n'), 'file').ok).toBe(true);
  });

  it('refuses an unclosed quotation mark, naming its line', () => {
    expect(parseSheet('Email,First name\nana@clinic.org,Ana\n"bo@clinic.org,Bo\nx,y\n', 'file')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^Line 3: a cell starts with a quotation mark/) as unknown,
    });
  });

  it('refuses more than 2 MB', () => {
    const big = `Email,Notes\n${'a@b.org,'.padEnd(2 * 1024 * 1024, 'x')}\n`;
    expect(parseSheet(big, 'paste')).toEqual({
      ok: false,
      problem: expect.stringMatching(/larger than 2 MB/) as unknown,
    });
  });
});

describe('decoding a chosen file', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('reads UTF-8 with or without a byte-order mark', () => {
    expect(decodeSheetFile(bytes('Email\nzoë@clinic.org\n'))).toEqual({
      ok: true,
      text: 'Email\nzoë@clinic.org\n',
    });
    const withBom = decodeSheetFile(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('Email\n')]));
    expect(withBom.ok && parseSheet(withBom.text, 'file')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no people/) as unknown,
    });
  });

  it('refuses text in another encoding, naming the line', () => {
    // "Zoë" in Windows-1252 on line 3.
    const latin1 = new Uint8Array([
      ...bytes('Email,First name\na@b.org,Ann\nz@b.org,Zo'),
      0xeb,
      ...bytes('\n'),
    ]);
    expect(decodeSheetFile(latin1)).toEqual({
      ok: false,
      problem: expect.stringMatching(/^The file is not UTF-8 text \(line 3 has/) as unknown,
    });
  });

  it('refuses workbooks, UTF-16 and binary files with what to do instead', () => {
    expect(decodeSheetFile(new Uint8Array([0x50, 0x4b, 3, 4, 0]))).toMatchObject({
      problem: expect.stringMatching(/workbook/) as unknown,
    });
    expect(decodeSheetFile(new Uint8Array([0xff, 0xfe, 0x45, 0]))).toMatchObject({
      problem: expect.stringMatching(/UTF-16/) as unknown,
    });
    expect(decodeSheetFile(new Uint8Array([...bytes('Email\nab'), 0, 1, 2]))).toEqual({
      ok: false,
      problem: expect.stringMatching(/^This is not a text file \(line 2 holds binary data\)/) as unknown,
    });
    expect(decodeSheetFile(new Uint8Array(2 * 1024 * 1024 + 1))).toMatchObject({
      problem: expect.stringMatching(/larger than 2 MB/) as unknown,
    });
    expect(decodeSheetFile(new Uint8Array())).toEqual({ ok: false, problem: 'The file is empty.' });
  });
});
