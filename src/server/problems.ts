import { fieldErrors, problemType } from '../contract/problem.ts';
import type { FieldError, Problem, ProblemCode } from '../contract/problem.ts';

/** A problem the BFF answers with (RFC 9457), before the request id is added. */
export interface ProblemInit {
  code: ProblemCode;
  status: number;
  title: string;
  detail?: string | undefined;
  errors?: FieldError[] | undefined;
  /** Seconds; also sent as the Retry-After header. */
  retryAfter?: number | undefined;
  /** duplicate-email: the userId of the person who already has the address. */
  existingUserId?: string | undefined;
}

/** Thrown anywhere in a request to answer with this problem; the app's one error handler sends it. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(readonly problem: ProblemInit) {
    super(problem.title);
  }
}

export function toProblem(init: ProblemInit, requestId: string): Problem {
  const problem: Problem = { type: problemType(init.code), title: init.title, status: init.status };
  if (init.detail !== undefined) problem.detail = init.detail;
  if (init.errors !== undefined) problem.errors = init.errors;
  if (init.retryAfter !== undefined) problem.retryAfter = init.retryAfter;
  if (init.existingUserId !== undefined) problem.existingUserId = init.existingUserId;
  problem.requestId = requestId;
  return problem;
}

export const VALIDATION_TITLE = 'Some details need attention';

/** A 400 from our own contract parse: the issues become field errors the form maps back onto its fields. */
export function validationProblem(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  detail = 'Check the highlighted details and try again.',
): ProblemError {
  return new ProblemError({
    code: 'validation',
    status: 400,
    title: VALIDATION_TITLE,
    detail,
    errors: fieldErrors(issues),
  });
}
