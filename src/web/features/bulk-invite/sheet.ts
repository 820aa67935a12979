import Papa from 'papaparse';
import { BULK_CELL_MAX, BULK_MAX_COLUMNS, BULK_MAX_ROWS } from '../../../contract/bulk.ts';
import { recognisedFields } from './columns.ts';

/**
 * Reading a spreadsheet: cells pasted from Excel, Google Sheets or Numbers (tab-separated), or a .csv file (comma or
 * semicolon, UTF-8 with or without a byte-order mark, quoted cells holding delimiters and line breaks, CRLF or LF).
 * papaparse splits the text; this module picks the delimiter by the header it finds, skips empty lines, keeps each
 * row's line number for the admin, and refuses what cannot be a sheet of people with one message naming the problem
 * and where it is.
 */

export const SHEET_MAX_BYTES = 2 * 1024 * 1024;

export type SheetSource = 'paste' | 'file';

export interface SheetRow {
  /** The line of the file the row starts on (1 is the first line). */
  line: number;
  cells: string[];
}

export interface Sheet {
  header: string[];
  headerLine: number;
  rows: SheetRow[];
}

export type SheetResult = { ok: true; sheet: Sheet } | { ok: false; problem: string };

const DELIMITERS: Record<SheetSource, readonly string[]> = {
  paste: ['\t', ',', ';'],
  file: [',', ';', '\t'],
};

const count = (n: number) => n.toLocaleString('en-US');
const refuse = (problem: string): SheetResult => ({ ok: false, problem });

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

