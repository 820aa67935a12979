import * as z from 'zod/mini';
import { InvitationIdSchema, UserIdSchema } from './ids.ts';
import { strictObject } from './person.ts';
import { ReadClinicRoleSchema } from './roles.ts';
import { CursorSchema, LimitSchema } from './users.ts';

export const INVITATION_STATUSES = ['sent', 'accepted', 'rejected', 'revoked'] as const;
export const InvitationStatusSchema = z.enum(
  INVITATION_STATUSES,
  'Choose sent, accepted, rejected or revoked.',
);
export type InvitationStatus = z.infer<typeof InvitationStatusSchema>;

export const EXPIRY_FILTERS = ['all', 'expired', 'not-expired'] as const;
export const ExpiryFilterSchema = z.enum(EXPIRY_FILTERS, 'Choose all, expired or not-expired.');

/** How long an invitation stays usable (the upstream's and the sandbox's rule). */
export const INVITATION_LIFETIME_DAYS = 7;

/** An invitation as read back from the upstream (tolerant of values this product does not know yet). */
export const InvitationSchema = z.object({
  invitationId: InvitationIdSchema,
  userId: UserIdSchema,
  clinicId: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  middleName: z.optional(z.nullable(z.string())),
  phoneNumber: z.optional(z.nullable(z.string())),
  suffix1: z.optional(z.nullable(z.string())),
  suffix2: z.optional(z.nullable(z.string())),
  clinicRole: ReadClinicRoleSchema,
  level: z.string(),
  hasDashboardAccess: z.boolean(),
  canManageStudies: z.boolean(),
  invitedSource: z.string(),
  inviterId: z.nullable(z.string()),
  invitedByApiKeyId: z.optional(z.nullable(z.string())),
  status: z.string(),
  expiry: z.nullable(z.string()),
  createdAt: z.nullable(z.string()),
  updatedAt: z.nullable(z.string()),
});
export type Invitation = z.infer<typeof InvitationSchema>;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const DateOnlySchema = z.string().check(
  z.regex(DATE_PATTERN, 'Enter the date as YYYY-MM-DD.'),
  z.refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'That date does not exist.'),
);

/** `status=sent,revoked` (comma format) → ['sent', 'revoked']. */
const StatusListSchema = z.pipe(
  z.pipe(
    z.string('List statuses separated by commas.'),
    z.transform((s) => [...new Set(s.split(',').map((part) => part.trim()))]),
  ),
  z.array(InvitationStatusSchema).check(z.minLength(1)),
);

/** GET /v1/viewer/users/invitations and GET /api/invitations. */
export const ListInvitationsQuerySchema = strictObject({
  cursor: z.optional(CursorSchema),
  limit: z.optional(LimitSchema),
  status: z.optional(StatusListSchema),
  expired: z.optional(ExpiryFilterSchema),
  startDate: z.optional(DateOnlySchema),
  endDate: z.optional(DateOnlySchema),
  userId: z.optional(UserIdSchema),
}).check(
  z.refine((q) => !q.startDate || !q.endDate || q.startDate <= q.endDate, {
    message: 'The start date must be on or before the end date.',
    path: ['endDate'],
  }),
);
export type ListInvitationsQuery = z.output<typeof ListInvitationsQuerySchema>;

export const InvitationPageSchema = z.object({
  invitations: z.array(InvitationSchema),
  cursor: z.optional(z.nullable(z.string())),
  hasMore: z.boolean(),
});
export type InvitationPage = z.infer<typeof InvitationPageSchema>;

/** Upstream body for POST /v1/viewer/users/invitations/revoke: at least one of the two ids. */
export const RevokeInvitationBodySchema = strictObject({
  invitationId: z.optional(InvitationIdSchema),
  userId: z.optional(UserIdSchema),
}).check(
  z.refine((b) => b.invitationId !== undefined || b.userId !== undefined, {
    message: 'Name the invitation (invitationId) or the user (userId) to revoke.',
    path: ['invitationId'],
  }),
);
