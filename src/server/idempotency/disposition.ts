import { UpstreamError } from '../avara/upstream-error.ts';
import { ProblemError } from '../problems.ts';
import { UpstreamProblemError } from '../avara/upstream-problem.ts';
import type { Disposition } from './idempotent-route.ts';

/**
 * A refusal that is a definite answer to the request (the same request would get it again), though no single
 * upstream status said so: e.g. the email turned out to belong to someone else. Remembered and replayed.
 */
export class DefiniteProblemError extends ProblemError {}

/**
 * What a failed attempt means for its Idempotency-Key:
 * - `final`: a definite answer that the same request would get again (a refused field, a duplicate email, an unknown
 *   id, an invitation no longer pending): remember it and replay it.
 * - `release`: nothing was done and nothing needs remembering: this server refused before asking Avara, or the
 *   request certainly never reached Avara (no connection, breaker open, queue full), or Avara refused it in a way
 *   that may change (429, a rejected API key). A retry with the key runs afresh.
 * - `unknown`: Avara may have acted (no answer in time, the connection dropped after sending, a 5xx, an answer that
 *   could not be read, or one that held our API key, whatever its status): the next attempt with the key must check
 *   before acting again.
 */
export function dispositionOf(error: unknown): Disposition {
  if (error instanceof UpstreamProblemError) return upstreamDisposition(error.upstream);
  if (error instanceof UpstreamError) return upstreamDisposition(error);
  if (error instanceof DefiniteProblemError) return 'final';
  // Our own refusals (validation, the admin rule, the audit trail unavailable): Avara was never asked.
  if (error instanceof ProblemError) return 'release';
  // A bug after the upstream call may have happened: assume the worst.
  return 'unknown';
}

/** Upstream statuses that are a definite, repeatable answer to the request. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 404, 409, 410, 422]);

function upstreamDisposition(error: UpstreamError): Disposition {
  if (error.notSent) return 'release';
  if (error.kind === 'http') {
    const status = error.status ?? 0;
    if (FINAL_STATUSES.has(status)) return 'final';
    // Refused at the door: the rate limit, or our key. Nothing happened; a later retry may well succeed.
    if (status === 401 || status === 403 || status === 429) return 'release';
  }
  return 'unknown';
}
