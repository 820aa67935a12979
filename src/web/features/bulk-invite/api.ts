import { useMutation } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { BatchIdSchema, InviteCheckResultSchema } from '../../../contract/bulk.ts';
import type { CreateBulkInviteInput, InviteCheckResult } from '../../../contract/bulk.ts';
import { apiRequest } from '../../lib/api-client.ts';
import { withIdempotencyKey } from '../../lib/idempotency.ts';

/** POST /api/invites/check: who already has these addresses (nothing is sent). */
export function checkEmails(emails: string[], signal: AbortSignal): Promise<InviteCheckResult> {
  return apiRequest('/api/invites/check', InviteCheckResultSchema, {
    method: 'POST',
    body: { emails },
    signal,
  });
}

/** The new batch's address is all this screen needs from the answer. */
const CreatedBatchSchema = z.object({ batchId: BatchIdSchema });

/**
 * POST /api/bulk-invites: hand the batch to the BFF, which sends it. One Idempotency-Key per submission of the same
 * batch: a retry after an unclear outcome (no answer, a 5xx) can never start the batch twice.
 */
export function useCreateBulkInvite() {
  return useMutation({
    mutationKey: ['bulk-invite', 'create'],
    mutationFn: (input: CreateBulkInviteInput): Promise<{ batchId: string }> =>
      withIdempotencyKey('bulk-invite', input, (idempotencyKey) =>
        apiRequest('/api/bulk-invites', CreatedBatchSchema, { method: 'POST', body: input, idempotencyKey }),
      ),
  });
}
