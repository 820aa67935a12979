import * as z from 'zod/mini';

/** The BFF's one error body: RFC 9457 problem details, plus field errors and the request id. */
export const PROBLEM_CODES = [
  'validation',
  'duplicate-email',
  'not-found',
  'rate-limited',
  'upstream-key-rejected',
  'upstream-unavailable',
  'upstream-timeout',
  'upstream-invalid-response',
  'unsupported-media-type',
  'forbidden',
  'unauthenticated',
  'password-change-required',
  'audit-unavailable',
  'conflict',
  'internal',
  /** The Idempotency-Key was already used for a different request (422). */
  'idempotency-key-reused',
  /** A request with this Idempotency-Key is still running (409, Retry-After): wait, then send it again. */
  'request-in-progress',
  /** The request named a host this server does not answer for (421). */
  'misdirected-request',
  /** The server is at its limit of password checks (503, Retry-After): nothing was checked, try again shortly. */
  'busy',
  /** The operator's role does not include this (403): the detail names the role it needs. */
  'forbidden-role',
  /** The change would leave no active Administrator (409). */
  'last-administrator',
  /** Sign-in: the right password for an account that is disabled (403). Only the right password ever gets this. */
  'account-disabled',
  /** The server's database cannot be reached (503, Retry-After): nothing was done; try again shortly. */
  'database-unavailable',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export function problemType(code: ProblemCode): string {
  return `/problems/${code}`;
}

export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(FieldErrorSchema)),
  requestId: z.optional(z.string()),
  /** Seconds to wait before retrying (429, some 503s). */
  retryAfter: z.optional(z.number()),
  /** duplicate-email: the userId of the person who already has this email address, when known. */
  existingUserId: z.optional(z.string()),
});
export type Problem = z.infer<typeof ProblemSchema>;

export function problemCodeOf(problem: Pick<Problem, 'type'>): ProblemCode | undefined {
  return PROBLEM_CODES.find((code) => problemType(code) === problem.type);
}

/** Flatten zod issues into `{ path, message }` pairs (path joined with dots; '' for the whole body). */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
