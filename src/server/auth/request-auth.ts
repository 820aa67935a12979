import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit-trail.ts';
import { ProblemError } from '../problems.ts';
import { readSessionCookie } from './cookie.ts';
import type { Authenticated, RequestFacts } from './session-manager.ts';

/** The signed-in operator, or 401 (the API guard has already refused /api requests without a session). */
export function requireAuth(request: FastifyRequest): Authenticated {
  if (request.auth) return request.auth;
  throw new ProblemError({ code: 'unauthenticated', status: 401, title: 'Please sign in' });
}

export function requestFacts(request: FastifyRequest): RequestFacts {
  return {
    clientAddress: request.ip,
    requestId: request.id,
    sessionId: readSessionCookie(request.headers.cookie),
  };
}

/** Who the audit trail names for this request. */
export function actorOf(request: FastifyRequest): AuditActor {
  const { operator } = requireAuth(request);
  return { operatorId: operator.id, operatorEmail: operator.email, requestId: request.id };
}
