import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AUDIT_PAGE_DEFAULT,
  AuditCsvQuerySchema,
  AuditQuerySchema,
  type AuditRecord,
} from '../../contract/audit.ts';
import { csvHeader, csvRow } from '../audit/csv.ts';
import { ProblemError } from '../problems.ts';
import type { AvaraClient } from '../avara/client.ts';
import type { PersonNames } from '../audit/person-names.ts';
import { personKeys } from '../audit/person-keys.ts';
import type { AuditFilter, AuditStore, PersonKeys, StoredAuditRecord } from '../store/audit.ts';
import { callContext, flattenQuery, parseOrReject } from './route-helpers.ts';

/** Most rows one CSV export holds (newest first); narrow the dates for older ones. */
export const AUDIT_CSV_MAX_ROWS = 50_000;

export function toAuditRecord(r: StoredAuditRecord, names: ReadonlyMap<string, string>): AuditRecord {
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    operatorId: r.operatorId,
    operatorEmail: r.operatorEmail,
    action: r.action,
    targetUserId: r.targetUserId,
    targetInvitationId: r.targetInvitationId,
    targetOperatorId: r.targetOperatorId,
    targetEmail: r.targetEmail,
    requestId: r.requestId,
    outcome: r.outcome,
    upstreamStatus: r.upstreamStatus,
    detail: r.detail,
    clientAddress: r.clientAddress,
    changes: r.changes,
    targetName:
      (r.targetUserId === null ? undefined : names.get(r.targetUserId)) ??
      (r.targetInvitationId === null ? undefined : names.get(r.targetInvitationId)) ??
      null,
  };
}

export function encodeAuditCursor(id: number): string {
  return Buffer.from(`audit:${id}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string): number {
  const match = /^audit:([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new ProblemError({
      code: 'validation',
      status: 400,
      title: 'Some details need attention',
      detail: 'That page link is not valid. Start again from the first page.',
      errors: [{ path: 'cursor', message: 'That page link is not valid.' }],
    });
  }
  return Number(match[1]);
}

const DAY_MS = 86_400_000;

/** The names of the people these records are about, in one lookup. */
async function namesFor(
  rows: readonly StoredAuditRecord[],
  names: PersonNames,
): Promise<ReadonlyMap<string, string>> {
  const userIds = new Set<string>();
  const invitationIds = new Set<string>();
  for (const row of rows) {
    if (row.targetUserId !== null) userIds.add(row.targetUserId);
    if (row.targetInvitationId !== null) invitationIds.add(row.targetInvitationId);
  }
  if (userIds.size === 0 && invitationIds.size === 0) return new Map();
  return names({ userIds: [...userIds], invitationIds: [...invitationIds] });
}

async function toRecords(rows: readonly StoredAuditRecord[], names: PersonNames): Promise<AuditRecord[]> {
  const known = await namesFor(rows, names);
  return rows.map((row) => toAuditRecord(row, known));
}

function toFilter(
  query: {
    operatorId?: string;
    action?: AuditFilter['action'];
    from?: string;
    to?: string;
  },
  person: PersonKeys | undefined,
): AuditFilter {
  return {
    person,
    operatorId: query.operatorId,
    action: query.action,
    fromMs: query.from === undefined ? undefined : Date.parse(`${query.from}T00:00:00Z`),
    // "to" is a whole day, included.
    toMs: query.to === undefined ? undefined : Date.parse(`${query.to}T00:00:00Z`) + DAY_MS,
  };
}

/** GET /api/audit (newest first, cursor paged) and GET /api/audit.csv (the same filters, as a download). */
export function registerAuditRoutes(
  app: FastifyInstance,
  { audit, client, names }: { audit: AuditStore; client: AvaraClient; names: PersonNames },
): void {
  /** With `userId`: the records about that person (their invitations from Avara when it answers, else the trail's). */
  const personOf = async (request: FastifyRequest, userId: string | undefined) =>
    userId === undefined
      ? undefined
      : personKeys(userId, { audit, client, ctx: callContext(request), bestEffort: true });

  app.get('/api/audit', { config: { query: true, role: 'administrator' } }, async (request) => {
    const query = parseOrReject(AuditQuerySchema, flattenQuery(request.query));
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const beforeId = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
    const filter = toFilter(query, await personOf(request, query.userId));
    const rows = await audit.list(filter, { beforeId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const last = page.at(-1);
    return {
      records: await toRecords(page, names),
      cursor: hasMore && last ? encodeAuditCursor(last.id) : null,
      hasMore,
    };
  });

  app.get('/api/audit.csv', { config: { query: true, role: 'administrator' } }, async (request, reply) => {
    const query = parseOrReject(AuditCsvQuerySchema, flattenQuery(request.query));
    const filter = toFilter(query, await personOf(request, query.userId));
    const parts = [csvHeader()];
    let beforeId: number | undefined;
    let count = 0;
    while (count < AUDIT_CSV_MAX_ROWS) {
      const rows = await audit.list(filter, { beforeId, limit: Math.min(1000, AUDIT_CSV_MAX_ROWS - count) });
      for (const record of await toRecords(rows, names)) parts.push(csvRow(record));
      count += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < 1000) break;
      beforeId = last.id;
    }
    const day = new Date().toISOString().slice(0, 10);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="viewer-admin-activity-${day}.csv"`);
    return reply.send(`\uFEFF${parts.join('')}`);
  });
}
