import { toCsv } from '../../../contract/csv.ts';
import type { BulkBatch, RowState } from '../../../contract/bulk.ts';
import { toTsvLines } from '../../lib/clipboard.ts';

/** What a sent batch gives back: its progress, the userIds as TSV, the results file. Pure, for the tests. */

/** How far the batch is: rows done (sent, failed, skipped or cancelled) of all its rows. */
export function batchProgress(batch: Pick<BulkBatch, 'total' | 'counts'>): {
  done: number;
  total: number;
  percent: number;
  /** Rows not sent yet, the one being sent included. */
  waiting: number;
} {
  const waiting = batch.counts.waiting + batch.counts.sending;
  const done = Math.max(0, batch.total - waiting);
  const percent = batch.total === 0 ? 100 : Math.floor((done / batch.total) * 100);
  return { done, total: batch.total, percent, waiting };
}

/** `email⇥userId`, one line per sent row, in the file's order. */
export function sentRowsTsv(batch: Pick<BulkBatch, 'rows'>): string {
  return toTsvLines(
    batch.rows.flatMap((row) =>
      row.state === 'sent' && row.userId !== null ? [[row.email ?? '', row.userId]] : [],
    ),
  );
}

export const RESULT_COLUMNS = ['status', 'userId', 'message'] as const;

/** Every input column as it was in the file, then each row's status, userId and message. */
export function resultsCsv(batch: Pick<BulkBatch, 'columns' | 'rows'>): string {
  const width = batch.columns.length;
  return toCsv(
    [...batch.columns, ...RESULT_COLUMNS],
    batch.rows.map((row) => [
      ...Array.from({ length: width }, (_, column) => row.cells[column] ?? ''),
      row.state,
      row.userId,
      row.message,
    ]),
  );
}

export const resultsFileName = (batchId: string) => `invite-results-${batchId}.csv`;

/** A count of rows seen at a moment, to estimate the time left from the rate observed. */
export type ProgressSample = { at: number; done: number };

/** How long the rate is measured over: long enough to smooth, short enough to follow a pause or a slowdown. */
const RATE_WINDOW_MS = 60_000;

/** The samples to keep after a new one: those inside the window, and always the one before it. */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const kept = samples.filter((known) => known.at <= sample.at && sample.at - known.at <= RATE_WINDOW_MS);
  const older = samples.filter((known) => sample.at - known.at > RATE_WINDOW_MS).at(-1);
  return [...(older ? [older] : []), ...kept, sample];
}

/**
 * Seconds left at the rate observed over the samples, or undefined until there is a rate to go by (at least two
 * seconds of observation with some progress).
 */
export function estimateSecondsLeft(
  samples: readonly ProgressSample[],
  remaining: number,
): number | undefined {
  if (remaining <= 0) return 0;
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 2000 || last.done <= first.done) return undefined;
  const perSecond = ((last.done - first.done) * 1000) / (last.at - first.at);
  return Math.ceil(remaining / perSecond);
}

/** "About 2 minutes left", rounded as a person would say it. */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 10) return 'A few seconds left';
  if (seconds < 60) return `About ${Math.round(seconds / 5) * 5} seconds left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `About ${minutes} minute${minutes === 1 ? '' : 's'} left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `About ${hours} hour${hours === 1 ? '' : 's'}${rest === 0 ? '' : ` ${rest} min`} left`;
}

export const ROW_STATE_LABELS: Record<RowState, string> = {
  waiting: 'Waiting',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Not sent (cancelled)',
};
