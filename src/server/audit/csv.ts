import type { AuditRecord } from '../../contract/audit.ts';

/** The audit trail as CSV (RFC 4180), safe to open in a spreadsheet. */

export const AUDIT_CSV_COLUMNS: readonly (readonly [string, keyof AuditRecord])[] = [
  ['time', 'at'],
  ['operator email', 'operatorEmail'],
  ['operator id', 'operatorId'],
  ['action', 'action'],
  ['outcome', 'outcome'],
  ['upstream status', 'upstreamStatus'],
  ['user id', 'targetUserId'],
  ['invitation id', 'targetInvitationId'],
  ['target operator id', 'targetOperatorId'],
  ['target email', 'targetEmail'],
  ['client address', 'clientAddress'],
  ['request id', 'requestId'],
  ['detail', 'detail'],
];

/**
 * One CSV cell: quoted, quotes doubled; a value a spreadsheet would run as a formula (=, +, -, @, tab, CR) is
 * prefixed with an apostrophe, so a crafted name or detail cannot become a formula in whoever opens the export.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.map(([title]) => csvCell(title)).join(',')}\r\n`;
}

export function csvRow(record: AuditRecord): string {
  return `${AUDIT_CSV_COLUMNS.map(([, key]) => csvCell(record[key])).join(',')}\r\n`;
}
