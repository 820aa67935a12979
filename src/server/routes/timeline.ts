import type { FastifyInstance } from 'fastify';
import { OUTCOME_DONE, outcomeText, technicalDetail } from '../../contract/audit-outcome.ts';
import type { OperatorRef, TimelineEvent } from '../../contract/directory.ts';
import { UserIdParamsSchema } from '../../contract/ids.ts';
import type { AvaraClient } from '../avara/client.ts';
import { callUpstream } from '../avara/upstream-problem.ts';
import { personKeys } from '../audit/person-keys.ts';
import type { AuditStore, StoredAuditRecord } from '../store/audit.ts';
import type { OperatorRecord } from '../store/operators.ts';
import { callContext, parseOrReject } from './route-helpers.ts';

/** The most audit records one timeline shows (newest first). */
export const TIMELINE_MAX_RECORDS = 500;

/** What an action did to the person, when it was done and when it was only tried. */
const ACTION_PHRASES: Readonly<Record<string, { done: string; tried: string }>> = {
  'user.invite': { done: 'Invited', tried: 'Invite tried' },
  'bulk.invite': { done: 'Invited in a batch', tried: 'Batch invite tried' },
  'user.update': { done: 'Details edited', tried: 'Edit tried' },
  'user.revoke-access': { done: 'Access revoked', tried: 'Revoking access tried' },
  'user.reactivate': { done: 'Reactivated', tried: 'Reactivating tried' },
  'invitation.update': { done: 'Invitation edited', tried: 'Invitation edit tried' },
  'invitation.revoke': { done: 'Invitation revoked', tried: 'Revoking the invitation tried' },
};

/** The operator as the timeline names them: their display name now, else the e-mail the record kept. */
function operatorOf(record: StoredAuditRecord, operators: ReadonlyMap<string, OperatorRecord>): OperatorRef {
  const known = record.operatorId === null ? undefined : operators.get(record.operatorId);
  return {
    operatorId: record.operatorId,
    name: known?.displayName || known?.email || record.operatorEmail || 'Viewer Admin command line',
  };
}

function auditEvent(
  record: StoredAuditRecord,
  operators: ReadonlyMap<string, OperatorRecord>,
): TimelineEvent {
  const operator = operatorOf(record, operators);
  const outcome = outcomeText(record);
  const phrase = ACTION_PHRASES[record.action] ?? { done: record.action, tried: record.action };
  return {
    at: new Date(record.at).toISOString(),
    source: 'dashboard',
    kind: 'audit',
    action: record.action,
    label: `${outcome.text === OUTCOME_DONE ? phrase.done : phrase.tried} by ${operator.name}`,
    operator,
    outcome: outcome.text,
    changes: record.changes,
    detail: technicalDetail(record),
    requestId: record.requestId,
  };
}

function avaraEvent(kind: 'created' | 'last-sign-in', at: string, label: string): TimelineEvent {
  return {
    at,
    source: 'avara',
    kind,
    action: null,
    label,
    operator: null,
    outcome: null,
    changes: [],
    detail: null,
    requestId: null,
  };
}

/**
 * GET /api/users/:userId/timeline: the person's history, newest first. From this dashboard's audit trail: every record
 * naming them, their invitations or (an invite that failed) their e-mail; from Avara's record, read live: created and
 * last sign-in.
 */
export function registerTimelineRoute(
  app: FastifyInstance,
  deps: { client: AvaraClient; audit: AuditStore; operators: { list(): Promise<OperatorRecord[]> } },
): void {
  app.get('/api/users/:userId/timeline', { config: { role: 'viewer' } }, async (request) => {
    const { userId } = parseOrReject(UserIdParamsSchema, request.params);
    const ctx = callContext(request);
    const user = await callUpstream('get-user', () => deps.client.getUser(userId, ctx));
    const person = await personKeys(userId, { audit: deps.audit, client: deps.client, ctx, user });
    const [records, operators] = await Promise.all([
      deps.audit.list({ person }, { limit: TIMELINE_MAX_RECORDS }),
      deps.operators.list(),
    ]);
    const byId = new Map(operators.map((operator) => [operator.id, operator]));
    const events = records.map((record) => auditEvent(record, byId));
    if (user.createdAt) events.push(avaraEvent('created', user.createdAt, 'Added to Avara'));
    if (user.lastLoginAt)
      events.push(avaraEvent('last-sign-in', user.lastLoginAt, 'Last signed in to Avara'));
    // Newest first; records of the same instant keep the trail's order (sort is stable).
    events.sort((a, b) => Date.parse(b.at ?? '') - Date.parse(a.at ?? ''));
    return { events };
  });
}
