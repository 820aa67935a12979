import * as z from 'zod/mini';
import type { AuditAction, AuditOutcome } from '../../contract/audit.ts';
import { FieldChangeSchema, type FieldChange } from '../../contract/directory.ts';
import type { SqliteDatabase } from './sqlite.ts';

/** One audit record as written. Times are milliseconds since the epoch; absent targets are null. */
export interface AuditEntry {
  at: number;
  operatorId: string | null;
  operatorEmail: string | null;
  action: AuditAction;
  targetUserId?: string | null;
  targetInvitationId?: string | null;
  targetOperatorId?: string | null;
  targetEmail?: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  upstreamStatus?: number | null;
  detail?: string | null;
  /** The client address a sign-in came from (sign-in records only). */
  clientAddress?: string | null;
}

export interface AuditCompletion {
  outcome: Exclude<AuditOutcome, 'pending'>;
  upstreamStatus?: number | null;
  detail?: string | null;
  /** Targets learnt only from the answer (the new user's id after an invite). */
  targetUserId?: string | null;
  targetInvitationId?: string | null;
  targetOperatorId?: string | null;
  /** What an edit changed (or tried to); none for other actions. */
  changes?: readonly FieldChange[] | undefined;
  at: number;
}

export interface StoredAuditRecord {
  id: number;
  at: number;
  operatorId: string | null;
  operatorEmail: string | null;
  action: string;
  targetUserId: string | null;
  targetInvitationId: string | null;
  targetOperatorId: string | null;
  targetEmail: string | null;
  requestId: string | null;
  outcome: string;
  upstreamStatus: number | null;
  detail: string | null;
  clientAddress: string | null;
  completedAt: number | null;
  changes: FieldChange[];
}

export interface AuditFilter {
  operatorId?: string | undefined;
  action?: AuditAction | undefined;
  /** Inclusive lower bound (ms). */
  fromMs?: number | undefined;
  /** Exclusive upper bound (ms). */
  toMs?: number | undefined;
  /** Records about one person: see PersonKeys. */
  person?: PersonKeys | undefined;
}

/**
 * What names one person in the audit trail: their userId, their invitations' ids (an invitation's revoke names only
 * the invitation) and their e-mail addresses (an invite that failed names only the address).
 */
export interface PersonKeys {
  userId: string;
  invitationIds: readonly string[];
  emails: readonly string[];
}

/**
 * The audit trail. `append` must succeed BEFORE the action it describes is attempted (callers refuse the action
 * when it throws); `complete` then records how it went. Records are never deleted or rewritten otherwise.
 */
export interface AuditStore {
  /** Write one record and return its id. Throws when it cannot be written. */
  append(entry: AuditEntry): Promise<number>;
  /** Record the outcome of a `pending` record. */
  complete(id: number, completion: AuditCompletion): Promise<void>;
  /** Newest first, `limit` records with ids below `beforeId` when given. */
  list(
    filter: AuditFilter,
    page: { beforeId?: number | undefined; limit: number },
  ): Promise<StoredAuditRecord[]>;
  /** The invitation ids and e-mail addresses the trail's records about this user name (see PersonKeys). */
  keysOf(userId: string): Promise<Omit<PersonKeys, 'userId'>>;
}

export const AUDIT_DETAIL_MAX = 200;
/** The longest IPv6 text form with a zone is well under this. */
export const CLIENT_ADDRESS_MAX = 64;

