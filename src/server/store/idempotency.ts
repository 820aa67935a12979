import * as z from 'zod/mini';
import type { SqliteDatabase } from './sqlite.ts';

/**
 * Idempotency keys: for each operator and Idempotency-Key, the fingerprint of the request that first used it, where
 * that request stands, and (once known) the answer it got. A retried or double-sent change is answered from here
 * instead of reaching Avara a second time. Times are milliseconds since the epoch.
 */
export const IDEMPOTENCY_STATES = ['in-flight', 'completed', 'unknown'] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

export interface IdempotencyRecord {
  operatorId: string;
  key: string;
  fingerprint: string;
  state: IdempotencyState;
  /** The stored answer, once completed. */
  response: StoredResponse | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  leaseUntil: number;
  claimId: string;
}

/** Which key, held by which claim. */
export interface ClaimRef {
  operatorId: string;
  key: string;
  claimId: string;
}

export interface StoredResponse {
  status: number;
  /** The JSON text of the answer's body. */
  body: string;
}

export interface IdempotencyClaim {
  operatorId: string;
  key: string;
  fingerprint: string;
  /** A random id of this request's claim (only it may later complete, mark or release the key). */
  claimId: string;
  now: number;
  /** How long the key is remembered (from its first use). */
  ttlMs: number;
  /** How long this claim may stay in flight before another request may take over (as an unknown outcome). */
  leaseMs: number;
}

/**
 * What `begin` found:
 * - `new`: nobody used the key (or it had expired): it is now in flight for this request.
 * - `resume`: an earlier attempt with this key ended without a known outcome (or was abandoned); it is now in
 *   flight for this request, which must find out what happened before doing anything again.
 * - `replay`: the request was already answered: answer the same.
 * - `in-flight`: another request with this key is still running.
 * - `mismatch`: the key was used for a different request.
 */
export type IdempotencyBegin =
  | { kind: 'new' }
  | { kind: 'resume'; createdAt: number }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-flight' }
  | { kind: 'mismatch' };

/**
 * Writes to make in the same transaction as a change to a key, where the store has transactions: with SQLite, what
 * `together` writes synchronously through the same database joins the transaction, so a key and the audit record
 * that goes with it cost one commit, not two. It only saves work: it is never needed for correctness (the caller
 * awaits what it started, and a store without transactions just runs it). If it throws, the change is undone.
 */
export type WriteTogether = () => void;

export interface IdempotencyStore {
  /**
   * Atomically look the key up and, when the request may proceed, claim it (state in-flight). `together` runs only
   * when the key was claimed (`new` or `resume`), right after the claim.
   */
  begin(claim: IdempotencyClaim, together?: WriteTogether): Promise<IdempotencyBegin>;
  /**
   * The request got a final answer: remember it until the key expires. These three return false when the claim is
   * no longer held (it outlived its lease and another request took over): nothing is changed then (but `together`
   * still runs).
   */
  complete(ref: ClaimRef, response: StoredResponse, now: number, together?: WriteTogether): Promise<boolean>;
  /** The request ended without knowing whether Avara acted: the next attempt with the key must check first. */
  markUnknown(ref: ClaimRef, now: number, together?: WriteTogether): Promise<boolean>;
  /** Nothing happened that needs remembering (refused before Avara acted): forget the key, so a retry runs afresh. */
  release(ref: ClaimRef, together?: WriteTogether): Promise<boolean>;
  /** After a restart: claims still in flight belonged to the previous process. Returns how many became unknown. */
  abandonInFlight(now: number): Promise<number>;
  /** Forget keys past their expiry. Returns how many. */
  purgeExpired(now: number): Promise<number>;
  find(operatorId: string, key: string): Promise<IdempotencyRecord | undefined>;
}

const RowSchema = z.object({
  operator_id: z.string(),
  idempotency_key: z.string(),
  fingerprint: z.string(),
  state: z.enum(IDEMPOTENCY_STATES),
  response_status: z.nullable(z.number()),
  response_body: z.nullable(z.string()),
  created_at: z.number(),
  updated_at: z.number(),
  expires_at: z.number(),
  lease_until: z.number(),
  claim_id: z.string(),
});

export function toRecord(row: unknown): IdempotencyRecord {
  const r = RowSchema.parse(row);
  return {
    operatorId: r.operator_id,
    key: r.idempotency_key,
    fingerprint: r.fingerprint,
    state: r.state,
    response:
      r.response_status === null || r.response_body === null
        ? null
        : { status: r.response_status, body: r.response_body },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    expiresAt: r.expires_at,
    leaseUntil: r.lease_until,
    claimId: r.claim_id,
  };
}

