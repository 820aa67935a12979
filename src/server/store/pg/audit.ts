import * as z from 'zod/mini';
import {
  CLIENT_ADDRESS_MAX,
  auditText,
  toRecord as auditRecordFromRow,
  writeChanges,
  type AuditStore,
} from '../audit.ts';
import type { PostgresDatabase } from './database.ts';

const texts = z.array(z.string());

/** The audit trail in PostgreSQL: ids from one sequence, so every instance's records page together newest first. */
export function createPostgresAuditStore(db: PostgresDatabase): AuditStore {
  return {
    async keysOf(userId) {
      const invitations = await db.query<{ id: string }>(
        `SELECT DISTINCT target_invitation_id AS id FROM audit_log
         WHERE target_user_id = $1 AND target_invitation_id IS NOT NULL`,
        [userId],
      );
      const emails = await db.query<{ email: string }>(
        `SELECT DISTINCT target_email AS email FROM audit_log
         WHERE target_user_id = $1 AND target_email IS NOT NULL`,
        [userId],
      );
      return {
        invitationIds: texts.parse(invitations.rows.map((r) => r.id)),
        emails: texts.parse(emails.rows.map((r) => r.email)),
      };
    },
    async append(entry) {
      const result = await db.query<{ id: number }>(
        `INSERT INTO audit_log (at, operator_id, operator_email, action, target_user_id, target_invitation_id,
           target_operator_id, target_email, request_id, outcome, upstream_status, detail, client_address,
           completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         RETURNING id`,
        [
          entry.at,
          entry.operatorId,
          entry.operatorEmail,
          entry.action,
          entry.targetUserId ?? null,
          entry.targetInvitationId ?? null,
          entry.targetOperatorId ?? null,
          entry.targetEmail ?? null,
          entry.requestId,
          entry.outcome,
          entry.upstreamStatus ?? null,
          auditText(entry.detail),
          auditText(entry.clientAddress, CLIENT_ADDRESS_MAX),
          entry.outcome === 'pending' ? null : entry.at,
        ],
      );
      return z.number().parse(result.rows[0]?.id);
    },
    async complete(id, completion) {
      const result = await db.query(
        `UPDATE audit_log SET outcome = $2, upstream_status = $3, detail = $4,
           target_user_id = COALESCE(target_user_id, $5),
           target_invitation_id = COALESCE(target_invitation_id, $6),
           target_operator_id = COALESCE(target_operator_id, $7),
           changes = COALESCE($8, changes),
           completed_at = $9
         WHERE id = $1 AND outcome = 'pending'`,
        [
          id,
          completion.outcome,
          completion.upstreamStatus ?? null,
          auditText(completion.detail),
          completion.targetUserId ?? null,
          completion.targetInvitationId ?? null,
          completion.targetOperatorId ?? null,
          writeChanges(completion.changes),
          completion.at,
        ],
      );
      if (result.rowCount !== 1) throw new Error(`Audit record ${id} is not pending.`);
    },
    async list(filter, page) {
      const where: string[] = [];
      const values: unknown[] = [];
      const param = (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      };
      if (filter.operatorId !== undefined) where.push(`operator_id = ${param(filter.operatorId)}`);
      if (filter.action !== undefined) where.push(`action = ${param(filter.action)}`);
      if (filter.fromMs !== undefined) where.push(`at >= ${param(filter.fromMs)}`);
      if (filter.toMs !== undefined) where.push(`at < ${param(filter.toMs)}`);
      if (filter.person !== undefined) {
        where.push(`(target_user_id = ${param(filter.person.userId)}
          OR target_invitation_id = ANY(${param(filter.person.invitationIds)}::text[])
          OR (action = 'user.invite' AND target_user_id IS NULL
            AND lower(target_email) IN (SELECT lower(e) FROM unnest(${param(filter.person.emails)}::text[]) e)))`);
      }
      if (page.beforeId !== undefined) where.push(`id < ${param(page.beforeId)}`);
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT ${param(page.limit)}`;
      return (await db.query(sql, values)).rows.map(auditRecordFromRow);
    },
  };
}
