import type { FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { ADMIN_NEEDS_DASHBOARD, breaksAdminRule } from '../../contract/person.ts';
import { mergeUpdate } from '../../contract/users.ts';
import type { UpdateUser } from '../../contract/users.ts';
import type { CallContext } from '../avara/client.ts';
import { validationProblem } from '../problems.ts';

/** Parse a body, query or params with a contract schema, or answer 400 with field errors (nothing goes upstream). */
export function parseOrReject<Schema extends z.core.$ZodType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw validationProblem(
    result.error.issues.flatMap((issue) =>
      // A strict object reports refused extra fields together on the parent: point at each field instead.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key], message: `Unexpected field: ${key}.` }))
        : [issue],
    ),
  );
}

/** Action bodies (revoke, reactivate) carry nothing: empty, or `{}`. */
export const EmptyBodySchema = z.optional(
  z.strictObject(
    {},
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'Send an empty JSON object.') },
  ),
);

/** Fastify parses `a=1&a=2` as an array; the upstream's list format is comma-joined, so join repeats the same way. */
export function flattenQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(
    Object.entries(query).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value]),
  );
}

/**
 * The context passed to the upstream client: our request id and, on changes, the Idempotency-Key the idempotency
 * layer has already checked (reads never send one).
 */
export function callContext(request: FastifyRequest, idempotencyKey?: string): CallContext {
  return idempotencyKey === undefined ? { requestId: request.id } : { requestId: request.id, idempotencyKey };
}

/**
 * "Admins need dashboard access" for an edit, on the record as it will be. Only a patch that turns one half of the
 * rule on (level admin, or dashboard access off) and leaves the other half as stored depends on the stored record:
 * then the merged result is checked, refused with 400 on hasDashboardAccess. Otherwise the patch decides on its own
 * (and the contract already checked it).
 */
export function checkAdminRuleAfterUpdate(
  patch: UpdateUser,
  stored: { level: string; hasDashboardAccess: boolean },
): void {
  const dependsOnStored =
    (patch.level === 'admin' && patch.hasDashboardAccess === undefined) ||
    (patch.hasDashboardAccess === false && patch.level === undefined);
  if (dependsOnStored && breaksAdminRule(mergeUpdate(stored, patch))) {
    throw validationProblem([{ path: ['hasDashboardAccess'], message: ADMIN_NEEDS_DASHBOARD }]);
  }
}
