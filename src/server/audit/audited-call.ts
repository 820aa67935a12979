import type { AuditAction } from '../../contract/audit.ts';
import type { FieldChange } from '../../contract/directory.ts';
import { ProblemError } from '../problems.ts';
import { UpstreamProblemError } from '../avara/upstream-problem.ts';
import type { AuditCompletion } from '../store/audit.ts';

/**
 * The audit record of a change to Avara (see idempotency/idempotent-route.ts, which writes it): a `pending` record
 * is written BEFORE the change is sent, and the change is refused (503) when it cannot be; afterwards the record is
 * completed with the outcome: success (with the upstream status), failure (with the upstream status) or refused (this
 * server said no before or instead of Avara, e.g. the admin rule).
 */

export interface AuditedTarget {
  targetUserId?: string | null | undefined;
  targetInvitationId?: string | null | undefined;
  targetEmail?: string | null | undefined;
}

export interface AuditedCallOptions<T> {
  action: AuditAction;
  target: AuditedTarget;
  /** Targets learnt from the answer (the new user's id after an invite). */
  targetsOf?: (result: T) => AuditedTarget;
}

type Completion = Omit<AuditCompletion, 'at'>;

/** The completion of a change that succeeded: the upstream status and the targets learnt from the answer. */
export function successCompletion<T>(
  options: AuditedCallOptions<T>,
  result: T,
  upstreamStatus: number | null,
  changes?: readonly FieldChange[],
): Completion {
  return { outcome: 'success', upstreamStatus, ...options.targetsOf?.(result), changes };
}

/** The completion of a change that failed, by what it failed with (never upstream text, only titles and kinds). */
export function failureCompletion(error: unknown): Completion {
  if (error instanceof UpstreamProblemError) {
    return {
      outcome: 'failure',
      upstreamStatus: error.upstream.status ?? null,
      detail: `${error.problem.title} (${error.upstream.kind})`,
    };
  }
  if (error instanceof ProblemError) return { outcome: 'refused', detail: error.problem.title };
  return { outcome: 'failure', detail: 'Unexpected error in Viewer Admin.' };
}
