import { hash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditUnavailableError } from '../audit/audit-trail.ts';
import type { AuditActor, AuditTrail, PendingAudit } from '../audit/audit-trail.ts';
import { failureCompletion, successCompletion, type AuditedCallOptions } from '../audit/audited-call.ts';
import { requireAuth } from '../auth/request-auth.ts';
import { auditUnavailableProblem } from '../auth/session-manager.ts';
import { ProblemError, toProblem } from '../problems.ts';
import type { IdempotencyStore, StoredResponse } from '../store/idempotency.ts';
import type { FieldChange } from '../../contract/directory.ts';
import { requestFingerprint } from './fingerprint.ts';

/**
 * Idempotency for the state-changing /api routes. The browser sends an `Idempotency-Key` (one per submission of a
 * form, reused when that submission is retried); the key is remembered per operator with the fingerprint of the
 * request and, once known, its answer:
 * - same key, same request, answered before → that answer again (`Idempotency-Replayed: true`): nothing is sent to
 *   Avara and no audit record is written;
 * - same key, different request → 422; same key while the first request still runs → 409 with Retry-After;
 * - an earlier attempt whose outcome is unknown → the handler runs with `resumed: true` and must find out what
 *   happened before acting again (for an invite: look the email up).
 * Requests refused before this point (validation) are not stored: the route parses first, then calls `run`.
 *
 * Each change is also written to the audit trail before the handler may act (refused with 503, key released, when it
 * cannot be) and completed with its outcome afterwards. The record is written together with the claim of the key,
 * and its completion together with the key's (one database commit each: see WriteTogether in store/idempotency.ts).
 * A replay, a mismatch or a request still in flight writes no record: nothing is attempted.
 */

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotency-replayed';
/** 1 to 255 visible ASCII characters (a UUID from crypto.randomUUID(), typically). */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** What became of an attempt that threw: see `disposition.ts`. */
export type Disposition = 'final' | 'unknown' | 'release';

export interface Attempt {
  /** The Idempotency-Key to send on to Avara: derived from the operator and the browser's key (see below). */
  key: string;
  /** Pass as the client's `onStatus`: the upstream's real status goes into the audit record. */
  onStatus: (status: number) => void;
  /** What the change changes (an edit: each field before and after), for its audit record; the last call counts. */
  noteChanges: (changes: readonly FieldChange[]) => void;
  /** The key's earlier attempt ended without a known outcome: check before acting again. */
  resumed: boolean;
  /** When the key was first used (ms): with `resumed`, anything created since may be this request's doing. */
  firstAttemptAt: number;
}

export interface IdempotentResult<T> {
  status: number;
  body: T;
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** Where every change is recorded, before it is attempted. */
  audit: AuditTrail;
  /** How long a key is remembered (IDEMPOTENCY_TTL_HOURS). */
  ttlMs: number;
  /** How long a request may hold a key in flight before it counts as abandoned. */
  leaseMs: number;
  now: () => number;
  /** What a thrown error means for the key. */
  dispositionOf: (error: unknown) => Disposition;
  /** A store failure after the answer is known (the answer is still sent). */
  onStoreError?: ((error: unknown) => void) | undefined;
}

export interface IdempotentRequest<T> {
  /** The body as the contract parsed it (undefined for none). */
  body: unknown;
  /** The validated path ids. */
  params?: Readonly<Record<string, string>> | undefined;
  /**
   * The change's audit record: what it does to whom (and whom the answer names). None only for a change that records
   * itself (a bulk invite's batch and rows: each row's invite has its own record, written by the worker).
   */
  audit: AuditedCallOptions<T> | null;
}

export type RunIdempotent = <T>(
  request: FastifyRequest,
  reply: FastifyReply,
  input: IdempotentRequest<T>,
  handler: (attempt: Attempt) => Promise<IdempotentResult<T>>,
) => Promise<FastifyReply>;

