import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '../../contract/audit.ts';
import { actorOf } from '../auth/request-auth.ts';
import { auditUnavailableProblem } from '../auth/session-manager.ts';
import { ProblemError } from '../problems.ts';
import { UpstreamProblemError } from '../routes/route-helpers.ts';
import { AuditUnavailableError, type AuditTrail, type PendingAudit } from './audit-trail.ts';

export interface AuditedTarget {
  targetUserId?: string | null | undefined;
  targetInvitationId?: string | null | undefined;
  targetEmail?: string | null | undefined;
}

export interface AuditedCallOptions<T> {
  action: AuditAction;
  target: AuditedTarget;
  /** Targets learnt from the answer (the new user's id after an invite). */
  targetsOf?: (result: NoInfer<T>) => AuditedTarget;
}

/**
 * Run a change against Avara with its audit record written FIRST: if the record cannot be written the change is
 * refused (503) and nothing is sent upstream. Afterwards the record is completed with the outcome: success, failure
 * (with the upstream status) or refused (this server said no before or instead of Avara, e.g. the admin rule).
 * `call` receives the function to pass as the client's `onStatus`, so the upstream's real status is recorded.
 */
export async function auditedCall<T>(
  request: FastifyRequest,
  audit: AuditTrail,
  call: (onStatus: (status: number) => void) => Promise<T>,
  options: AuditedCallOptions<T>,
): Promise<T> {
  let pending: PendingAudit;
  try {
    pending = await audit.begin({ ...actorOf(request), action: options.action, ...options.target });
  } catch (error) {
    if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
    throw error;
  }
  let upstreamStatus: number | null = null;
  try {
    const result = await call((status) => {
      upstreamStatus = status;
    });
    await pending.complete({ outcome: 'success', upstreamStatus, ...options.targetsOf?.(result) });
    return result;
  } catch (error) {
    if (error instanceof UpstreamProblemError) {
      await pending.complete({
        outcome: 'failure',
        upstreamStatus: error.upstream.status ?? null,
        detail: `${error.problem.title} (${error.upstream.kind})`,
      });
    } else if (error instanceof ProblemError) {
      await pending.complete({ outcome: 'refused', detail: error.problem.title });
    } else {
      await pending.complete({ outcome: 'failure', detail: 'Unexpected error in Viewer Admin.' });
    }
    throw error;
  }
}
