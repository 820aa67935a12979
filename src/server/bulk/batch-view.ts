import type { BulkBatch, BulkBatchSummary, BulkRow, RowCounts } from '../../contract/bulk.ts';
import type { BatchRecord, RowRecord } from '../store/bulk.ts';

/** A stored batch and its row counts as the browser reads them. */
export function batchSummary(batch: BatchRecord, counts: RowCounts): BulkBatchSummary {
  return {
    batchId: batch.id,
    createdAt: new Date(batch.createdAt).toISOString(),
    createdBy: {
      operatorId: batch.operatorId,
      email: batch.operatorEmail,
      displayName: batch.operatorName,
    },
    state: batch.state,
    total: batch.total,
    counts,
    pausedUntil: batch.pausedUntil === null ? null : new Date(batch.pausedUntil).toISOString(),
    finishedAt: batch.finishedAt === null ? null : new Date(batch.finishedAt).toISOString(),
    version: batch.version,
  };
}

export function batchRow(row: RowRecord): BulkRow {
  return {
    index: row.index,
    line: row.line,
    cells: row.cells,
    email: row.email,
    state: row.state,
    userId: row.userId,
    message: row.message,
    requestId: row.requestId,
    invite: row.invite,
    version: row.version,
  };
}

export function batchWithRows(batch: BatchRecord, counts: RowCounts, rows: RowRecord[]): BulkBatch {
  return { ...batchSummary(batch, counts), columns: batch.columns, rows: rows.map(batchRow) };
}

/** The batch's line in the activity log: its id and what became of its rows. */
export function batchAuditDetail(batchId: string, total: number, counts: RowCounts): string {
  return (
    `Batch ${batchId}: ${total} rows, ${counts.sent} sent, ${counts.skipped} skipped, ${counts.failed} failed, ` +
    `${counts.cancelled} cancelled.`
  );
}