/**
 * The Idempotency-Key Avara is sent for an operator's key: SHA-256 (hex) of the operator's id and the browser's key.
 * The browser's key is only unique per operator here (that is how it is stored), so two operators who happen to send
 * the same key (or one who sends another's) never share a key upstream; a retry of the same change sends the same
 * derived key. No secret goes in: the derived key must stay the same across restarts, and the browser's key, a
 * random UUID, already gives Avara nothing to guess from.
 */
export function upstreamIdempotencyKey(operatorId: string, key: string): string {
  return hash('sha256', `${operatorId}\0${key}`, 'hex');
}

/** The Idempotency-Key of the request, or a 400 problem when it is missing or malformed. */
export function readIdempotencyKey(request: FastifyRequest): string {
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (typeof raw === 'string' && KEY_FORMAT.test(raw)) return raw;
  throw new ProblemError({
    code: 'validation',
    status: 400,
    title:
      raw === undefined ? 'The Idempotency-Key header is missing' : 'The Idempotency-Key header is not valid',
    detail:
      'Every change must carry one Idempotency-Key header of 1 to 255 visible characters (a new random id per ' +
      'submission, the same one when that submission is retried).',
  });
}

/** Who makes a change and how it is named: what the key is stored under and the audit record says. */
export interface IdempotentCall<T> extends IdempotentRequest<T> {
  /** The operator's own Idempotency-Key (stored per operator). */
  key: string;
  actor: AuditActor & { operatorId: string };
  /** The method and route pattern: with the params and body, what makes two requests the same. */
  method: string;
  route: string;
}

/** The answer of an idempotent change: made now, or replayed from the key's record (a stored problem included). */
export interface IdempotentAnswer {
  status: number;
  /** The answer's JSON text (a problem for a replayed refusal). */
  text: string;
  replayed: boolean;
}

export type ExecuteIdempotent = <T>(
  call: IdempotentCall<T>,
  handler: (attempt: Attempt) => Promise<IdempotentResult<T>>,
) => Promise<IdempotentAnswer>;

export interface Idempotency {
  /** For routes: the request's key and operator, the answer sent (a replay marked `Idempotency-Replayed: true`). */
  run: RunIdempotent;
  /** For work that is not a request (a bulk invite's rows): the same guarantees, the answer returned. */
  execute: ExecuteIdempotent;
}

