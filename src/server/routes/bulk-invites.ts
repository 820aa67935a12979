import type { FastifyInstance } from 'fastify';
import {
  BULK_MAX_BODY_BYTES,
  BatchIdParamsSchema,
  BatchRowParamsSchema,
  BulkBatchQuerySchema,
  CreateBulkInviteInputSchema,
  InviteCheckInputSchema,
  RetryRowInputSchema,
} from '../../contract/bulk.ts';
import type { BulkBatchSummary, BulkRow, InviteCheckResult } from '../../contract/bulk.ts';
import { AuditUnavailableError } from '../audit/audit-trail.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { requireAuth } from '../auth/request-auth.ts';
import { auditUnavailableProblem } from '../auth/session-manager.ts';
import type { AvaraClient } from '../avara/client.ts';
import { callUpstream } from '../avara/upstream-problem.ts';
import { batchRow, batchSummary, batchWithRows } from '../bulk/batch-view.ts';
import type { BulkJobs } from '../bulk/bulk-jobs.ts';
import type { RunIdempotent } from '../idempotency/idempotent-route.ts';
import { findUserByEmail } from '../idempotency/invite-recovery.ts';
import { NOT_FOUND } from '../plugins/error-policy.ts';
import { ProblemError, validationProblem } from '../problems.ts';
import type { BatchRecord, BulkStore } from '../store/bulk.ts';
import { newBatchId } from '../store/bulk.ts';
import { EmptyBodySchema, flattenQuery, parseOrReject } from './route-helpers.ts';

/** How many batches GET /api/bulk-invites lists. */
export const RECENT_BATCHES = 20;

export interface BulkRouteOptions {
  client: AvaraClient;
  idempotent: RunIdempotent;
  store: BulkStore;
  audit: AuditTrail;
  jobs: BulkJobs;
  /** Upstream lookups of one check at once (the upstream concurrency). */
  checkConcurrency: number;
  now: () => number;
}

/**
 * The bulk invite: a dry-run check of e-mail addresses, and batches the server sends itself (bulk/bulk-jobs.ts).
 * Any operator may read and act on any batch (every operator is a clinic administrator); an unknown batch id is
 * answered like any address with nothing at it.
 */
