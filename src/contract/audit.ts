import * as z from 'zod/mini';
import { FieldChangeSchema, type FieldChange } from './directory.ts';
import { UserIdSchema } from './ids.ts';
import { strictObject } from './person.ts';
import { queryInteger } from './query.ts';
import { usableText } from './text.ts';
import { OperatorIdSchema, ROLE_LABELS } from './session.ts';
import type { OperatorRole } from './session.ts';

/** The audit trail: who invited or changed whom, when, and how it went. GET /api/audit and /api/audit.csv. */

export const AUDIT_ACTIONS = [
  'user.invite',
  'bulk.invite',
  'user.update',
  'user.revoke-access',
  'user.reactivate',
  'invitation.update',
  'invitation.revoke',
  'session.sign-in',
  'session.sign-out',
  'session.password-change',
  'session.sign-in-paused',
  'operator.add',
  'operator.disable',
  'operator.enable',
  'operator.reset-password',
  'operator.role-change',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS, 'Choose one of the listed actions.');
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** What the operator reads for each action in the Activity screen. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'user.invite': 'Invited a user',
  'bulk.invite': 'Invited many people (a batch)',
  'user.update': 'Edited a user',
  'user.revoke-access': 'Revoked access',
  'user.reactivate': 'Reactivated a user',
  'invitation.update': 'Edited an invitation',
  'invitation.revoke': 'Revoked an invitation',
  'session.sign-in': 'Signed in',
  'session.sign-out': 'Signed out',
  'session.password-change': 'Changed password',
  'session.sign-in-paused': 'Sign-in paused after failed attempts',
  'operator.add': 'Added an operator',
  'operator.disable': 'Disabled an operator',
  'operator.enable': 'Enabled an operator',
  'operator.reset-password': 'Reset an operator password',
  'operator.role-change': "Changed an operator's role",
};

/**
 * `pending`: written before the upstream call, not completed (yet): the process stopped or is still waiting.
 * `refused`: refused before anything was sent (rate limit, rule, validation upstream would also refuse).
 */
export const AUDIT_OUTCOMES = ['success', 'failure', 'refused', 'pending'] as const;
export const AuditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditRecordSchema = z.object({
  id: z.string(),
  at: z.string(),
  operatorId: z.nullable(z.string()),
  operatorEmail: z.nullable(z.string()),
  action: z.string(),
  targetUserId: z.nullable(z.string()),
  targetInvitationId: z.nullable(z.string()),
  targetOperatorId: z.nullable(z.string()),
  targetEmail: z.nullable(z.string()),
  requestId: z.nullable(z.string()),
  outcome: z.string(),
  upstreamStatus: z.nullable(z.number()),
  detail: z.nullable(z.string()),
  /** Where a sign-in (or a pause of signing in) came from; null for other actions. */
  clientAddress: z.nullable(z.string()),
  /** What an edit changed (or tried to): each field with its value before and after; empty for other actions. */
  changes: z.array(FieldChangeSchema),
  /** The person the record is about ("First Last"), when the BFF knows them by its userId or invitationId. */
  targetName: z.nullable(z.string()),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** The editable fields of a person as an administrator reads them in a change ("Role: Radiologist → Cardiologist"). */
export const CHANGE_FIELD_LABELS: Readonly<Record<string, string>> = {
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  suffix1: 'First suffix',
  suffix2: 'Second suffix',
  phoneNumber: 'Phone',
  clinicRole: 'Role',
  level: 'Level',
  hasDashboardAccess: 'Dashboard access',
  canManageStudies: 'Can manage studies',
  /** An operator's role in Viewer Admin (operator.role-change). */
  operatorRole: 'Operator role',
};

const CHANGE_VALUE_LABELS: Readonly<Record<string, string>> = {
  true: 'Yes',
  false: 'No',
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
};

/** One value of a change as text: yes/no for switches, the level's name, "(empty)" for a cleared field. */
export function changeValueText(field: string, value: string | null): string {
  if (value === null || value === '') return '(empty)';
  if (field === 'operatorRole') return ROLE_LABELS[value as OperatorRole] ?? value;
  const named = field === 'level' || field.startsWith('has') || field.startsWith('can');
  return (named ? CHANGE_VALUE_LABELS[value] : undefined) ?? value;
}

/** "Role: Radiologist → Cardiologist". */
export function changeText(change: FieldChange): string {
  const label = CHANGE_FIELD_LABELS[change.field] ?? change.field;
  return `${label}: ${changeValueText(change.field, change.from)} → ${changeValueText(change.field, change.to)}`;
}

export const AuditPageSchema = z.object({
  records: z.array(AuditRecordSchema),
  cursor: z.nullable(z.string()),
  hasMore: z.boolean(),
});

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const AuditDateSchema = z.string().check(
  z.regex(DATE_PATTERN, 'Enter the date as YYYY-MM-DD.'),
  z.refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'That date does not exist.'),
);

export const AUDIT_PAGE_DEFAULT = 50;

const AuditLimitSchema = queryInteger('page size', 1, 100);

/** Filters shared by GET /api/audit and /api/audit.csv: dates are whole UTC days, both ends included. */
const auditFilterFields = {
  operatorId: z.optional(OperatorIdSchema),
  /** Records about one person: their userId, their invitations, and failed invites of their e-mail. */
  userId: z.optional(UserIdSchema),
  action: z.optional(AuditActionSchema),
  from: z.optional(AuditDateSchema),
  to: z.optional(AuditDateSchema),
};
function fromBeforeTo<T extends { from?: string | undefined; to?: string | undefined }>() {
  return z.refine<T>((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'The start date must be on or before the end date.',
    path: ['to'],
  });
}

export const AuditQuerySchema = strictObject({
  ...auditFilterFields,
  cursor: z.optional(
    z
      .string()
      .check(usableText('page link'), z.minLength(1), z.maxLength(64, 'That page link is not valid.')),
  ),
  limit: z.optional(AuditLimitSchema),
}).check(fromBeforeTo());

export const AuditCsvQuerySchema = strictObject(auditFilterFields).check(fromBeforeTo());
export type AuditCsvQuery = z.output<typeof AuditCsvQuerySchema>;