export function createSqliteIdempotencyStore(db: SqliteDatabase): IdempotencyStore {
  const select = db.prepare('SELECT * FROM idempotency_keys WHERE operator_id = ? AND idempotency_key = ?');
  const insertNew = db.prepare(
    `INSERT INTO idempotency_keys (operator_id, idempotency_key, fingerprint, state, response_status,
       response_body, created_at, updated_at, expires_at, lease_until, claim_id)
     VALUES (@operatorId, @key, @fingerprint, 'in-flight', NULL, NULL, @now, @now, @expiresAt, @leaseUntil,
       @claimId)
     ON CONFLICT (operator_id, idempotency_key) DO NOTHING`,
  );
  const replaceExpired = db.prepare(
    `UPDATE idempotency_keys SET fingerprint = @fingerprint, state = 'in-flight', response_status = NULL,
       response_body = NULL, created_at = @now, updated_at = @now, expires_at = @expiresAt,
       lease_until = @leaseUntil, claim_id = @claimId
     WHERE operator_id = @operatorId AND idempotency_key = @key`,
  );
  const reclaim = db.prepare(
    `UPDATE idempotency_keys SET state = 'in-flight', updated_at = @now, lease_until = @leaseUntil,
       claim_id = @claimId
     WHERE operator_id = @operatorId AND idempotency_key = @key`,
  );
  const complete = db.prepare(
    `UPDATE idempotency_keys SET state = 'completed', response_status = @status, response_body = @body,
       updated_at = @now
     WHERE operator_id = @operatorId AND idempotency_key = @key AND claim_id = @claimId AND state = 'in-flight'`,
  );
  const unknown = db.prepare(
    `UPDATE idempotency_keys SET state = 'unknown', updated_at = @now
     WHERE operator_id = @operatorId AND idempotency_key = @key AND claim_id = @claimId AND state = 'in-flight'`,
  );
  const release = db.prepare(
    `DELETE FROM idempotency_keys
     WHERE operator_id = @operatorId AND idempotency_key = @key AND claim_id = @claimId AND state = 'in-flight'`,
  );
  const abandon = db.prepare(
    `UPDATE idempotency_keys SET state = 'unknown', updated_at = ? WHERE state = 'in-flight'`,
  );
  const purge = db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?');

  const paramsOf = (claim: IdempotencyClaim) => ({
    operatorId: claim.operatorId,
    key: claim.key,
    fingerprint: claim.fingerprint,
    now: claim.now,
    expiresAt: claim.now + claim.ttlMs,
    leaseUntil: claim.now + claim.leaseMs,
    claimId: claim.claimId,
  });

  /** The key is taken (the insert found it): decide from what it holds. Runs inside a transaction. */
  const decide = (claim: IdempotencyClaim): IdempotencyBegin => {
    const row: unknown = select.get(claim.operatorId, claim.key);
    const params = paramsOf(claim);
    const existing = row === undefined ? undefined : toRecord(row);
    if (existing === undefined) {
      insertNew.run(params);
      return { kind: 'new' };
    }
    if (existing.expiresAt <= claim.now) {
      replaceExpired.run(params);
      return { kind: 'new' };
    }
    if (existing.fingerprint !== claim.fingerprint) return { kind: 'mismatch' };
    if (existing.state === 'completed' && existing.response !== null)
      return { kind: 'replay', response: existing.response };
    if (existing.state === 'in-flight' && existing.leaseUntil > claim.now) return { kind: 'in-flight' };
    // Unknown, or in flight past its lease (the request that held it is gone): this request takes over.
    reclaim.run(params);
    return { kind: 'resume', createdAt: existing.createdAt };
  };
  // IMMEDIATE, so reading the key and deciding are one step, also against another process.
  const resolve = db.transaction(decide);
  const beginTogether = db.transaction((claim: IdempotencyClaim, together: WriteTogether) => {
    const begun: IdempotencyBegin =
      insertNew.run(paramsOf(claim)).changes === 1 ? { kind: 'new' } : decide(claim);
    if (begun.kind === 'new' || begun.kind === 'resume') together();
    return begun;
  });
  /** One statement on its own, or with `together` in one transaction. */
  const withTogether = db.transaction((write: () => boolean, together: WriteTogether) => {
    const changed = write();
    together();
    return changed;
  });
  const run = (write: () => boolean, together: WriteTogether | undefined) =>
    together === undefined ? write() : withTogether.immediate(write, together);

  return {
    async begin(claim, together) {
      if (together !== undefined) return beginTogether.immediate(claim, together);
      // The common case, a key never used before, is this one statement (atomic on its own).
      if (insertNew.run(paramsOf(claim)).changes === 1) return { kind: 'new' };
      return resolve.immediate(claim);
    },
    async complete(ref, response, now, together) {
      return run(
        () => complete.run({ ...ref, status: response.status, body: response.body, now }).changes === 1,
        together,
      );
    },
    async markUnknown(ref, now, together) {
      return run(() => unknown.run({ ...ref, now }).changes === 1, together);
    },
    async release(ref, together) {
      return run(() => release.run(ref).changes === 1, together);
    },
    async abandonInFlight(now) {
      return abandon.run(now).changes;
    },
    async purgeExpired(now) {
      return purge.run(now).changes;
    },
    async find(operatorId, key) {
      const row: unknown = select.get(operatorId, key);
      return row === undefined ? undefined : toRecord(row);
    },
  };
}
