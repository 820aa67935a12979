import * as z from 'zod/mini';
import { UserIdSchema } from './ids.ts';
import { ClinicRoleSchema, ReadClinicRoleSchema } from './roles.ts';
import {
  ADMIN_NEEDS_DASHBOARD,
  DashboardAccessSchema,
  EmailSchema,
  InvitedSourceSchema,
  LevelSchema,
  ManageStudiesSchema,
  NAME_MAX,
  ReadLevelSchema,
  SUFFIX_MAX,
  breaksAdminRule,
  clearablePhone,
  clearableText,
  optionalPhone,
  optionalText,
  requiredName,
  strictObject,
} from './person.ts';
import { queryInteger } from './query.ts';
import { usableText } from './text.ts';

/** A user as read back from the upstream: tolerant of roles and levels this product does not know yet. */
export const UserSchema = z.object({
  userId: UserIdSchema,
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  middleName: z.optional(z.nullable(z.string())),
  suffix1: z.optional(z.nullable(z.string())),
  suffix2: z.optional(z.nullable(z.string())),
  phoneNumber: z.optional(z.nullable(z.string())),
  clinicRole: ReadClinicRoleSchema,
  level: z.string(),
  hasDashboardAccess: z.boolean(),
  canManageStudies: z.boolean(),
  invitedSource: z.string(),
  createdAt: z.nullable(z.string()),
  lastLoginAt: z.nullable(z.string()),
});
export type User = z.infer<typeof UserSchema>;

const inviteFields = {
  firstName: requiredName('first name'),
  middleName: optionalText('middle name', NAME_MAX),
  lastName: requiredName('last name'),
  suffix1: optionalText('first suffix', SUFFIX_MAX),
  suffix2: optionalText('second suffix', SUFFIX_MAX),
  email: EmailSchema,
  phoneNumber: optionalPhone,
  clinicRole: ClinicRoleSchema,
  level: LevelSchema,
  hasDashboardAccess: DashboardAccessSchema,
  canManageStudies: ManageStudiesSchema,
};

/** Invite (POST /v1/viewer/users and POST /api/users): the one schema the form, the BFF and the sandbox use. */
export const InviteUserInputSchema = strictObject(inviteFields).check(
  z.refine((v) => !breaksAdminRule(v), { message: ADMIN_NEEDS_DASHBOARD, path: ['hasDashboardAccess'] }),
);
export type InviteUserInput = z.input<typeof InviteUserInputSchema>;
export type InviteUser = z.output<typeof InviteUserInputSchema>;

const updateFields = {
  firstName: z.optional(requiredName('first name')),
  middleName: clearableText('middle name', NAME_MAX),
  lastName: z.optional(requiredName('last name')),
  suffix1: clearableText('first suffix', SUFFIX_MAX),
  suffix2: clearableText('second suffix', SUFFIX_MAX),
  phoneNumber: clearablePhone,
  clinicRole: z.optional(ClinicRoleSchema),
  level: z.optional(LevelSchema),
  hasDashboardAccess: z.optional(DashboardAccessSchema),
  canManageStudies: z.optional(ManageStudiesSchema),
};

export const NOTHING_TO_CHANGE = 'Change at least one field before saving.';

/**
 * Update (PATCH user or pending invitation): only the fields sent change; email cannot change; the four optional
 * text fields may be null (or blank) to clear them. The admin rule is checked here on the patch itself and again by
 * `mergeUpdate` + `breaksAdminRule` on the merged result, which needs the stored record.
 */
export const UpdateUserInputSchema = strictObject(updateFields).check(
  z.refine((v) => Object.values(v).some((value) => value !== undefined), {
    message: NOTHING_TO_CHANGE,
    path: [],
  }),
  z.refine((v) => !breaksAdminRule(v), { message: ADMIN_NEEDS_DASHBOARD, path: ['hasDashboardAccess'] }),
);
export type UpdateUser = z.output<typeof UpdateUserInputSchema>;

/** The stored record with the patch applied (null clears, undefined keeps). */
export function mergeUpdate<T extends { level: string; hasDashboardAccess: boolean }>(
  current: T,
  patch: UpdateUser,
): T {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...current, ...changes };
}

const queryText = (label: string) =>
  z
    .string()
    .check(
      z.trim(),
      usableText(label),
      z.minLength(1, `Enter a ${label} to search for.`),
      z.maxLength(NAME_MAX),
    );

export const LimitSchema = queryInteger('page size', 1, 100);

export const CursorSchema = z
  .string()
  .check(usableText('page link'), z.minLength(1), z.maxLength(1024, 'That page link is not valid.'));

/** GET /v1/viewer/users and GET /api/users (the BFF uses the upstream's parameter names). */
export const ListUsersQuerySchema = strictObject({
  cursor: z.optional(CursorSchema),
  limit: z.optional(LimitSchema),
  email: z.optional(EmailSchema),
  firstName: z.optional(queryText('first name')),
  lastName: z.optional(queryText('last name')),
  level: z.optional(ReadLevelSchema),
  invitedSource: z.optional(InvitedSourceSchema),
});
export type ListUsersQuery = z.output<typeof ListUsersQuerySchema>;

export const UserPageSchema = z.object({
  users: z.array(UserSchema),
  cursor: z.optional(z.nullable(z.string())),
  hasMore: z.boolean(),
});
export type UserPage = z.infer<typeof UserPageSchema>;

/** Upstream bodies for POST /v1/viewer/users/revoke-access and /reactivate. */
export const UserActionBodySchema = strictObject({ userId: UserIdSchema });

export const ActionResultSchema = z.object({ success: z.boolean(), message: z.optional(z.string()) });
export type ActionResult = z.infer<typeof ActionResultSchema>;