/** Short, single-line text: control characters (newlines included) become spaces, and long text is cut. */
export function auditText(text: string | null | undefined, max = AUDIT_DETAIL_MAX): string | null {
  if (text === null || text === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  if (clean === '') return null;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

const AuditRowSchema = z.object({
  id: z.number(),
  at: z.number(),
  operator_id: z.nullable(z.string()),
  operator_email: z.nullable(z.string()),
  action: z.string(),
  target_user_id: z.nullable(z.string()),
  target_invitation_id: z.nullable(z.string()),
  target_operator_id: z.nullable(z.string()),
  target_email: z.nullable(z.string()),
  request_id: z.nullable(z.string()),
  outcome: z.string(),
  upstream_status: z.nullable(z.number()),
  detail: z.nullable(z.string()),
  client_address: z.nullable(z.string()),
  completed_at: z.nullable(z.number()),
  changes: z.nullable(z.string()),
});

const StoredChangesSchema = z.array(FieldChangeSchema);

/** Changes as stored (JSON); a value that does not read as changes is shown as none rather than failing the page. */
function readChanges(json: string | null): FieldChange[] {
  if (json === null) return [];
  try {
    const parsed = StoredChangesSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Changes as stored: each value cut like any audit text (a name is at most 100 characters anyway). */
export function writeChanges(changes: readonly FieldChange[] | undefined): string | null {
  if (changes === undefined || changes.length === 0) return null;
  return JSON.stringify(
    changes.map((c) => ({ field: c.field, from: auditText(c.from), to: auditText(c.to) })),
  );
}

export function toRecord(row: unknown): StoredAuditRecord {
  const r = AuditRowSchema.parse(row);
  return {
    id: r.id,
    at: r.at,
    operatorId: r.operator_id,
    operatorEmail: r.operator_email,
    action: r.action,
    targetUserId: r.target_user_id,
    targetInvitationId: r.target_invitation_id,
    targetOperatorId: r.target_operator_id,
    targetEmail: r.target_email,
    requestId: r.request_id,
    outcome: r.outcome,
    upstreamStatus: r.upstream_status,
    detail: r.detail,
    clientAddress: r.client_address,
    completedAt: r.completed_at,
    changes: readChanges(r.changes),
  };
}

export function createSqliteAuditStore(db: SqliteDatabase): AuditStore {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, operator_id, operator_email, action, target_user_id, target_invitation_id,
       target_operator_id, target_email, request_id, outcome, upstream_status, detail, client_address, completed_at)
     VALUES (@at, @operatorId, @operatorEmail, @action, @targetUserId, @targetInvitationId, @targetOperatorId,
       @targetEmail, @requestId, @outcome, @upstreamStatus, @detail, @clientAddress, @completedAt)`,
  );
  const complete = db.prepare(
    `UPDATE audit_log SET outcome = @outcome, upstream_status = @upstreamStatus, detail = @detail,
       target_user_id = COALESCE(target_user_id, @targetUserId),
       target_invitation_id = COALESCE(target_invitation_id, @targetInvitationId),
       target_operator_id = COALESCE(target_operator_id, @targetOperatorId),
       changes = COALESCE(@changes, changes),
       completed_at = @at
     WHERE id = @id AND outcome = 'pending'`,
  );

  const invitationsOf = db
    .prepare(
      `SELECT DISTINCT target_invitation_id FROM audit_log
       WHERE target_user_id = ? AND target_invitation_id IS NOT NULL`,
    )
    .pluck();
  const emailsOf = db
    .prepare(
      `SELECT DISTINCT target_email FROM audit_log WHERE target_user_id = ? AND target_email IS NOT NULL`,
    )
    .pluck();
  const texts = z.array(z.string());

  return {
    async keysOf(userId) {
      return {
        invitationIds: texts.parse(invitationsOf.all(userId)),
        emails: texts.parse(emailsOf.all(userId)),
      };
    },
    async append(entry) {
      const result = insert.run({
        at: entry.at,
        operatorId: entry.operatorId,
        operatorEmail: entry.operatorEmail,
        action: entry.action,
        targetUserId: entry.targetUserId ?? null,
        targetInvitationId: entry.targetInvitationId ?? null,
        targetOperatorId: entry.targetOperatorId ?? null,
        targetEmail: entry.targetEmail ?? null,
        requestId: entry.requestId,
        outcome: entry.outcome,
        upstreamStatus: entry.upstreamStatus ?? null,
        detail: auditText(entry.detail),
        clientAddress: auditText(entry.clientAddress, CLIENT_ADDRESS_MAX),
        completedAt: entry.outcome === 'pending' ? null : entry.at,
      });
      return Number(result.lastInsertRowid);
    },
    async complete(id, completion) {
      const result = complete.run({
        id,
        outcome: completion.outcome,
        upstreamStatus: completion.upstreamStatus ?? null,
        detail: auditText(completion.detail),
        targetUserId: completion.targetUserId ?? null,
        targetInvitationId: completion.targetInvitationId ?? null,
        targetOperatorId: completion.targetOperatorId ?? null,
        changes: writeChanges(completion.changes),
        at: completion.at,
      });
      if (result.changes !== 1) throw new Error(`Audit record ${id} is not pending.`);
    },
    async list(filter, page) {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit: page.limit };
      if (filter.operatorId !== undefined) {
        where.push('operator_id = @operatorId');
        params.operatorId = filter.operatorId;
      }
      if (filter.action !== undefined) {
        where.push('action = @action');
        params.action = filter.action;
      }
      if (filter.fromMs !== undefined) {
        where.push('at >= @fromMs');
        params.fromMs = filter.fromMs;
      }
      if (filter.toMs !== undefined) {
        where.push('at < @toMs');
        params.toMs = filter.toMs;
      }
      if (filter.person !== undefined) {
        where.push(`(target_user_id = @personUserId
          OR target_invitation_id IN (SELECT value FROM json_each(@personInvitations))
          OR (action = 'user.invite' AND target_user_id IS NULL
            AND lower(target_email) IN (SELECT lower(value) FROM json_each(@personEmails))))`);
        params.personUserId = filter.person.userId;
        params.personInvitations = JSON.stringify(filter.person.invitationIds);
        params.personEmails = JSON.stringify(filter.person.emails);
      }
      if (page.beforeId !== undefined) {
        where.push('id < @beforeId');
        params.beforeId = page.beforeId;
      }
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return db.prepare(sql).all(params).map(toRecord);
    },
  };
}
