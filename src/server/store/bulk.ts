import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { BATCH_STATES, ROW_STATES } from '../../contract/bulk.ts';
import type { BatchState, RowCounts, RowState } from '../../contract/bulk.ts';
import { InviteUserInputSchema } from '../../contract/users.ts';
import type { InviteUser } from '../../contract/users.ts';
import type { SqliteDatabase } from './sqlite.ts';

/**
 * Bulk invites: batches and their rows. Every change to a batch or one of its rows bumps the batch's version and
 * gives the changed rows that version, so `rows(batchId, since)` returns exactly what changed after `since`. Times are
 * milliseconds since the epoch.
 */

export interface BatchRecord {
  id: string;
  createdAt: number;
  operatorId: string;
  operatorEmail: string;
  operatorName: string;
  state: BatchState;
  columns: string[];
  total: number;
  pausedUntil: number | null;
  finishedAt: number | null;
  cancelledBy: string | null;
  auditId: number | null;
  auditCompleted: boolean;
  version: number;
}

export interface RowRecord {
  batchId: string;
  index: number;
  line: number;
  cells: string[];
  email: string | null;
  state: RowState;
  attempt: number;
  tries: number;
  invite: InviteUser | null;
  userId: string | null;
  message: string | null;
  requestId: string | null;
  version: number;
}

export interface NewBatchRow {
  line: number;
  cells: string[];
  /** The invite to send (state waiting), or null for a row skipped from the start. */
  invite: InviteUser | null;
  userId: string | null;
  message: string | null;
}

export interface NewBatch {
  /** From newBatchId(). */
  id: string;
  createdAt: number;
  operatorId: string;
  operatorEmail: string;
  operatorName: string;
  creationKey: string;
  auditId: number | null;
  columns: string[];
  rows: NewBatchRow[];
}

/** How a row's send ended (or that it goes back to waiting). */
export interface RowChange {
  state: RowState;
  userId?: string | null | undefined;
  message?: string | null | undefined;
  requestId?: string | null | undefined;
  tries?: number | undefined;
}

/** Who works a batch, and until when unless renewed. */
export interface Lease {
  owner: string;
  until: number;
}

export type CancelResult = 'cancelled' | 'finished' | 'not-found';
export type RetryResult =
  | { kind: 'retried'; row: RowRecord }
  | { kind: 'not-found' }
  | { kind: 'not-failed'; state: RowState }
  | { kind: 'cancelled' }
  | { kind: 'email-taken'; line: number };

export interface BulkStore {
  create(batch: NewBatch): Promise<BatchRecord>;
  /** The batch an operator created with this Idempotency-Key, if any. */
  findByCreationKey(operatorId: string, key: string): Promise<BatchRecord | undefined>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  counts(batchId: string): Promise<RowCounts>;
  /** The rows changed after version `since` (all with 0), by index. */
  rows(batchId: string, since: number): Promise<RowRecord[]>;
  /** The newest batches first. */
  recent(limit: number): Promise<BatchRecord[]>;
  /**
   * The next waiting row of the oldest batch that may send (running, or paused until no later than `now`, which then
   * runs again) and that no other instance holds (its lease ended before `now`), marked sending; the batch is then
   * held by `lease.owner` until `lease.until`. Taking a batch over from an instance whose lease ended, its rows left
   * sending wait again first (their key unchanged). Undefined when there is none.
   */
  claimNext(now: number, lease: Lease): Promise<RowRecord | undefined>;
  /** Keep holding the owner's unfinished batches until `until`. */
  renewLeases(owner: string, until: number): Promise<void>;
  /** Let go of the owner's batches (a clean stop): another instance may take them at once. */
  releaseLeases(owner: string): Promise<void>;
  updateRow(batchId: string, index: number, change: RowChange): Promise<void>;
  /** Hold the batch back until `until` (a later pause already set wins). */
  pause(batchId: string, until: number): Promise<void>;
  /**
   * After a restart: rows left sending in batches no instance holds any more (lease ended by `now`) go back to
   * waiting (their key unchanged) and those batches are let go. Returns how many rows.
   */
  requeueSending(now: number): Promise<number>;
  /** Rows not yet sent become cancelled; a row on its way finishes. */
  cancel(batchId: string, operatorEmail: string): Promise<CancelResult>;
  /** A failed row waits again with a corrected invite and the next attempt; the batch runs again. */
  retry(batchId: string, index: number, invite: InviteUser): Promise<RetryResult>;
  /**
   * When no row is waiting or sending: the batch is finished (a cancelled one stays cancelled) with `finishedAt`.
   * Returns the batch when this call finished it.
   */
  finishIfDone(batchId: string, now: number): Promise<BatchRecord | undefined>;
  markAudited(batchId: string): Promise<void>;
  /** Batches not finished, or finished without their audit record completed (after a restart). */
  unsettled(): Promise<string[]>;
  /** The earliest time a paused batch with waiting rows may run again, if any. */
  nextWake(): Promise<number | undefined>;
}

