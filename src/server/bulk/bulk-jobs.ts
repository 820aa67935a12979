import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { ProblemSchema, problemCodeOf } from '../../contract/problem.ts';
import type { ProblemCode } from '../../contract/problem.ts';
import { UserSchema } from '../../contract/users.ts';
import type { User } from '../../contract/users.ts';
import type { AvaraClient } from '../avara/client.ts';
import { DUPLICATE_EMAIL_MESSAGE } from '../avara/problem-mapping.ts';
import { dispositionOf } from '../idempotency/disposition.ts';
import type { Disposition, ExecuteIdempotent } from '../idempotency/idempotent-route.ts';
import { sendInvite } from '../idempotency/invite-recovery.ts';
import { ProblemError } from '../problems.ts';
import type { ProblemInit } from '../problems.ts';
import type { AuditStore } from '../store/audit.ts';
import type { BatchRecord, BulkStore, RowRecord } from '../store/bulk.ts';
import { batchAuditDetail } from './batch-view.ts';

/**
 * The bulk invite worker: sends the waiting rows of running batches, oldest batch first, at most `slots` at a time.
 * Each row goes the single invite's way (idempotency layer, audit record first, the same upstream step) under a key
 * derived from its batch, index and attempt, so a row re-run after a restart meets its own key and is settled, never
 * sent twice. A 429 pauses the batch until Retry-After; an open breaker (or a full queue, or an unwritable audit log)
 * until it may try again: the row waits again, nothing was sent.
 */

/** Runs of one attempt that may end without a known outcome (each re-run settles by the e-mail lookup) before it fails. */
export const MAX_UNKNOWN_TRIES = 3;
/** When Avara says 429 without saying how long, or another wait has no length. */
const DEFAULT_PAUSE_MS = 5_000;
/** How long stopping waits for rows on their way (the rest are re-run with their key after the restart). */
const STOP_WAIT_MS = 5_000;

export interface BulkJobs {
  /** Something may be ready to send (a new batch, a retried row). */
  kick(): void;
  /** Finish the batch if no row is waiting or on its way (after a cancel), writing its audit record. */
  settle(batchId: string): Promise<void>;
  /** Rows left sending by a previous process wait again; unfinished batches carry on. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BulkJobsOptions {
  store: BulkStore;
  audit: AuditStore;
  client: AvaraClient;
  execute: ExecuteIdempotent;
  /** Rows sent at once. */
  slots: number;
  now: () => number;
  log: FastifyBaseLogger;
  /** Told of each person a row invited, once Avara accepted it (the directory reads them again); never throws. */
  onInvited?: ((user: User, requestId: string) => Promise<void>) | undefined;
  /** This instance, as the holder of the batches it works (default: a new random id). */
  instanceId?: string | undefined;
  /**
   * Other instances share the database (PostgreSQL): a batch left by another is taken over only once its lease ends.
   * Alone (SQLite), what a previous process left is this instance's own at start.
   */
  shared?: boolean | undefined;
  /** How long a batch stays held without renewal (default 15 s). */
  leaseMs?: number | undefined;
  /** How often leases are renewed and batches left by a stopped instance looked for (default 5 s). */
  renewMs?: number | undefined;
}

type Outcome =
  | { kind: 'sent'; userId: string }
  | { kind: 'wait'; pauseMs: number; tries?: number }
  | { kind: 'skipped'; userId: string | null; message: string }
  | { kind: 'failed'; message: string };

