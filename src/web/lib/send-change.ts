import type * as z from 'zod/mini';
import { apiRequest } from './api-client.ts';
import { withIdempotencyKey } from './idempotency.ts';

type ChangeMethod = 'POST' | 'PATCH';

/**
 * Every change the review screens make goes through here: the one place the Idempotency-Key of a submission is
 * chosen (a retry of the same change reuses its key, see lib/idempotency.ts) and attached to the request.
 */
export function sendChange<Schema extends z.ZodMiniType>(
  method: ChangeMethod,
  path: string,
  body: unknown,
  schema: Schema,
): Promise<z.output<Schema>> {
  return withIdempotencyKey(`${method} ${path}`, body ?? null, (idempotencyKey) =>
    apiRequest(path, schema, { method, body, idempotencyKey }),
  );
}