const looksLikeEmail = (cell: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(cell.trim());

/** Rows as papaparse splits them, each with the line it starts on; stops after `limit` rows when given. */
function splitRows(text: string, delimiter: string, limit?: number): { rows: SheetRow[]; problem?: string } {
  const rows: SheetRow[] = [];
  let start = 0;
  let line = 1;
  let problem: string | undefined;
  Papa.parse<string[]>(text, {
    delimiter,
    // Each row's line: the line breaks before where it starts (a quoted cell may hold line breaks of its own).
    step: (result, handle) => {
      const rowLine = line;
      const end = result.meta.cursor;
      for (let at = start; at < end; at += 1) {
        const char = text.charCodeAt(at);
        if (char === 10 || (char === 13 && text.charCodeAt(at + 1) !== 10)) line += 1;
      }
      start = end;
      const quoteError = result.errors.find((error) => error.type === 'Quotes');
      if (quoteError) {
        problem = `Line ${count(rowLine)}: a cell starts with a quotation mark (") that is never closed. Remove the quotation mark or close it, then try again.`;
        handle.abort();
        return;
      }
      rows.push({ line: rowLine, cells: result.data });
      if (limit !== undefined && rows.length >= limit) handle.abort();
    },
  });
  return problem === undefined ? { rows } : { rows, problem };
}

function firstNonBlank(rows: readonly SheetRow[]): SheetRow | undefined {
  return rows.find((row) => !isBlank(row.cells));
}

/** The delimiter whose first row names the most fields (ties go to the usual one for the source). */
function chooseDelimiter(text: string, source: SheetSource): string | undefined {
  let best: { delimiter: string; fields: number } | undefined;
  for (const delimiter of DELIMITERS[source]) {
    const header = firstNonBlank(splitRows(text, delimiter, 50).rows);
    const fields = header ? recognisedFields(header.cells) : 0;
    if (fields > 0 && (best === undefined || fields > best.fields)) best = { delimiter, fields };
  }
  return best?.delimiter;
}

function noHeader(text: string, source: SheetSource): SheetResult {
  const first = firstNonBlank(splitRows(text, DELIMITERS[source][0] ?? ',', 50).rows);
  if (first === undefined) return refuse(source === 'paste' ? 'Nothing was pasted.' : 'The file is empty.');
  const where = `Line ${count(first.line)}`;
  if (first.cells.some(looksLikeEmail)) {
    return refuse(
      `${where} looks like a person, not column names. Put a header line first, for example: First name, Last name, Email, Role (the template has one).`,
    );
  }
  return refuse(
    `${where} should name the columns (First name, Last name, Email, Role, …), but none of its cells is a column this screen knows. Put a header line first (the template has one).`,
  );
}

/** The byte length of the text in UTF-8. */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Split the text of a sheet into its header and rows, or say what is wrong with it. */
export function parseSheet(input: string, source: SheetSource): SheetResult {
  if (utf8Length(input) > SHEET_MAX_BYTES) {
    return refuse(
      `This is larger than 2 MB. Invite at most ${count(BULK_MAX_ROWS)} people at a time: split the ${source === 'paste' ? 'cells' : 'file'} into smaller parts.`,
    );
  }
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delimiter = chooseDelimiter(text, source);
  if (delimiter === undefined) return noHeader(text, source);

  const split = splitRows(text, delimiter);
  if (split.problem !== undefined) return refuse(split.problem);
  const nonBlank = split.rows.filter((row) => !isBlank(row.cells));
  const [headerRow, ...rows] = nonBlank;
  if (headerRow === undefined) return noHeader(text, source);
  if (rows.length === 0) {
    return refuse(`There is a header on line ${count(headerRow.line)} but no people below it.`);
  }
  if (rows.length > BULK_MAX_ROWS) {
    const first = rows[BULK_MAX_ROWS];
    return refuse(
      `There are ${count(rows.length)} people; at most ${count(BULK_MAX_ROWS)} can be invited at a time. Split it into smaller parts (person ${count(BULK_MAX_ROWS + 1)} is on line ${count(first?.line ?? 0)}).`,
    );
  }

  // Trailing empty cells (a spreadsheet's stray delimiters) are dropped; cells past the header get unnamed columns.
  const used = (cells: readonly string[]) => {
    let last = cells.length;
    while (last > 0 && (cells[last - 1] ?? '').trim() === '') last -= 1;
    return last;
  };
  const columns = Math.max(...[headerRow, ...rows].map((row) => used(row.cells)));
  const header = Array.from({ length: columns }, (_, index) => headerRow.cells[index] ?? '');
  if (columns > BULK_MAX_COLUMNS) {
    const wide = [headerRow, ...rows].find((row) => used(row.cells) > BULK_MAX_COLUMNS);
    return refuse(
      `Line ${count(wide?.line ?? headerRow.line)} has ${count(columns)} columns; at most ${BULK_MAX_COLUMNS} can be read. Remove the columns that are not needed.`,
    );
  }
  while (header.length < columns) header.push('');
  for (const row of [headerRow, ...rows]) {
    const long = row.cells.findIndex((cell) => cell.length > BULK_CELL_MAX);
    if (long !== -1) {
      return refuse(
        `Line ${count(row.line)}, column ${long + 1}: a cell holds more than ${count(BULK_CELL_MAX)} characters. Shorten it, then try again.`,
      );
    }
  }
  return {
    ok: true,
    sheet: {
      header,
      headerLine: headerRow.line,
      rows: rows.map((row) => ({
        line: row.line,
        cells: Array.from({ length: columns }, (_, index) => row.cells[index] ?? ''),
      })),
    },
  };
}

/** The text of a chosen file, or why it cannot be read (not text, not UTF-8, too large). */
export function decodeSheetFile(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; problem: string } {
  if (bytes.length > SHEET_MAX_BYTES) {
    return {
      ok: false,
      problem: `The file is larger than 2 MB. Invite at most ${count(BULK_MAX_ROWS)} people at a time: split it into smaller files.`,
    };
  }
  if (bytes.length === 0) return { ok: false, problem: 'The file is empty.' };
  // A workbook (.xlsx, .ods: zip) or an old Excel file (.xls: OLE).
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const ole = bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  if (zip || ole) {
    return {
      ok: false,
      problem:
        'This is a spreadsheet workbook, not a CSV file. In Excel choose File › Save As › “CSV UTF-8”, or select the cells and paste them here instead.',
    };
  }
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) {
    return {
      ok: false,
      problem:
        'The file is saved as “Unicode text” (UTF-16). Save it as “CSV UTF-8” instead, or select the cells and paste them here.',
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      problem: `This is not a text file (line ${count(lineAt(bytes, nul))} holds binary data). Choose a .csv file saved as “CSV UTF-8”.`,
    };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Where the first undecodable byte is: the first replacement character of a lenient decoding.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const bad = lenient.indexOf('\uFFFD');
    const line = lenient.slice(0, Math.max(bad, 0)).split('\n').length;
    return {
      ok: false,
      problem: `The file is not UTF-8 text (line ${count(line)} has a character in another encoding). Save it as “CSV UTF-8”, or select the cells and paste them here.`,
    };
  }
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let at = 0; at < offset; at += 1) if (bytes[at] === 10) line += 1;
  return line;
}
