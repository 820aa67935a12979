/**
 * The one CSV writer (RFC 4180: CRLF line ends, quotes doubled), for the exports the browser builds (Users,
 * Invitations) and the one the BFF streams (Activity). Pure TypeScript: no DOM, no Node.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** Quote a field only when it needs it (the default), or every field that has a value. */
export type CsvQuoting = 'as-needed' | 'always';

/** A spreadsheet would run text starting with these as a formula ("CSV injection"): such text gets an apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field. Empty for null and undefined (never quoted, so an empty cell stays empty). */
export function csvField(value: CsvValue, quoting: CsvQuoting = 'as-needed'): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return quoting === 'always' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line, CRLF-terminated. */
export function csvLine(fields: readonly CsvValue[], quoting: CsvQuoting = 'as-needed'): string {
  return `${fields.map((field) => csvField(field, quoting)).join(',')}\r\n`;
}

/** Excel reads the accents in names (Ramírez, Zoë) as UTF-8 only after a byte-order mark. */
const CSV_BOM = '\uFEFF';

/** A whole file: the byte-order mark, a header line, then one line per row. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly CsvValue[])[],
  quoting: CsvQuoting = 'as-needed',
): string {
  return `${CSV_BOM}${[header, ...rows].map((fields) => csvLine(fields, quoting)).join('')}`;
}