export function registerBulkInviteRoutes(app: FastifyInstance, options: BulkRouteOptions): void {
  const { client, idempotent, store, audit, jobs, now } = options;

  const summaryOf = async (batch: BatchRecord): Promise<BulkBatchSummary> =>
    batchSummary(batch, await store.counts(batch.id));
  const batchOr404 = async (batchId: string): Promise<BatchRecord> => {
    const batch = await store.get(batchId);
    if (batch === undefined) throw new ProblemError(NOT_FOUND);
    return batch;
  };

  app.post(
    '/api/invites/check',
    { config: { role: 'inviter' } },
    async (request): Promise<InviteCheckResult> => {
      const { emails } = parseOrReject(InviteCheckInputSchema, request.body);
      const unique = [...new Set(emails.map((email) => email.toLowerCase()))];
      const found = new Map<string, InviteCheckResult['results'][number]['existing']>();
      await eachLimited(unique, options.checkConcurrency, async (email) => {
        found.set(email, await lookUp(client, email, request.id));
      });
      return {
        results: emails.map((email) => ({ email, existing: found.get(email.toLowerCase()) ?? null })),
      };
    },
  );

  app.post(
    '/api/bulk-invites',
    {
      config: { role: 'inviter' },
      bodyLimit: BULK_MAX_BODY_BYTES,
      // The batch's own address, for a replayed answer too (it carries the same batchId).
      onSend: async (_request, reply, payload) => {
        if (reply.statusCode === 201 && typeof payload === 'string') {
          const batchId = batchIdOf(payload);
          if (batchId !== undefined) reply.header('location', `/api/bulk-invites/${batchId}`);
        }
        return payload;
      },
    },
    async (request, reply) => {
      const input = parseOrReject(CreateBulkInviteInputSchema, request.body);
      const { operator } = requireAuth(request);
      const result = await idempotent(request, reply, { body: input, audit: null }, async ({ key }) => {
        // A creation whose answer was lost (a restart between the two) finds its batch rather than making another.
        const existing = await store.findByCreationKey(operator.id, key);
        if (existing !== undefined) return { status: 201, body: await summaryOf(existing) };
        const id = newBatchId();
        const invited = input.rows.filter((row) => row.invite !== undefined).length;
        let auditId: number;
        try {
          // The batch's one record, written before anything can be sent; completed with the counts when it is done.
          const pending = await audit.begin({
            operatorId: operator.id,
            operatorEmail: operator.email,
            requestId: request.id,
            action: 'bulk.invite',
            detail: `Batch ${id}: ${input.rows.length} rows, ${invited} to invite, ${input.rows.length - invited} skipped.`,
          });
          auditId = pending.id;
        } catch (error) {
          if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
          throw error;
        }
        const batch = await store.create({
          id,
          createdAt: now(),
          operatorId: operator.id,
          operatorEmail: operator.email,
          operatorName: operator.displayName,
          creationKey: key,
          auditId,
          columns: input.columns,
          rows: input.rows.map((row) => ({
            line: row.line,
            cells: row.cells,
            invite: row.invite ?? null,
            userId: row.skip?.userId ?? null,
            message: row.skip?.message ?? null,
          })),
        });
        jobs.kick();
        return { status: 201, body: await summaryOf(batch) };
      });
      return result;
    },
  );

  app.get('/api/bulk-invites', { config: { role: 'inviter' } }, async () => {
    const batches = await store.recent(RECENT_BATCHES);
    return { batches: await Promise.all(batches.map(summaryOf)) };
  });

  app.get('/api/bulk-invites/:batchId', { config: { query: true, role: 'inviter' } }, async (request) => {
    const { batchId } = parseOrReject(BatchIdParamsSchema, request.params);
    const { since } = parseOrReject(BulkBatchQuerySchema, flattenQuery(request.query));
    const batch = await batchOr404(batchId);
    const counts = await store.counts(batchId);
    return batchWithRows(batch, counts, await store.rows(batchId, since ?? 0));
  });

  app.post('/api/bulk-invites/:batchId/cancel', { config: { role: 'inviter' } }, async (request, reply) => {
    const { batchId } = parseOrReject(BatchIdParamsSchema, request.params);
    parseOrReject(EmptyBodySchema, request.body);
    const { operator } = requireAuth(request);
    return idempotent(request, reply, { body: undefined, params: { batchId }, audit: null }, async () => {
      const result = await store.cancel(batchId, operator.email);
      if (result === 'not-found') throw new ProblemError(NOT_FOUND);
      if (result === 'finished') {
        throw new ProblemError({
          code: 'conflict',
          status: 409,
          title: 'This batch has already finished',
          detail: 'Every row was already sent, skipped or failed: there is nothing left to cancel.',
        });
      }
      // With no row on its way, the batch is done now; otherwise the worker finishes it after that row.
      await jobs.settle(batchId);
      return { status: 200, body: await summaryOf(await batchOr404(batchId)) };
    });
  });

  app.post(
    '/api/bulk-invites/:batchId/rows/:index/retry',
    { config: { role: 'inviter' } },
    async (request, reply) => {
      const { batchId, index } = parseOrReject(BatchRowParamsSchema, request.params);
      const { invite } = parseOrReject(RetryRowInputSchema, request.body);
      return idempotent(
        request,
        reply,
        { body: invite, params: { batchId, index: String(index) }, audit: null },
        async (): Promise<{ status: number; body: BulkRow }> => {
          const result = await store.retry(batchId, index, invite);
          switch (result.kind) {
            case 'not-found':
              throw new ProblemError(NOT_FOUND);
            case 'cancelled':
              throw new ProblemError({
                code: 'conflict',
                status: 409,
                title: 'This batch was cancelled',
                detail:
                  'Rows of a cancelled batch are not sent. Start a new batch for the rows you still need.',
              });
            case 'not-failed':
              throw new ProblemError({
                code: 'conflict',
                status: 409,
                title: 'Only a failed row can be retried',
                detail: `This row is ${result.state}.`,
              });
            case 'email-taken':
              throw validationProblem(
                [
                  {
                    path: ['invite', 'email'],
                    message: `This e-mail address is also on line ${result.line}.`,
                  },
                ],
                'Each address may be invited once per batch.',
              );
            case 'retried':
              jobs.kick();
              return { status: 200, body: batchRow(result.row) };
          }
        },
      );
    },
  );
}

/** Who has this address, and their latest pending invitation when they have not signed in yet. */
async function lookUp(client: AvaraClient, email: string, requestId: string) {
  const user = await findUserByEmail(client, email, { requestId });
  if (user === undefined) return null;
  let invitation = null;
  if (user.lastLoginAt === null) {
    const page = await callUpstream('list-invitations', () =>
      client.listInvitations(
        { userId: user.userId, status: ['sent'], expired: 'not-expired', limit: 20 },
        { requestId },
      ),
    );
    const latest = page.invitations.reduce<(typeof page.invitations)[number] | undefined>(
      (newest, candidate) =>
        newest === undefined || createdAtOf(candidate) > createdAtOf(newest) ? candidate : newest,
      undefined,
    );
    if (latest !== undefined)
      invitation = { invitationId: latest.invitationId, status: latest.status, expiry: latest.expiry };
  }
  return {
    userId: user.userId,
    name: `${user.firstName} ${user.lastName}`.trim(),
    lastLoginAt: user.lastLoginAt,
    invitation,
  };
}

/** When an invitation was made, for ordering (Avara may leave it out: such an invitation sorts first). */
function createdAtOf(invitation: { createdAt: string | null }): string {
  return invitation.createdAt ?? '';
}

/**
 * `task` for each item, at most `limit` at once. The first failure stops new tasks and is thrown once those running
 * have ended (a 429 or an open breaker goes back to the browser as it is, with its Retry-After).
 */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
}

function batchIdOf(payload: string): string | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (
      typeof value === 'object' &&
      value !== null &&
      'batchId' in value &&
      typeof value.batchId === 'string'
    )
      return value.batchId;
  } catch {
    // Not the summary: no Location.
  }
  return undefined;
}