export function createBulkJobs(options: BulkJobsOptions): BulkJobs {
  const { store, audit, client, execute, now, log } = options;
  const slots = Math.max(1, options.slots);
  const owner = options.instanceId ?? `bulk_${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 15_000;
  const renewMs = options.renewMs ?? 5_000;
  let renewTimer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  let stopped = true;
  let pumping = false;
  let again = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  /**
   * A write about a row failed (the database went away after the row was claimed or sent), so the database may hold a
   * row as on its way that nobody here sends. This instance then stops claiming and renewing until its leases have
   * ended, and puts such rows back as any instance does for a stopped one (they go again with their same keys).
   */
  let lostTrack = false;
  let lapsingSince: number | undefined;

  const pump = async (): Promise<void> => {
    if (stopped || lostTrack) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopped && inFlight.size < slots) {
          const row = await store.claimNext(now(), { owner, until: now() + leaseMs });
          if (row === undefined) break;
          const sending: Promise<void> = sendRow(row)
            .catch((error: unknown) => {
              lostTrack = true;
              log.error({ err: error, batchId: row.batchId, row: row.index }, 'A bulk invite row failed');
            })
            .finally(() => {
              inFlight.delete(sending);
              void kick();
            });
          inFlight.add(sending);
        }
        await scheduleWake();
      } while (again && !stopped);
    } finally {
      pumping = false;
    }
  };

  // The database may be away (StoreUnavailableError): the next kick or tick tries again. A claim whose answer was lost
  // may have been made all the same.
  const kick = (): Promise<void> =>
    pump().catch((error: unknown) => {
      lostTrack = true;
      log.error({ err: error }, 'The bulk invite worker stopped on an error');
    });

  /** Keep the batches this instance works, and look for batches an instance stopped working. */
  const tick = async () => {
    try {
      let recovered = false;
      if (!lostTrack) await store.renewLeases(owner, now() + leaseMs);
      else if (inFlight.size === 0) {
        lapsingSince ??= now();
        recovered = now() - lapsingSince >= leaseMs;
      }
      const requeued = await store.requeueSending(now());
      if (requeued > 0)
        log.warn(
          { rows: requeued },
          'Bulk invite rows left on their way by a stopped instance are sent again with their keys',
        );
      if (recovered) {
        // Batches whose every row is done but which were never closed (that write failed too).
        for (const batchId of await store.unsettled()) await settle(batchId);
        lostTrack = false;
        lapsingSince = undefined;
      }
    } catch (error) {
      log.error({ err: error }, 'The bulk invite leases could not be renewed; trying again shortly');
    }
    await kick();
  };

  /** Wake up when the earliest paused batch may run again. */
  const scheduleWake = async () => {
    if (wakeTimer !== undefined) clearTimeout(wakeTimer);
    wakeTimer = undefined;
    const at = await store.nextWake();
    if (at === undefined || stopped) return;
    wakeTimer = setTimeout(() => void kick(), Math.max(10, at - now() + 5));
  };

  const sendRow = async (row: RowRecord): Promise<void> => {
    const batch = await store.get(row.batchId);
    if (batch === undefined) return;
    const requestId = randomUUID();
    const outcome = await attemptRow(batch, row, requestId);
    switch (outcome.kind) {
      case 'sent':
        await store.updateRow(row.batchId, row.index, {
          state: 'sent',
          userId: outcome.userId,
          message: null,
          requestId,
        });
        break;
      case 'wait':
        // Paused first, so the row is not taken again before the batch waits.
        if (outcome.pauseMs > 0) await store.pause(row.batchId, now() + outcome.pauseMs);
        await store.updateRow(row.batchId, row.index, { state: 'waiting', tries: outcome.tries });
        break;
      case 'skipped':
        await store.updateRow(row.batchId, row.index, {
          state: 'skipped',
          userId: outcome.userId,
          message: outcome.message,
          requestId,
        });
        break;
      case 'failed':
        await store.updateRow(row.batchId, row.index, {
          state: 'failed',
          userId: null,
          message: outcome.message,
          requestId,
        });
        break;
    }
    await settle(row.batchId);
  };

  const attemptRow = async (batch: BatchRecord, row: RowRecord, requestId: string): Promise<Outcome> => {
    // The invite was parsed with the contract's schema as it was read from the store (and when the batch came in).
    const invite = row.invite;
    if (invite === null) return { kind: 'failed', message: 'This row has nothing to invite.' };
    try {
      const answer = await execute(
        {
          key: `bulk:${batch.id}:${row.index}:${row.attempt}`,
          actor: { operatorId: batch.operatorId, operatorEmail: batch.operatorEmail, requestId },
          method: 'POST',
          route: '/api/bulk-invites/:batchId/rows/:index',
          params: { batchId: batch.id, index: String(row.index) },
          body: invite,
          audit: {
            action: 'user.invite',
            target: { targetEmail: invite.email },
            targetsOf: (created: User) => ({ targetUserId: created.userId }),
          },
        },
        async (attempt) => {
          const result = await sendInvite(client, invite, attempt, requestId);
          if (result.status < 300) await options.onInvited?.(result.body, requestId);
          return result;
        },
      );
      if (answer.status < 400)
        return { kind: 'sent', userId: UserSchema.parse(JSON.parse(answer.text)).userId };
      // A replayed final refusal of this very attempt.
      const problem = ProblemSchema.parse(JSON.parse(answer.text));
      return outcomeOfProblem({ ...problem, code: problemCodeOf(problem) }, row, 'final');
    } catch (error) {
      if (error instanceof ProblemError) return outcomeOfProblem(error.problem, row, dispositionOf(error));
      log.error({ err: error, batchId: batch.id, row: row.index }, 'A bulk invite row could not be sent');
      return { kind: 'failed', message: 'Something went wrong in Viewer Admin. Retry this row.' };
    }
  };

  const settle = async (batchId: string): Promise<void> => {
    const finished = await store.finishIfDone(batchId, now());
    const batch = finished ?? (await store.get(batchId));
    if (batch?.finishedAt !== null && batch !== undefined) await completeAudit(batch);
  };

  /** The batch's one audit record, completed once (a row retried after that has its own invite record). */
  const completeAudit = async (batch: BatchRecord): Promise<void> => {
    if (batch.auditId === null || batch.auditCompleted) return;
    const counts = await store.counts(batch.id);
    let detail = batchAuditDetail(batch.id, batch.total, counts);
    if (batch.cancelledBy !== null) detail += ` Cancelled by ${batch.cancelledBy}.`;
    try {
      await audit.complete(batch.auditId, {
        outcome: counts.failed > 0 ? 'failure' : 'success',
        detail,
        at: now(),
      });
    } catch (error) {
      log.error(
        { err: error, batchId: batch.id },
        'The audit record of a bulk invite could not be completed',
      );
    }
    await store.markAudited(batch.id);
  };

  return {
    kick: () => void kick(),
    settle,
    async start() {
      stopped = false;
      renewTimer = setInterval(() => void tick(), renewMs);
      renewTimer.unref();
      try {
        // Alone, every batch a previous process held is this one's now; shared, only those whose lease ended.
        const requeued = await store.requeueSending(
          options.shared === true ? now() : Number.MAX_SAFE_INTEGER,
        );
        if (requeued > 0)
          log.warn({ rows: requeued }, 'Bulk invite rows left on their way are sent again with their keys');
        for (const batchId of await store.unsettled()) await settle(batchId);
      } catch (error) {
        log.error({ err: error }, 'The bulk invites could not be resumed yet; trying again shortly');
      }
      await kick();
    },
    async stop() {
      stopped = true;
      clearInterval(renewTimer);
      if (wakeTimer !== undefined) clearTimeout(wakeTimer);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      // Rows still on their way keep the lease: they are re-run with their key after it ends.
      if (inFlight.size === 0)
        await store.releaseLeases(owner).catch((error: unknown) => {
          log.warn({ err: error }, 'The bulk invite leases could not be let go; they end on their own');
        });
    },
  };
}

/** What a refusal means for the row: wait (nothing was sent), try again (unknown), skip (a duplicate) or fail. */
function outcomeOfProblem(
  problem: Pick<ProblemInit, 'title' | 'detail' | 'retryAfter' | 'existingUserId'> & {
    code: ProblemCode | undefined;
  },
  row: RowRecord,
  disposition: Disposition,
): Outcome {
  const code = problem.code;
  const waitMs = (problem.retryAfter ?? DEFAULT_PAUSE_MS / 1000) * 1000;
  switch (code) {
    case 'rate-limited':
    case 'audit-unavailable':
      return { kind: 'wait', pauseMs: waitMs };
    case 'request-in-progress':
      return { kind: 'wait', pauseMs: 1_000 };
    case 'duplicate-email':
      return {
        kind: 'skipped',
        userId: problem.existingUserId ?? null,
        message: `${DUPLICATE_EMAIL_MESSAGE} They were not invited again.`,
      };
  }
  if (code === 'upstream-unavailable' && disposition === 'release') {
    // The breaker is open or the queue to Avara is full: nothing was sent, the batch waits its turn.
    return { kind: 'wait', pauseMs: waitMs };
  }
  if (disposition === 'unknown' && row.tries + 1 < MAX_UNKNOWN_TRIES) {
    // Avara may have acted: the same key again settles it (the e-mail lookup) before anything is re-sent.
    return { kind: 'wait', pauseMs: 0, tries: row.tries + 1 };
  }
  return { kind: 'failed', message: [problem.title, problem.detail].filter(Boolean).join('. ') };
}
