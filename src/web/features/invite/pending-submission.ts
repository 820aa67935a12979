import * as z from 'zod/mini';
import { LevelSchema } from '../../../contract/person.ts';
import { ClinicRoleSchema } from '../../../contract/roles.ts';
import type { InviteUserInput } from '../../../contract/users.ts';
import { readSession, sessionKeyStorage, writeSession } from '../../lib/idempotency.ts';
import type { KeyStorage } from '../../lib/idempotency.ts';

/**
 * The invitation being sent, kept in this tab's sessionStorage from the moment it is submitted until Avara's answer
 * says it went out: after a reload (or a crash of the page) the form comes back with what was typed, and sending it
 * again reuses the submission's Idempotency-Key, so it can never invite the person twice.
 */

const VALUES_ITEM = 'viewer-admin.invite.pending';
export const INVITE_SUBMISSION_SCOPE = 'invite';

/** The form's own values as typed (not parsed: the form is restored exactly). Unknown fields are dropped. */
const PendingValuesSchema = z.object({
  firstName: z.optional(z.string()),
  middleName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  suffix1: z.optional(z.string()),
  suffix2: z.optional(z.string()),
  email: z.optional(z.string()),
  phoneNumber: z.optional(z.string()),
  clinicRole: z.optional(ClinicRoleSchema),
  level: z.optional(LevelSchema),
  hasDashboardAccess: z.optional(z.boolean()),
  canManageStudies: z.optional(z.boolean()),
});
export type PendingInviteValues = z.infer<typeof PendingValuesSchema>;

export const inviteKeyStorage: KeyStorage = sessionKeyStorage();

export function savePendingInvite(values: Partial<InviteUserInput>): void {
  writeSession(VALUES_ITEM, values);
}

export function loadPendingInvite(): PendingInviteValues | undefined {
  const parsed = PendingValuesSchema.safeParse(readSession(VALUES_ITEM));
  return parsed.success ? parsed.data : undefined;
}

/** The invitation went out (or the operator started over): forget the values and the key. */
export function clearPendingInvite(): void {
  writeSession(VALUES_ITEM, undefined);
  inviteKeyStorage.clear(INVITE_SUBMISSION_SCOPE);
}
