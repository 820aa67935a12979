import { ProblemError } from '../problems.ts';
import { problemForUpstreamError } from './problem-mapping.ts';
import type { UpstreamOperation } from './problem-mapping.ts';
import { UpstreamError } from './upstream-error.ts';

/** A mapped upstream failure: the problem to answer plus the upstream error (kind and status only) for the log. */
export class UpstreamProblemError extends ProblemError {
  constructor(
    problem: ProblemError['problem'],
    readonly upstream: UpstreamError,
  ) {
    super(problem);
  }
}

/** Call the upstream; its failures become the problem this operation answers with. */
export async function callUpstream<T>(operation: UpstreamOperation, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamError)
      throw new UpstreamProblemError(problemForUpstreamError(error, operation), error);
    throw error;
  }
}
