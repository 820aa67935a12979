import * as z from 'zod/mini';
import { ROW_STATES } from '../../../contract/bulk.ts';
import {
  CANCELLED_MESSAGE,
  emptyCounts,
  toBatch,
  toRow,
  type BatchRecord,
  type BulkStore,
  type Lease,
  type RowChange,
  type RowRecord,
} from '../bulk.ts';
import type { PostgresDatabase, PostgresQueryable } from './database.ts';

/**
 * Bulk invites in PostgreSQL: the same rows and versions as the SQLite store (store/bulk.ts). Every change to a batch
 * or its rows starts by locking the batch's row (the version bump), so changes to one batch from any instance happen
 * one after the other and never deadlock.
 */

const VersionSchema = z.object({ version: z.number() });
const IndexSchema = z.object({ idx: z.number() });
const CountSchema = z.object({ n: z.number() });
const LineSchema = z.object({ line: z.number() });
const IdSchema = z.object({ id: z.string() });
const CandidateSchema = z.object({ id: z.string(), lease_owner: z.nullable(z.string()) });
const WakeSchema = z.object({ at: z.nullable(z.number()) });
const CountEntrySchema = z.object({ state: z.enum(ROW_STATES), n: z.number() });

/** The batches that may send now: running, or paused until no later than $1. */
const SENDABLE = `(b.state = 'running' OR (b.state = 'paused' AND COALESCE(b.paused_until, 0) <= $1))`;

