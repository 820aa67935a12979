import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditUnavailableError } from '../audit/audit-trail.ts';
import { auditUnavailableProblem } from '../auth/session-manager.ts';
import { problemForUpstreamError } from '../avara/problem-mapping.ts';
import { UpstreamError } from '../avara/upstream-error.ts';
import { UpstreamProblemError } from '../avara/upstream-problem.ts';
import { ProblemError, toProblem } from '../problems.ts';
import { StoreUnavailableError } from '../store/unavailable.ts';
import type { ProblemInit } from '../problems.ts';

/**
 * The one error policy: whatever a request fails with becomes an RFC 9457 problem (application/problem+json, with
 * the request id), 5xx logged at error level and the rest at info, never with upstream text or request bytes.
 */

export const BODY_LIMIT_BYTES = 64 * 1024;

export const NOT_FOUND: ProblemInit = {
  code: 'not-found',
  status: 404,
  title: 'There is nothing at this address',
  detail: 'Check the address, or go back to the start page.',
};

/** The database is out of reach (PostgreSQL restarting, the network to it cut): nothing was read or written. */
export const DATABASE_UNAVAILABLE: ProblemInit = {
  code: 'database-unavailable',
  status: 503,
  title: 'Viewer Admin cannot reach its database right now',
  detail: 'Nothing was done. Try again in a few seconds; if it persists, tell whoever runs Viewer Admin.',
  retryAfter: 5,
};

export function registerErrorPolicy(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const problem = problemForError(error, request.routeOptions.bodyLimit ?? BODY_LIMIT_BYTES);
    // A quiet refusal is told by its request line, by a line of its own, or in a summary (security/log-lines.ts).
    if (request.logLines !== 'all') return sendProblem(reply, problem);
    if (problem.status >= 500) request.log.error(logSummary(error), problem.title);
    else request.log.info(logSummary(error), problem.title);
    return sendProblem(reply, problem);
  });
}

/**
 * Fastify's `frameworkErrors`: a path the router cannot even read (bad escapes, an id longer than any real one) is
 * still answered in our shape.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id);
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendProblem(reply, {
    code: 'validation',
    status: tooLong ? 414 : 400,
    title: tooLong ? 'This address is too long' : 'This address is not valid',
    detail: 'Check the address, or go back to the start page.',
  });
}

export function sendProblem(reply: FastifyReply, problem: ProblemInit) {
  reply.code(problem.status);
  reply.header('content-type', 'application/problem+json; charset=utf-8');
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  return reply.send(JSON.stringify(toProblem(problem, reply.request.id)));
}

/** `bodyLimit`: the route's own (the bulk invite takes more than the rest). */
function problemForError(error: unknown, bodyLimit: number): ProblemInit {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof AuditUnavailableError) return auditUnavailableProblem().problem;
  if (error instanceof StoreUnavailableError) return DATABASE_UNAVAILABLE;
  // Routes map upstream failures themselves (callUpstream); one that escapes is mapped without claiming an operation.
  if (error instanceof UpstreamError) return problemForUpstreamError(error, 'unknown');
  switch (errorCode(error)) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'validation',
        status: 413,
        title: 'The request is too large',
        detail:
          bodyLimit >= 1024 * 1024
            ? `Send at most ${bodyLimit / (1024 * 1024)} MB at a time.`
            : `Send at most ${bodyLimit / 1024} KiB at a time.`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'unsupported-media-type',
        status: 415,
        title: 'Send the details as JSON',
        detail: 'This address accepts JSON only (Content-Type: application/json).',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        code: 'validation',
        status: 400,
        title: 'The request could not be read',
        detail: 'Send valid JSON.',
      };
  }
  const status = errorStatus(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: 'validation', status, title: 'The request could not be read' };
  }
  return {
    code: 'internal',
    status: 500,
    title: 'Something went wrong in Viewer Admin',
    detail: 'Nothing more is known yet. Try again; if it keeps happening, tell whoever runs Viewer Admin.',
  };
}

/**
 * What the log gets about a failure: upstream errors by kind and status only (never their body); a client's own
 * mistake (4xx) by its code only, since a parser's message may quote the request (a password in a broken body).
 */
function logSummary(error: unknown): Record<string, unknown> {
  if (error instanceof UpstreamProblemError) {
    const { kind, status, attempts } = error.upstream;
    return { upstream: { kind, status, attempts } };
  }
  if (error instanceof ProblemError) return {};
  const status = errorStatus(error);
  if (status !== undefined && status < 500) return { code: errorCode(error) };
  return { err: error };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}
