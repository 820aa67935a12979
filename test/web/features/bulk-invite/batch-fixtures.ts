import { BulkBatchSummarySchema } from '../../../../src/contract/bulk.ts';
import type {
  BulkBatch,
  BulkBatchSummary,
  BulkRow,
  RowCounts,
  RowState,
} from '../../../../src/contract/bulk.ts';
import type { InviteUser } from '../../../../src/contract/users.ts';

export const BATCH_ID = `bat_${'0123456789abcdef'.repeat(2)}`;
export const COLUMNS = ['First name', 'Last name', 'E-mail', 'Role'];

export function invite(n: number, overrides: Partial<InviteUser> = {}): InviteUser {
  return {
    firstName: `Ann${n}`,
    lastName: 'Lee',
    email: `ann${n}@clinic.org`,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: false,
    canManageStudies: true,
    ...overrides,
  };
}

export const userIdOf = (n: number) => `usr_${String(n).padStart(32, '0')}`;

export function row(n: number, state: RowState, overrides: Partial<BulkRow> = {}): BulkRow {
  const person = invite(n);
  return {
    index: n,
    line: n + 2,
    cells: [person.firstName, person.lastName, person.email, 'radiologist'],
    email: person.email,
    state,
    userId: state === 'sent' ? userIdOf(n) : null,
    message: null,
    requestId: null,
    invite: state === 'skipped' ? null : person,
    version: 1,
    ...overrides,
  };
}

export function countsOf(rows: readonly BulkRow[]): RowCounts {
  const counts: RowCounts = { waiting: 0, sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const each of rows) counts[each.state] += 1;
  return counts;
}

/** A batch of these rows (its counts from them), at `version`; a finished or cancelled one has ended. */
export function batch(rows: BulkRow[], overrides: Partial<BulkBatch> = {}): BulkBatch {
  const state = overrides.state ?? 'running';
  return {
    batchId: BATCH_ID,
    createdAt: '2026-03-02T09:15:00.000Z',
    createdBy: { operatorId: `opr_${'a'.repeat(32)}`, email: 'dana@clinic.org', displayName: 'Dana Scully' },
    state,
    total: rows.length,
    counts: countsOf(rows),
    pausedUntil: null,
    finishedAt: state === 'finished' || state === 'cancelled' ? '2026-03-02T09:16:00.000Z' : null,
    version: Math.max(1, ...rows.map((each) => each.version)),
    columns: COLUMNS,
    rows,
    ...overrides,
  };
}

/** The answer to `?since=`: the batch's summary with only the rows given (counts from every row). */
export function changes(all: BulkRow[], changed: BulkRow[], overrides: Partial<BulkBatch> = {}): BulkBatch {
  return { ...batch(all, overrides), rows: changed };
}

/** The item at `index`, which the test knows is there. */
export function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`No item at ${index}.`);
  return item;
}

/** The batch as the list of recent batches has it (its rows and columns left out). */
export const summaryOf = (full: BulkBatch): BulkBatchSummary => BulkBatchSummarySchema.parse(full);