export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { store, audit, ttlMs, leaseMs, now, dispositionOf } = options;
  const storeError = (error: unknown) => options.onStoreError?.(error);

  async function execute<T>(
    call: IdempotentCall<T>,
    handler: (attempt: Attempt) => Promise<IdempotentResult<T>>,
  ): Promise<IdempotentAnswer> {
    const { key, actor } = call;
    const operatorId = actor.operatorId;
    const fingerprint = requestFingerprint({
      method: call.method,
      route: call.route,
      params: call.params ?? {},
      body: call.body,
    });
    const ref = { operatorId, key, claimId: randomUUID() };
    const audited = call.audit;
    // Started only when the key is claimed, in the claim's transaction; awaited below.
    let auditBegun: Promise<PendingAudit> | undefined;
    const begun = await store.begin(
      { ...ref, fingerprint, now: now(), ttlMs, leaseMs },
      audited === null
        ? undefined
        : () => {
            auditBegun = audit.begin({ ...actor, action: audited.action, ...audited.target });
          },
    );

    switch (begun.kind) {
      case 'replay':
        return { status: begun.response.status, text: begun.response.body, replayed: true };
      case 'mismatch':
        throw new ProblemError({
          code: 'idempotency-key-reused',
          status: 422,
          title: 'This Idempotency-Key was used for a different request',
          detail:
            'Send each new change with a new Idempotency-Key; reuse a key only to retry the same change.',
        });
      case 'in-flight':
        throw new ProblemError({
          code: 'request-in-progress',
          status: 409,
          title: 'This change is still being made',
          detail:
            'The same request is already on its way. Wait a moment: its answer will be given to a retry.',
          retryAfter: 1,
        });
      case 'new':
      case 'resume':
        break;
    }

    const resumed = begun.kind === 'resume';
    let pending: PendingAudit | undefined;
    try {
      if (audited !== null && auditBegun === undefined)
        throw new Error('The key was claimed without its audit record.');
      pending = await auditBegun;
    } catch (error) {
      // No record, no action: the key is let go (an earlier unknown outcome stays unknown), and nothing is sent.
      try {
        if (resumed) await store.markUnknown(ref, now());
        else await store.release(ref);
      } catch (failure) {
        storeError(failure);
      }
      if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
      throw error;
    }

    let upstreamStatus: number | null = null;
    const onStatus = (status: number) => {
      upstreamStatus = status;
    };
    let changes: readonly FieldChange[] | undefined;
    const noteChanges = (noted: readonly FieldChange[]) => {
      changes = noted;
    };
    const failed = (error: unknown) => ({ ...failureCompletion(error), changes });
    let result: IdempotentResult<T>;
    try {
      result = await handler({
        // Avara gets a key of its own, derived from the operator's (see upstreamIdempotencyKey).
        key: upstreamIdempotencyKey(operatorId, key),
        onStatus,
        noteChanges,
        resumed,
        firstAttemptAt: resumed ? begun.createdAt : now(),
      });
    } catch (error) {
      let disposition = dispositionOf(error);
      // An earlier attempt's unknown outcome stays unknown until an answer settles it: never forget it.
      if (resumed && disposition === 'release') disposition = 'unknown';
      // Completing the audit record never throws (a failure is reported and the record stays pending).
      let completed: Promise<void> | undefined;
      const completeAudit = () => {
        completed = pending?.complete(failed(error));
      };
      try {
        if (disposition === 'final' && error instanceof ProblemError) {
          const problem = toProblem(error.problem, actor.requestId ?? '');
          await store.complete(
            ref,
            { status: problem.status, body: JSON.stringify(problem) },
            now(),
            completeAudit,
          );
        } else if (disposition === 'unknown') {
          await store.markUnknown(ref, now(), completeAudit);
        } else {
          await store.release(ref, completeAudit);
        }
      } catch (failure) {
        storeError(failure);
        // The transaction was undone, the audit completion with it: write that on its own.
        completed = undefined;
      }
      await (completed ?? pending?.complete(failed(error)));
      throw error;
    }

    const text = JSON.stringify(result.body);
    const completion = () =>
      audited === null
        ? undefined
        : pending?.complete(successCompletion(audited, result.body, upstreamStatus, changes));
    let completed: Promise<void> | undefined;
    try {
      await store.complete(ref, { status: result.status, body: text }, now(), () => {
        completed = completion();
      });
    } catch (failure) {
      storeError(failure);
      completed = undefined;
    }
    await (completed ?? completion());
    return { status: result.status, text, replayed: false };
  }

  const run: RunIdempotent = async (request, reply, input, handler) => {
    const auth = requireAuth(request);
    const answer = await execute(
      {
        ...input,
        key: readIdempotencyKey(request),
        actor: { operatorId: auth.operator.id, operatorEmail: auth.operator.email, requestId: request.id },
        method: request.method,
        route: request.routeOptions.url ?? request.url,
      },
      handler,
    );
    if (!answer.replayed) {
      return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.text);
    }
    return replay(request, reply, { status: answer.status, body: answer.text });
  };

  return { run, execute };
}

/** The stored answer again, marked as a replay. A problem carries this request's id (the header says the same). */
function replay(request: FastifyRequest, reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.header(REPLAYED_HEADER, 'true');
  reply.code(stored.status);
  if (stored.status < 400) return reply.type('application/json; charset=utf-8').send(stored.body);
  let body = stored.body;
  try {
    const value: unknown = JSON.parse(stored.body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      body = JSON.stringify({ ...value, requestId: request.id });
  } catch {
    // Stored by this module, so always JSON; if not, send it as it is.
  }
  return reply.type('application/problem+json; charset=utf-8').send(body);
}
