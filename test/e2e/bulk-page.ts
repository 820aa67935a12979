// What the batch screen's results look like, worked out in the test from the batch the BFF holds: the e2e files of
// Invite many and of a sent batch both compare the page's TSV and CSV with these, byte for byte.
import type { Page } from 'playwright-core';
import type { BulkBatch } from '../../src/contract/bulk.ts';

/** The results file: the sheet's columns, then each row's cells, status, userId and message (BOM, CRLF, RFC 4180). */
export function expectedResultsCsv(columns: readonly string[], batch: BulkBatch): string {
  const quote = (cell: string) => {
    // A cell a spreadsheet would run as a formula is written with an apostrophe first.
    const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = batch.rows.map((row) =>
    [...row.cells, row.state, row.userId ?? '', row.message ?? ''].map(quote).join(','),
  );
  return `\uFEFF${[[...columns, 'status', 'userId', 'message'].join(','), ...lines].join('\r\n')}\r\n`;
}

/** "Copy as TSV": e-mail and userId of each sent row, a line each. */
export function expectedTsv(batch: BulkBatch): string {
  return batch.rows
    .filter((row) => row.state === 'sent')
    .map((row) => `${row.email ?? ''}\t${row.userId ?? ''}`)
    .join('\n');
}

/** The batch screen's one-line state ("Sending…", "Paused…", "Finished: …", "Cancelled…"). */
export const batchStateText = (page: Page) =>
  page.locator('[role="status"]').filter({ hasText: /^(Sending|Paused|Finished|Cancelled)/ });
