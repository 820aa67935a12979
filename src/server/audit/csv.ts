import { changeText, type AuditRecord } from '../../contract/audit.ts';
import { csvLine } from '../../contract/csv.ts';

/**
 * The audit trail as CSV, through the contract's one writer. Every cell that has a value is quoted; a value a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe, so a crafted name or detail
 * cannot become a formula in whoever opens the export.
 */

type Column = readonly [string, Exclude<keyof AuditRecord, 'changes'>];

export const AUDIT_CSV_COLUMNS: readonly Column[] = [
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
  ['person', 'targetName'],
  ['client address', 'clientAddress'],
  ['request id', 'requestId'],
  ['detail', 'detail'],
];

export function csvHeader(): string {
  return csvLine([...AUDIT_CSV_COLUMNS.map(([title]) => title), 'changes'], 'always');
}

/** The last column: what an edit changed, one "Field: before → after" per change, separated by "; ". */
export function csvRow(record: AuditRecord): string {
  const changes = record.changes.map(changeText).join('; ');
  return csvLine([...AUDIT_CSV_COLUMNS.map(([, key]) => record[key]), changes || null], 'always');
}