export function createPostgresBulkStore(db: PostgresDatabase): BulkStore {
  const bump = async (q: PostgresQueryable, batchId: string): Promise<number> =>
    VersionSchema.parse(
      (
        await q.query('UPDATE bulk_batches SET version = version + 1 WHERE id = $1 RETURNING version', [
          batchId,
        ])
      ).rows[0],
    ).version;
  const batchOf = async (q: PostgresQueryable, batchId: string, lock = false) => {
    const row: unknown = (
      await q.query(`SELECT * FROM bulk_batches WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [batchId])
    ).rows[0];
    return row === undefined ? undefined : toBatch(row);
  };
  const rowOf = async (q: PostgresQueryable, batchId: string, index: number) => {
    const row: unknown = (
      await q.query('SELECT * FROM bulk_rows WHERE batch_id = $1 AND idx = $2', [batchId, index])
    ).rows[0];
    return row === undefined ? undefined : toRow(row);
  };
  const setRowState = (
    q: PostgresQueryable,
    batchId: string,
    index: number,
    change: RowChange,
    version: number,
  ) =>
    q.query(
      `UPDATE bulk_rows SET state = $3, version = $4,
         user_id = CASE WHEN $5 THEN $6 ELSE user_id END,
         message = CASE WHEN $7 THEN $8 ELSE message END,
         request_id = CASE WHEN $9 THEN $10 ELSE request_id END,
         tries = COALESCE($11, tries)
       WHERE batch_id = $1 AND idx = $2`,
      [
        batchId,
        index,
        change.state,
        version,
        change.userId !== undefined,
        change.userId ?? null,
        change.message !== undefined,
        change.message ?? null,
        change.requestId !== undefined,
        change.requestId ?? null,
        change.tries ?? null,
      ],
    );

  const requeue = async (q: PostgresQueryable, batchId: string): Promise<number> => {
    const version = await bump(q, batchId);
    const requeued = await q.query(
      `UPDATE bulk_rows SET state = 'waiting', version = $2 WHERE batch_id = $1 AND state = 'sending'`,
      [batchId, version],
    );
    return requeued.rowCount ?? 0;
  };

  /**
   * The next waiting row of one sendable batch that no other instance holds, marked sending. The batch is chosen and
   * locked with SKIP LOCKED (an instance claiming in another batch is not waited for), its row read under that lock.
   */
  const claimIn = async (q: PostgresQueryable, now: number, lease: Lease): Promise<RowRecord | undefined> => {
    const candidate = (
      await q.query(
        `SELECT b.id, b.lease_owner FROM bulk_batches b
         WHERE ${SENDABLE} AND (b.lease_owner IS NULL OR b.lease_owner = $2 OR b.lease_until <= $1)
           AND EXISTS (SELECT 1 FROM bulk_rows r WHERE r.batch_id = b.id AND r.state = 'waiting')
         ORDER BY b.created_at, b.id LIMIT 1 FOR UPDATE OF b SKIP LOCKED`,
        [now, lease.owner],
      )
    ).rows[0];
    if (candidate === undefined) return undefined;
    const { id: batchId, lease_owner: holder } = CandidateSchema.parse(candidate);
    // Taken over from an instance that stopped renewing: what it left on its way is sent again with its key.
    if (holder !== null && holder !== lease.owner) await requeue(q, batchId);
    await q.query('UPDATE bulk_batches SET lease_owner = $2, lease_until = $3 WHERE id = $1', [
      batchId,
      lease.owner,
      lease.until,
    ]);
    const next = (
      await q.query(
        `SELECT idx FROM bulk_rows WHERE batch_id = $1 AND state = 'waiting' ORDER BY idx LIMIT 1`,
        [batchId],
      )
    ).rows[0];
    if (next === undefined) return undefined;
    const index = IndexSchema.parse(next).idx;
    await q.query(
      `UPDATE bulk_batches SET state = 'running', paused_until = NULL WHERE id = $1 AND state = 'paused'`,
      [batchId],
    );
    await setRowState(q, batchId, index, { state: 'sending' }, await bump(q, batchId));
    return rowOf(q, batchId, index);
  };

  return {
    create: (batch) =>
      db.transaction(async (q) => {
        await q.query(
          `INSERT INTO bulk_batches (id, created_at, operator_id, operator_email, operator_name, creation_key, state,
             columns, total, audit_id, version)
           VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, 1)`,
          [
            batch.id,
            batch.createdAt,
            batch.operatorId,
            batch.operatorEmail,
            batch.operatorName,
            batch.creationKey,
            JSON.stringify(batch.columns),
            batch.rows.length,
            batch.auditId,
          ],
        );
        const rows = batch.rows.map((row, index) => ({
          idx: index,
          line: row.line,
          cells: JSON.stringify(row.cells),
          email: row.invite?.email ?? null,
          state: row.invite === null ? 'skipped' : 'waiting',
          invite: row.invite === null ? null : JSON.stringify(row.invite),
          user_id: row.userId,
          message: row.message,
        }));
        // One statement for all the rows, whatever their number.
        await q.query(
          `INSERT INTO bulk_rows (batch_id, idx, line, cells, email, state, invite, user_id, message, version)
           SELECT $1, r.idx, r.line, r.cells, r.email, r.state, r.invite, r.user_id, r.message, 1
           FROM json_to_recordset($2::json) AS r(idx INTEGER, line INTEGER, cells TEXT, email TEXT, state TEXT,
             invite TEXT, user_id TEXT, message TEXT)`,
          [batch.id, JSON.stringify(rows)],
        );
        const created = await batchOf(q, batch.id);
        if (created === undefined) throw new Error('The new batch could not be read back.');
        return created;
      }),

    async findByCreationKey(operatorId, key) {
      const row: unknown = (
        await db.query('SELECT * FROM bulk_batches WHERE operator_id = $1 AND creation_key = $2', [
          operatorId,
          key,
        ])
      ).rows[0];
      return row === undefined ? undefined : toBatch(row);
    },

    get: (batchId) => batchOf(db, batchId),

    async counts(batchId) {
      const counts = emptyCounts();
      const result = await db.query(
        'SELECT state, COUNT(*) AS n FROM bulk_rows WHERE batch_id = $1 GROUP BY state',
        [batchId],
      );
      for (const entry of result.rows) {
        const { state, n } = CountEntrySchema.parse(entry);
        counts[state] = n;
      }
      return counts;
    },

    async rows(batchId, since) {
      return (
        await db.query('SELECT * FROM bulk_rows WHERE batch_id = $1 AND version > $2 ORDER BY idx', [
          batchId,
          since,
        ])
      ).rows.map(toRow);
    },

    async recent(limit) {
      return (
        await db.query('SELECT * FROM bulk_batches ORDER BY created_at DESC, id DESC LIMIT $1', [limit])
      ).rows.map(toBatch);
    },

    claimNext: (now, lease) => db.transaction((q) => claimIn(q, now, lease)),

    async renewLeases(owner, until) {
      await db.query(
        'UPDATE bulk_batches SET lease_until = $2 WHERE lease_owner = $1 AND finished_at IS NULL',
        [owner, until],
      );
    },

    async releaseLeases(owner) {
      await db.query(
        'UPDATE bulk_batches SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1',
        [owner],
      );
    },

    updateRow: (batchId, index, change) =>
      db.transaction(async (q) => {
        const version = await bump(q, batchId);
        // A row that comes back to wait (nothing was sent) in a batch cancelled meanwhile is cancelled with the rest.
        const cancelled = change.state === 'waiting' && (await batchOf(q, batchId))?.state === 'cancelled';
        await setRowState(
          q,
          batchId,
          index,
          cancelled ? { ...change, state: 'cancelled', message: CANCELLED_MESSAGE } : change,
          version,
        );
      }),

    pause: (batchId, until) =>
      db.transaction(async (q) => {
        const paused = await q.query(
          `UPDATE bulk_batches SET state = 'paused', paused_until = GREATEST(COALESCE(paused_until, 0), $2)
           WHERE id = $1 AND state IN ('running', 'paused')`,
          [batchId, until],
        );
        if (paused.rowCount === 1) await bump(q, batchId);
      }),

    requeueSending: (now) =>
      db.transaction(async (q) => {
        let moved = 0;
        const batches = await q.query(
          `SELECT b.id FROM bulk_batches b
           WHERE (b.lease_owner IS NULL OR b.lease_until <= $1)
             AND EXISTS (SELECT 1 FROM bulk_rows r WHERE r.batch_id = b.id AND r.state = 'sending')
           ORDER BY b.id FOR UPDATE OF b SKIP LOCKED`,
          [now],
        );
        for (const row of batches.rows) {
          const batchId = IdSchema.parse(row).id;
          moved += await requeue(q, batchId);
          await q.query('UPDATE bulk_batches SET lease_owner = NULL, lease_until = NULL WHERE id = $1', [
            batchId,
          ]);
        }
        return moved;
      }),

    cancel: (batchId, by) =>
      db.transaction(async (q) => {
        const batch = await batchOf(q, batchId, true);
        if (batch === undefined) return 'not-found';
        if (batch.state === 'finished') return 'finished';
        if (batch.state === 'cancelled') return 'cancelled';
        const version = await bump(q, batchId);
        await q.query(
          `UPDATE bulk_batches SET state = 'cancelled', paused_until = NULL, cancelled_by = $2 WHERE id = $1`,
          [batchId, by],
        );
        await q.query(
          `UPDATE bulk_rows SET state = 'cancelled', version = $2, message = $3
           WHERE batch_id = $1 AND state = 'waiting'`,
          [batchId, version, CANCELLED_MESSAGE],
        );
        return 'cancelled';
      }),

    retry: (batchId, index, invite) =>
      db.transaction(async (q) => {
        const batch = await batchOf(q, batchId, true);
        const row = batch === undefined ? undefined : await rowOf(q, batchId, index);
        if (batch === undefined || row === undefined) return { kind: 'not-found' };
        if (batch.state === 'cancelled') return { kind: 'cancelled' };
        if (row.state !== 'failed') return { kind: 'not-failed', state: row.state };
        const other = (
          await q.query(
            `SELECT line FROM bulk_rows WHERE batch_id = $1 AND idx <> $2 AND lower(email) = lower($3)
             AND state NOT IN ('skipped', 'cancelled') LIMIT 1`,
            [batchId, index, invite.email],
          )
        ).rows[0];
        if (other !== undefined) return { kind: 'email-taken', line: LineSchema.parse(other).line };
        const version = await bump(q, batchId);
        await q.query(
          `UPDATE bulk_rows SET state = 'waiting', attempt = attempt + 1, tries = 0, invite = $3, email = $4,
             user_id = NULL, message = NULL, request_id = NULL, version = $5
           WHERE batch_id = $1 AND idx = $2`,
          [batchId, index, JSON.stringify(invite), invite.email, version],
        );
        await q.query(
          `UPDATE bulk_batches SET state = CASE WHEN state = 'finished' THEN 'running' ELSE state END,
             finished_at = NULL WHERE id = $1`,
          [batchId],
        );
        const updated = await rowOf(q, batchId, index);
        if (updated === undefined) return { kind: 'not-found' };
        return { kind: 'retried', row: updated };
      }),

    finishIfDone: (batchId, now) =>
      db.transaction(async (q): Promise<BatchRecord | undefined> => {
        if ((await batchOf(q, batchId, true)) === undefined) return undefined;
        const unfinished = CountSchema.parse(
          (
            await q.query(
              `SELECT COUNT(*) AS n FROM bulk_rows WHERE batch_id = $1 AND state IN ('waiting', 'sending')`,
              [batchId],
            )
          ).rows[0],
        ).n;
        if (unfinished > 0) return undefined;
        const finished = await q.query(
          `UPDATE bulk_batches SET state = CASE WHEN state = 'cancelled' THEN 'cancelled' ELSE 'finished' END,
             paused_until = NULL, finished_at = $2 WHERE id = $1 AND finished_at IS NULL`,
          [batchId, now],
        );
        if (finished.rowCount !== 1) return undefined;
        await bump(q, batchId);
        return batchOf(q, batchId);
      }),

    async markAudited(batchId) {
      await db.query('UPDATE bulk_batches SET audit_completed = 1 WHERE id = $1', [batchId]);
    },

    async unsettled() {
      return (
        await db.query(
          'SELECT id FROM bulk_batches WHERE finished_at IS NULL OR audit_completed = 0 ORDER BY created_at, id',
        )
      ).rows.map((row) => IdSchema.parse(row).id);
    },

    async nextWake() {
      const at = WakeSchema.parse(
        (
          await db.query(
            `SELECT MIN(b.paused_until) AS at FROM bulk_batches b
             WHERE b.state = 'paused'
               AND EXISTS (SELECT 1 FROM bulk_rows r WHERE r.batch_id = b.id AND r.state = 'waiting')`,
          )
        ).rows[0],
      ).at;
      return at ?? undefined;
    },
  };
}
