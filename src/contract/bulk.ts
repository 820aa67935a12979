import * as z from 'zod/mini';
import { UserIdSchema } from './ids.ts';
import { EmailSchema, strictObject } from './person.ts';
import { queryInteger } from './query.ts';
import { InviteUserInputSchema } from './users.ts';

/**
 * Inviting many people at once. The browser reads a spreadsheet (pasted cells or a .csv file), matches its columns to
 * the invite's fields, checks every row with the single invite's schema and looks each e-mail up (POST
 * /api/invites/check, nothing sent), then hands the BFF a batch: the rows to invite and the rows it skips, with each
 * row's original cells (for the results file). The BFF sends the rows itself, as a job in its database, at most the
 * upstream concurrency at a time, resuming after a restart; the browser follows it by its address.
 */

export const BULK_MAX_ROWS = 1000;
export const BULK_MAX_COLUMNS = 40;
/** The largest batch the BFF accepts, in bytes of JSON (the largest spreadsheet: 2 MB, with room for JSON quoting). */
export const BULK_MAX_BODY_BYTES = 3 * 1024 * 1024;
export const BULK_CELL_MAX = 2000;

export const BATCH_ID_PATTERN = /^bat_[0-9a-f]{32}$/;
export const BatchIdSchema = z
  .string()
  .check(z.regex(BATCH_ID_PATTERN, 'A batch id looks like bat_ followed by 32 characters 0-9 and a-f.'));
export const BatchIdParamsSchema = strictObject({ batchId: BatchIdSchema });
export const BatchRowParamsSchema = strictObject({
  batchId: BatchIdSchema,
  index: queryInteger('row', 0, BULK_MAX_ROWS - 1),
});

/** Why a row of the file is not sent. */
export const SKIP_REASONS = ['existing-user', 'pending-invitation', 'needs-fix', 'duplicate'] as const;
export const SkipReasonSchema = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReasonSchema>;

const CellSchema = z
  .string()
  .check(z.maxLength(BULK_CELL_MAX, `Keep each cell to ${BULK_CELL_MAX} characters or fewer.`));

/** One row of the file: its line number and cells, and either the invite to send or why it is skipped. */
export const BulkRowInputSchema = strictObject({
  /** The row's line in the file (1 is the header), for the admin to find it. */
  line: z.int().check(z.minimum(1), z.maximum(1_000_000)),
  cells: z.array(CellSchema).check(z.maxLength(BULK_MAX_COLUMNS)),
  invite: z.optional(InviteUserInputSchema),
  skip: z.optional(
    strictObject({
      reason: SkipReasonSchema,
      /** Who already has the e-mail, when known. */
      userId: z.optional(UserIdSchema),
      message: z.string().check(z.minLength(1), z.maxLength(500)),
    }),
  ),
}).check(
  z.refine((row) => (row.invite === undefined) !== (row.skip === undefined), {
    message: 'Each row is either invited or skipped.',
  }),
);
export type BulkRowInput = z.input<typeof BulkRowInputSchema>;

/** POST /api/bulk-invites: a new batch. */
export const CreateBulkInviteInputSchema = strictObject({
  columns: z.array(CellSchema).check(z.minLength(1), z.maxLength(BULK_MAX_COLUMNS)),
  rows: z
    .array(BulkRowInputSchema)
    .check(
      z.minLength(1, 'Add at least one row.'),
      z.maxLength(BULK_MAX_ROWS, `A batch holds at most ${BULK_MAX_ROWS} rows.`),
    ),
}).check(
  z.refine((batch) => batch.rows.some((row) => row.invite !== undefined), {
    message: 'There is no row to invite: every row is skipped.',
    path: ['rows'],
  }),
  z.superRefine((batch, ctx) => {
    const seen = new Map<string, number>();
    batch.rows.forEach((row, index) => {
      if (row.invite === undefined) return;
      const first = seen.get(row.invite.email);
      if (first === undefined) seen.set(row.invite.email, index);
      else
        ctx.issues.push({
          code: 'custom',
          message: `This e-mail address is also on line ${batch.rows[first]?.line ?? first + 1}.`,
          path: ['rows', index, 'invite', 'email'],
          input: row.invite.email,
        });
    });
  }),
);
export type CreateBulkInviteInput = z.input<typeof CreateBulkInviteInputSchema>;

