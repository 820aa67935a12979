/** CSV for spreadsheets (RFC 4180: CRLF line ends, fields quoted when needed), and TSV lines for the clipboard. */

export type CsvValue = string | number | boolean | null | undefined;

/** A spreadsheet would run text starting with these as a formula ("CSV injection"): such text is sent quoted-out. */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The CSV text: a header line, then one line per row. It starts with a byte-order mark so that Excel reads the
 * accents in names (Ramírez, Zoë) as UTF-8.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header, ...rows].map((fields) => fields.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * `email<TAB>userId` lines, one per person, for pasting into a spreadsheet or a ticket. Tabs and line breaks inside
 * a value would split it into the wrong cells, so they become spaces; nothing else is changed (ids are exact).
 */
export function toTsvLines(rows: readonly (readonly string[])[]): string {
  return rows.map((fields) => fields.map((field) => field.replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
}

/** Hand text to the browser as a file download. */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Late enough for the browser to have started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
