import {
  toRecord as idempotencyRecordFromRow,
  type IdempotencyBegin,
  type IdempotencyClaim,
  type IdempotencyStore,
  type WriteTogether,
} from '../idempotency.ts';
import type { PostgresDatabase } from './database.ts';

/**
 * Idempotency keys in PostgreSQL, shared by every instance. Each outcome of `begin` that claims the key is one atomic
 * statement (an upsert, or a conditional update), so the same key sent to two instances at once is claimed by one
 * request only; the others read what it holds. `together` (see WriteTogether) runs right after each change, outside
 * any transaction (it only saves work with SQLite); should it throw, the change is undone by a second statement.
 */
export function createPostgresIdempotencyStore(db: PostgresDatabase): IdempotencyStore {
  /** Claims the key when it is free or expired: one statement, decided under the row's lock. */
  async function claimNew(claim: IdempotencyClaim): Promise<boolean> {
    const result = await db.query(
      `INSERT INTO idempotency_keys AS k (operator_id, idempotency_key, fingerprint, state, response_status,
         response_body, created_at, updated_at, expires_at, lease_until, claim_id)
       VALUES ($1, $2, $3, 'in-flight', NULL, NULL, $4, $4, $5, $6, $7)
       ON CONFLICT (operator_id, idempotency_key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
         state = 'in-flight', response_status = NULL, response_body = NULL, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, lease_until = EXCLUDED.lease_until,
         claim_id = EXCLUDED.claim_id
       WHERE k.expires_at <= EXCLUDED.created_at`,
      [
        claim.operatorId,
        claim.key,
        claim.fingerprint,
        claim.now,
        claim.now + claim.ttlMs,
        claim.now + claim.leaseMs,
        claim.claimId,
      ],
    );
    return result.rowCount === 1;
  }

  /**
   * Takes over the same request's key when its outcome is unknown or its claim outlived its lease: one statement.
   * Returns when the key was first used, or undefined when it cannot be taken over.
   */
  async function claimResume(claim: IdempotencyClaim): Promise<number | undefined> {
    const result = await db.query<{ created_at: number }>(
      `UPDATE idempotency_keys SET state = 'in-flight', updated_at = $4, lease_until = $5, claim_id = $6
       WHERE operator_id = $1 AND idempotency_key = $2 AND fingerprint = $3 AND expires_at > $4
         AND NOT (state = 'completed' AND response_status IS NOT NULL AND response_body IS NOT NULL)
         AND NOT (state = 'in-flight' AND lease_until > $4)
       RETURNING created_at`,
      [claim.operatorId, claim.key, claim.fingerprint, claim.now, claim.now + claim.leaseMs, claim.claimId],
    );
    return result.rows[0]?.created_at;
  }

  async function find(operatorId: string, key: string) {
    const row = (
      await db.query('SELECT * FROM idempotency_keys WHERE operator_id = $1 AND idempotency_key = $2', [
        operatorId,
        key,
      ])
    ).rows[0];
    return row === undefined ? undefined : idempotencyRecordFromRow(row);
  }

  async function decide(claim: IdempotencyClaim): Promise<IdempotencyBegin> {
    // Each pass decides from what one statement saw; the key changing between two statements (released, expired,
    // given up) only sends this request round again, never past another's claim.
    for (;;) {
      if (await claimNew(claim)) return { kind: 'new' };
      const createdAt = await claimResume(claim);
      if (createdAt !== undefined) return { kind: 'resume', createdAt };
      const existing = await find(claim.operatorId, claim.key);
      if (existing === undefined || existing.expiresAt <= claim.now) continue;
      if (existing.fingerprint !== claim.fingerprint) return { kind: 'mismatch' };
      if (existing.state === 'completed' && existing.response !== null)
        return { kind: 'replay', response: existing.response };
      if (existing.state === 'in-flight' && existing.leaseUntil > claim.now) return { kind: 'in-flight' };
    }
  }

  /**
   * One conditional statement, then `together` (which runs whatever the statement found). Should `together` throw,
   * the statement is undone with `undo` (the transaction SQLite would roll back), then the error goes on.
   */
  async function write(
    text: string,
    values: unknown[],
    together: WriteTogether | undefined,
    undo: (row: Record<string, unknown>) => Promise<unknown>,
  ): Promise<boolean> {
    const result = await db.query(text, values);
    const row = result.rows[0];
    try {
      together?.();
    } catch (error) {
      if (row !== undefined) await undo(row);
      throw error;
    }
    return row !== undefined;
  }

  /** Back in flight for the same claim: a completion or an unknown outcome undone (in flight, a key has no answer). */
  const backInFlight = (row: Record<string, unknown>) =>
    db.query(
      `UPDATE idempotency_keys SET state = 'in-flight', response_status = NULL, response_body = NULL
       WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3`,
      [row.operator_id, row.idempotency_key, row.claim_id],
    );
  /** A released key back as it was. */
  const insertBack = (row: Record<string, unknown>) =>
    db.query(
      `INSERT INTO idempotency_keys (operator_id, idempotency_key, fingerprint, state, response_status,
         response_body, created_at, updated_at, expires_at, lease_until, claim_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (operator_id, idempotency_key) DO NOTHING`,
      [
        row.operator_id,
        row.idempotency_key,
        row.fingerprint,
        row.state,
        row.response_status,
        row.response_body,
        row.created_at,
        row.updated_at,
        row.expires_at,
        row.lease_until,
        row.claim_id,
      ],
    );

  return {
    async begin(claim, together) {
      const begun = await decide(claim);
      if (together !== undefined && (begun.kind === 'new' || begun.kind === 'resume')) {
        try {
          together();
        } catch (error) {
          // The change is undone: the key as it would be had this request never claimed it.
          const ref = [claim.operatorId, claim.key, claim.claimId];
          await (begun.kind === 'new'
            ? db.query(
                `DELETE FROM idempotency_keys
                 WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3 AND state = 'in-flight'`,
                ref,
              )
            : db.query(
                `UPDATE idempotency_keys SET state = 'unknown'
                 WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3 AND state = 'in-flight'`,
                ref,
              ));
          throw error;
        }
      }
      return begun;
    },
    async complete(ref, response, now, together) {
      return write(
        `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5,
           updated_at = $6
         WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3 AND state = 'in-flight'
         RETURNING operator_id, idempotency_key, claim_id`,
        [ref.operatorId, ref.key, ref.claimId, response.status, response.body, now],
        together,
        backInFlight,
      );
    },
    async markUnknown(ref, now, together) {
      return write(
        `UPDATE idempotency_keys SET state = 'unknown', updated_at = $4
         WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3 AND state = 'in-flight'
         RETURNING operator_id, idempotency_key, claim_id`,
        [ref.operatorId, ref.key, ref.claimId, now],
        together,
        backInFlight,
      );
    },
    async release(ref, together) {
      return write(
        `DELETE FROM idempotency_keys
         WHERE operator_id = $1 AND idempotency_key = $2 AND claim_id = $3 AND state = 'in-flight'
         RETURNING *`,
        [ref.operatorId, ref.key, ref.claimId],
        together,
        insertBack,
      );
    },
    async abandonInFlight(now) {
      return (
        (
          await db.query(
            `UPDATE idempotency_keys SET state = 'unknown', updated_at = $1 WHERE state = 'in-flight'`,
            [now],
          )
        ).rowCount ?? 0
      );
    },
    async purgeExpired(now) {
      return (await db.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
    find,
  };
}