export const CANCELLED_MESSAGE = 'Cancelled before it was sent.';

export function newBatchId(): string {
  return `bat_${randomBytes(16).toString('hex')}`;
}

const BatchRowSchema = z.object({
  id: z.string(),
  created_at: z.number(),
  operator_id: z.string(),
  operator_email: z.string(),
  operator_name: z.string(),
  state: z.enum(BATCH_STATES),
  columns: z.string(),
  total: z.number(),
  paused_until: z.nullable(z.number()),
  finished_at: z.nullable(z.number()),
  cancelled_by: z.nullable(z.string()),
  audit_id: z.nullable(z.number()),
  audit_completed: z.number(),
  version: z.number(),
});

const StoredRowSchema = z.object({
  batch_id: z.string(),
  idx: z.number(),
  line: z.number(),
  cells: z.string(),
  email: z.nullable(z.string()),
  state: z.enum(ROW_STATES),
  attempt: z.number(),
  tries: z.number(),
  invite: z.nullable(z.string()),
  user_id: z.nullable(z.string()),
  message: z.nullable(z.string()),
  request_id: z.nullable(z.string()),
  version: z.number(),
});

const StringListSchema = z.array(z.string());

export function toBatch(row: unknown): BatchRecord {
  const r = BatchRowSchema.parse(row);
  return {
    id: r.id,
    createdAt: r.created_at,
    operatorId: r.operator_id,
    operatorEmail: r.operator_email,
    operatorName: r.operator_name,
    state: r.state,
    columns: StringListSchema.parse(JSON.parse(r.columns)),
    total: r.total,
    pausedUntil: r.paused_until,
    finishedAt: r.finished_at,
    cancelledBy: r.cancelled_by,
    auditId: r.audit_id,
    auditCompleted: r.audit_completed === 1,
    version: r.version,
  };
}

export function toRow(row: unknown): RowRecord {
  const r = StoredRowSchema.parse(row);
  return {
    batchId: r.batch_id,
    index: r.idx,
    line: r.line,
    cells: StringListSchema.parse(JSON.parse(r.cells)),
    email: r.email,
    state: r.state,
    attempt: r.attempt,
    tries: r.tries,
    invite: r.invite === null ? null : InviteUserInputSchema.parse(JSON.parse(r.invite)),
    userId: r.user_id,
    message: r.message,
    requestId: r.request_id,
    version: r.version,
  };
}

export const emptyCounts = (): RowCounts => ({
  waiting: 0,
  sending: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  cancelled: 0,
});

