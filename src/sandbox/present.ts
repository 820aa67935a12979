import type { Invitation } from '../contract/invitations.ts';
import type { User } from '../contract/users.ts';
import type { PersonFields, StoredInvitation, StoredUser } from './store.ts';

/** Stored records as the upstream puts them on the wire. */

/** User objects leave absent optional fields out (they are never `null` on a user). */
export function presentUser(user: StoredUser): User {
  return {
    userId: user.userId,
    email: user.email,
    firstName: user.firstName,
    ...(user.middleName !== null && { middleName: user.middleName }),
    lastName: user.lastName,
    ...(user.suffix1 !== null && { suffix1: user.suffix1 }),
    ...(user.suffix2 !== null && { suffix2: user.suffix2 }),
    ...(user.phoneNumber !== null && { phoneNumber: user.phoneNumber }),
    clinicRole: user.clinicRole,
    level: user.level,
    hasDashboardAccess: user.hasDashboardAccess,
    canManageStudies: user.canManageStudies,
    invitedSource: user.invitedSource,
    createdAt: user.timesRecorded ? user.createdAt : null,
    lastLoginAt: user.lastLoginAt,
  };
}

/** Invitation objects carry the optional fields as `null` when absent. */
export function presentInvitation(invitation: StoredInvitation): Invitation {
  return {
    invitationId: invitation.invitationId,
    userId: invitation.userId,
    clinicId: invitation.clinicId,
    email: invitation.email,
    firstName: invitation.firstName,
    middleName: invitation.middleName,
    lastName: invitation.lastName,
    suffix1: invitation.suffix1,
    suffix2: invitation.suffix2,
    phoneNumber: invitation.phoneNumber,
    clinicRole: invitation.clinicRole,
    level: invitation.level,
    hasDashboardAccess: invitation.hasDashboardAccess,
    canManageStudies: invitation.canManageStudies,
    invitedSource: invitation.invitedSource,
    inviterId: invitation.inviterId,
    invitedByApiKeyId: invitation.invitedByApiKeyId,
    status: invitation.status,
    expiry: invitation.expiry,
    createdAt: invitation.timesRecorded ? invitation.createdAt : null,
    updatedAt: invitation.timesRecorded ? invitation.updatedAt : null,
  };
}

/** The shared person fields of a stored user or invitation (what an update merges into). */
export function personOf(record: PersonFields): PersonFields {
  return {
    firstName: record.firstName,
    middleName: record.middleName,
    lastName: record.lastName,
    suffix1: record.suffix1,
    suffix2: record.suffix2,
    phoneNumber: record.phoneNumber,
    clinicRole: record.clinicRole,
    level: record.level,
    hasDashboardAccess: record.hasDashboardAccess,
    canManageStudies: record.canManageStudies,
  };
}

/** Pending: still `sent` and not past its expiry. */
export function isPending(invitation: Pick<StoredInvitation, 'status' | 'expiry'>, now: Date): boolean {
  return invitation.status === 'sent' && !isPastExpiry(invitation, now);
}

export function isPastExpiry(invitation: Pick<StoredInvitation, 'expiry'>, now: Date): boolean {
  return invitation.expiry !== null && invitation.expiry < now.toISOString();
}
