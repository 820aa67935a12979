import type { FastifyInstance } from 'fastify';
import { ProblemError, type ProblemInit } from '../problems.ts';

/**
 * How many of the app's own log lines a request gets. `all` (every request): the error handler's line for a failure
 * and the request line. `request`: the request line only (a refused sign-in: one line, not two). `none`: neither,
 * because the request's line was written elsewhere (the one line that says a lockout started) or it is counted in a
 * summary instead (refused while paused: a flood must not fill the disk).
 */
export type LogLines = 'all' | 'request' | 'none';

declare module 'fastify' {
  interface FastifyRequest {
    logLines: LogLines;
  }
}

export function registerLogLines(app: FastifyInstance): void {
  app.decorateRequest('logLines', 'all');
}

/** A problem whose request writes fewer log lines than usual (the route copies `logLines` onto the request). */
export class QuietProblemError extends ProblemError {
  constructor(
    problem: ProblemInit,
    readonly logLines: Exclude<LogLines, 'all'>,
  ) {
    super(problem);
  }
}