export function createSqliteBulkStore(db: SqliteDatabase): BulkStore {
  const insertBatch = db.prepare(
    `INSERT INTO bulk_batches (id, created_at, operator_id, operator_email, operator_name, creation_key, state,
       columns, total, audit_id, version)
     VALUES (@id, @createdAt, @operatorId, @operatorEmail, @operatorName, @creationKey, 'running', @columns,
       @total, @auditId, 1)`,
  );
  const insertRow = db.prepare(
    `INSERT INTO bulk_rows (batch_id, idx, line, cells, email, state, invite, user_id, message, version)
     VALUES (@batchId, @index, @line, @cells, @email, @state, @invite, @userId, @message, 1)`,
  );
  const selectBatch = db.prepare('SELECT * FROM bulk_batches WHERE id = ?');
  const selectByKey = db.prepare('SELECT * FROM bulk_batches WHERE operator_id = ? AND creation_key = ?');
  const selectCounts = db
    .prepare('SELECT state, COUNT(*) AS n FROM bulk_rows WHERE batch_id = ? GROUP BY state')
    .raw();
  const selectRows = db.prepare('SELECT * FROM bulk_rows WHERE batch_id = ? AND version > ? ORDER BY idx');
  const selectRow = db.prepare('SELECT * FROM bulk_rows WHERE batch_id = ? AND idx = ?');
  const selectRecent = db.prepare('SELECT * FROM bulk_batches ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const bump = db
    .prepare('UPDATE bulk_batches SET version = version + 1 WHERE id = ? RETURNING version')
    .pluck();
  const nextWaiting = db.prepare(
    `SELECT r.batch_id, r.idx, b.lease_owner FROM bulk_rows r JOIN bulk_batches b ON b.id = r.batch_id
     WHERE r.state = 'waiting'
       AND (b.state = 'running' OR (b.state = 'paused' AND COALESCE(b.paused_until, 0) <= @now))
       AND (b.lease_owner IS NULL OR b.lease_owner = @owner OR b.lease_until <= @now)
     ORDER BY b.created_at, b.rowid, r.idx LIMIT 1`,
  );
  const resume = db.prepare(
    `UPDATE bulk_batches SET state = 'running', paused_until = NULL WHERE id = ? AND state = 'paused'`,
  );
  const setRowState = db.prepare(
    `UPDATE bulk_rows SET state = @state, version = @version,
       user_id = CASE WHEN @setUserId THEN @userId ELSE user_id END,
       message = CASE WHEN @setMessage THEN @message ELSE message END,
       request_id = CASE WHEN @setRequestId THEN @requestId ELSE request_id END,
       tries = COALESCE(@tries, tries)
     WHERE batch_id = @batchId AND idx = @index`,
  );
  const setPause = db.prepare(
    `UPDATE bulk_batches SET state = 'paused', paused_until = MAX(COALESCE(paused_until, 0), @until)
     WHERE id = @id AND state IN ('running', 'paused')`,
  );
  const sendingBatches = db
    .prepare(
      `SELECT DISTINCT r.batch_id FROM bulk_rows r JOIN bulk_batches b ON b.id = r.batch_id
       WHERE r.state = 'sending' AND (b.lease_owner IS NULL OR b.lease_until <= ?)`,
    )
    .pluck();
  const setLease = db.prepare(
    'UPDATE bulk_batches SET lease_owner = @owner, lease_until = @until WHERE id = @id',
  );
  const renew = db.prepare(
    'UPDATE bulk_batches SET lease_until = @until WHERE lease_owner = @owner AND finished_at IS NULL',
  );
  const release = db.prepare(
    'UPDATE bulk_batches SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?',
  );
  const requeue = db.prepare(
    `UPDATE bulk_rows SET state = 'waiting', version = @version WHERE batch_id = @batchId AND state = 'sending'`,
  );
  const cancelRows = db.prepare(
    `UPDATE bulk_rows SET state = 'cancelled', version = @version, message = @message
     WHERE batch_id = @batchId AND state = 'waiting'`,
  );
  const cancelBatch = db.prepare(
    `UPDATE bulk_batches SET state = 'cancelled', paused_until = NULL, cancelled_by = @by WHERE id = @id`,
  );
  const emailElsewhere = db
    .prepare(
      `SELECT line FROM bulk_rows WHERE batch_id = ? AND idx <> ? AND lower(email) = lower(?)
       AND state NOT IN ('skipped', 'cancelled') LIMIT 1`,
    )
    .pluck();
  const retryRow = db.prepare(
    `UPDATE bulk_rows SET state = 'waiting', attempt = attempt + 1, tries = 0, invite = @invite, email = @email,
       user_id = NULL, message = NULL, request_id = NULL, version = @version
     WHERE batch_id = @batchId AND idx = @index`,
  );
  const rerun = db.prepare(
    `UPDATE bulk_batches SET state = CASE WHEN state = 'finished' THEN 'running' ELSE state END,
       finished_at = NULL WHERE id = ?`,
  );
  const unfinished = db
    .prepare(`SELECT COUNT(*) FROM bulk_rows WHERE batch_id = ? AND state IN ('waiting', 'sending')`)
    .pluck();
  const finish = db.prepare(
    `UPDATE bulk_batches SET state = CASE WHEN state = 'cancelled' THEN 'cancelled' ELSE 'finished' END,
       paused_until = NULL, finished_at = @now WHERE id = @id AND finished_at IS NULL`,
  );
  const selectUnsettled = db
    .prepare(
      'SELECT id FROM bulk_batches WHERE finished_at IS NULL OR audit_completed = 0 ORDER BY created_at',
    )
    .pluck();
  const audited = db.prepare('UPDATE bulk_batches SET audit_completed = 1 WHERE id = ?');
  const wake = db
    .prepare(
      `SELECT MIN(b.paused_until) FROM bulk_batches b
       WHERE b.state = 'paused' AND EXISTS (SELECT 1 FROM bulk_rows r WHERE r.batch_id = b.id AND r.state = 'waiting')`,
    )
    .pluck();

  const nextVersion = (batchId: string): number => z.number().parse(bump.get(batchId));
  const batchOf = (batchId: string) => {
    const row: unknown = selectBatch.get(batchId);
    return row === undefined ? undefined : toBatch(row);
  };
  const rowOf = (batchId: string, index: number) => {
    const row: unknown = selectRow.get(batchId, index);
    return row === undefined ? undefined : toRow(row);
  };

  const createTx = db.transaction((batch: NewBatch): BatchRecord => {
    const id = batch.id;
    insertBatch.run({
      id,
      createdAt: batch.createdAt,
      operatorId: batch.operatorId,
      operatorEmail: batch.operatorEmail,
      operatorName: batch.operatorName,
      creationKey: batch.creationKey,
      columns: JSON.stringify(batch.columns),
      total: batch.rows.length,
      auditId: batch.auditId,
    });
    batch.rows.forEach((row, index) => {
      insertRow.run({
        batchId: id,
        index,
        line: row.line,
        cells: JSON.stringify(row.cells),
        email: row.invite?.email ?? null,
        state: row.invite === null ? 'skipped' : 'waiting',
        invite: row.invite === null ? null : JSON.stringify(row.invite),
        userId: row.userId,
        message: row.message,
      });
    });
    const created = batchOf(id);
    if (created === undefined) throw new Error('The new batch could not be read back.');
    return created;
  });

  const NextSchema = z.optional(
    z.object({ batch_id: z.string(), idx: z.number(), lease_owner: z.nullable(z.string()) }),
  );
  const claimTx = db.transaction((now: number, lease: Lease): RowRecord | undefined => {
    let next = NextSchema.parse(nextWaiting.get({ now, owner: lease.owner }));
    if (next === undefined) return undefined;
    if (next.lease_owner !== null && next.lease_owner !== lease.owner) {
      // Taken over from an instance that stopped renewing: what it left on its way is sent again with its key.
      requeue.run({ batchId: next.batch_id, version: nextVersion(next.batch_id) });
      next = NextSchema.parse(nextWaiting.get({ now, owner: lease.owner }));
      if (next === undefined) return undefined;
    }
    setLease.run({ id: next.batch_id, owner: lease.owner, until: lease.until });
    resume.run(next.batch_id);
    const version = nextVersion(next.batch_id);
    setRowState.run(rowChangeParams(next.batch_id, next.idx, { state: 'sending' }, version));
    return rowOf(next.batch_id, next.idx);
  });

  const updateTx = db.transaction((batchId: string, index: number, change: RowChange) => {
    const version = nextVersion(batchId);
    // A row that comes back to wait (nothing was sent) in a batch cancelled meanwhile is cancelled with the rest.
    const cancelled = change.state === 'waiting' && batchOf(batchId)?.state === 'cancelled';
    setRowState.run(
      rowChangeParams(
        batchId,
        index,
        cancelled ? { ...change, state: 'cancelled', message: CANCELLED_MESSAGE } : change,
        version,
      ),
    );
  });

  const pauseTx = db.transaction((batchId: string, until: number) => {
    if (setPause.run({ id: batchId, until }).changes === 1) nextVersion(batchId);
  });

  const requeueTx = db.transaction((now: number): number => {
    let moved = 0;
    for (const batchId of z.array(z.string()).parse(sendingBatches.all(now))) {
      moved += requeue.run({ batchId, version: nextVersion(batchId) }).changes;
      setLease.run({ id: batchId, owner: null, until: null });
    }
    return moved;
  });

  const cancelTx = db.transaction((batchId: string, by: string): CancelResult => {
    const batch = batchOf(batchId);
    if (batch === undefined) return 'not-found';
    if (batch.state === 'finished') return 'finished';
    if (batch.state === 'cancelled') return 'cancelled';
    const version = nextVersion(batchId);
    cancelBatch.run({ id: batchId, by });
    cancelRows.run({ batchId, version, message: CANCELLED_MESSAGE });
    return 'cancelled';
  });

  const retryTx = db.transaction((batchId: string, index: number, invite: InviteUser): RetryResult => {
    const batch = batchOf(batchId);
    const row = batch === undefined ? undefined : rowOf(batchId, index);
    if (batch === undefined || row === undefined) return { kind: 'not-found' };
    if (batch.state === 'cancelled') return { kind: 'cancelled' };
    if (row.state !== 'failed') return { kind: 'not-failed', state: row.state };
    const other = z.optional(z.number()).parse(emailElsewhere.get(batchId, index, invite.email));
    if (other !== undefined) return { kind: 'email-taken', line: other };
    const version = nextVersion(batchId);
    retryRow.run({ batchId, index, version, invite: JSON.stringify(invite), email: invite.email });
    rerun.run(batchId);
    const updated = rowOf(batchId, index);
    if (updated === undefined) return { kind: 'not-found' };
    return { kind: 'retried', row: updated };
  });

  const finishTx = db.transaction((batchId: string, now: number): BatchRecord | undefined => {
    if (z.number().parse(unfinished.get(batchId)) > 0) return undefined;
    if (finish.run({ id: batchId, now }).changes !== 1) return undefined;
    nextVersion(batchId);
    return batchOf(batchId);
  });

  return {
    async create(batch) {
      return createTx.immediate(batch);
    },
    async findByCreationKey(operatorId, key) {
      const row: unknown = selectByKey.get(operatorId, key);
      return row === undefined ? undefined : toBatch(row);
    },
    async get(batchId) {
      return batchOf(batchId);
    },
    async counts(batchId) {
      const counts = emptyCounts();
      for (const entry of selectCounts.all(batchId)) {
        const [state, n] = z.tuple([z.enum(ROW_STATES), z.number()]).parse(entry);
        counts[state] = n;
      }
      return counts;
    },
    async rows(batchId, since) {
      return selectRows.all(batchId, since).map(toRow);
    },
    async recent(limit) {
      return selectRecent.all(limit).map(toBatch);
    },
    async claimNext(now, lease) {
      return claimTx.immediate(now, lease);
    },
    async renewLeases(owner, until) {
      renew.run({ owner, until });
    },
    async releaseLeases(owner) {
      release.run(owner);
    },
    async updateRow(batchId, index, change) {
      updateTx.immediate(batchId, index, change);
    },
    async pause(batchId, until) {
      pauseTx.immediate(batchId, until);
    },
    async requeueSending(now) {
      return requeueTx.immediate(now);
    },
    async cancel(batchId, operatorEmail) {
      return cancelTx.immediate(batchId, operatorEmail);
    },
    async retry(batchId, index, invite) {
      return retryTx.immediate(batchId, index, invite);
    },
    async finishIfDone(batchId, now) {
      return finishTx.immediate(batchId, now);
    },
    async markAudited(batchId) {
      audited.run(batchId);
    },
    async unsettled() {
      return z.array(z.string()).parse(selectUnsettled.all());
    },
    async nextWake() {
      return z.optional(z.nullable(z.number())).parse(wake.get()) ?? undefined;
    },
  };
}

function rowChangeParams(batchId: string, index: number, change: RowChange, version: number) {
  return {
    batchId,
    index,
    version,
    state: change.state,
    setUserId: change.userId === undefined ? 0 : 1,
    userId: change.userId ?? null,
    setMessage: change.message === undefined ? 0 : 1,
    message: change.message ?? null,
    setRequestId: change.requestId === undefined ? 0 : 1,
    requestId: change.requestId ?? null,
    tries: change.tries ?? null,
  };
}