export const ROW_STATES = ['waiting', 'sending', 'sent', 'failed', 'skipped', 'cancelled'] as const;
export const RowStateSchema = z.enum(ROW_STATES);
export type RowState = z.infer<typeof RowStateSchema>;

/**
 * `running`: rows are being sent. `paused`: Avara asked us to wait (429) or is not answering (the circuit breaker), until
 * `pausedUntil`. `cancelled`: no more rows are sent (one already on its way finishes). `finished`: every row is done.
 */
export const BATCH_STATES = ['running', 'paused', 'cancelled', 'finished'] as const;
export const BatchStateSchema = z.enum(BATCH_STATES);
export type BatchState = z.infer<typeof BatchStateSchema>;

export const BulkRowSchema = z.object({
  index: z.int(),
  line: z.int(),
  cells: z.array(z.string()),
  email: z.nullable(z.string()),
  state: RowStateSchema,
  /** The invited person (sent), or who already has the e-mail (skipped, failed as a duplicate). */
  userId: z.nullable(z.string()),
  /** What happened, for the admin (why it failed or was skipped). */
  message: z.nullable(z.string()),
  /** The request id to quote about a failed row. */
  requestId: z.nullable(z.string()),
  /** The row's invite as it will be (or was last) sent, for a failed row to be corrected; null for a skipped row. */
  invite: z.nullable(InviteUserInputSchema),
  version: z.int(),
});
export type BulkRow = z.infer<typeof BulkRowSchema>;

export const RowCountsSchema = z.object({
  waiting: z.int(),
  sending: z.int(),
  sent: z.int(),
  failed: z.int(),
  skipped: z.int(),
  cancelled: z.int(),
});
export type RowCounts = z.infer<typeof RowCountsSchema>;

export const BulkBatchSummarySchema = z.object({
  batchId: z.string(),
  createdAt: z.string(),
  createdBy: z.object({ operatorId: z.string(), email: z.string(), displayName: z.string() }),
  state: BatchStateSchema,
  total: z.int(),
  counts: RowCountsSchema,
  pausedUntil: z.nullable(z.string()),
  finishedAt: z.nullable(z.string()),
  /** Grows with every change to the batch or a row: ask for `?since=` it to get only what changed. */
  version: z.int(),
});
export type BulkBatchSummary = z.infer<typeof BulkBatchSummarySchema>;

/** GET /api/bulk-invites/:batchId (rows changed since `since`, or all). */
export const BulkBatchSchema = z.object({
  ...BulkBatchSummarySchema.shape,
  columns: z.array(z.string()),
  rows: z.array(BulkRowSchema),
});
export type BulkBatch = z.infer<typeof BulkBatchSchema>;

export const BulkBatchQuerySchema = strictObject({ since: z.optional(queryInteger('since', 0, 2 ** 52)) });

/** GET /api/bulk-invites: the most recent batches, newest first. */
export const BulkBatchListSchema = z.object({ batches: z.array(BulkBatchSummarySchema) });

/** POST /api/bulk-invites/:batchId/rows/:index/retry: a failed row again, as the admin corrected it. */
export const RetryRowInputSchema = strictObject({ invite: InviteUserInputSchema });

/** POST /api/invites/check: who already has these e-mail addresses (nothing is sent). */
export const INVITE_CHECK_MAX = 50;
export const InviteCheckInputSchema = strictObject({
  emails: z
    .array(EmailSchema)
    .check(
      z.minLength(1),
      z.maxLength(INVITE_CHECK_MAX, `Check at most ${INVITE_CHECK_MAX} addresses at a time.`),
    ),
});
export const InviteCheckResultSchema = z.object({
  results: z.array(
    z.object({
      email: z.string(),
      existing: z.nullable(
        z.object({
          userId: z.string(),
          name: z.string(),
          lastLoginAt: z.nullable(z.string()),
          /** The person's latest invitation, when they have not signed in yet. */
          invitation: z.nullable(
            z.object({ invitationId: z.string(), status: z.string(), expiry: z.nullable(z.string()) }),
          ),
        }),
      ),
    }),
  ),
});
export type InviteCheckResult = z.infer<typeof InviteCheckResultSchema>;
