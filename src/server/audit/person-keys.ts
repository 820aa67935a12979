import type { User } from '../../contract/users.ts';
import type { AvaraClient, CallContext } from '../avara/client.ts';
import { callUpstream } from '../avara/upstream-problem.ts';
import type { AuditStore, PersonKeys } from '../store/audit.ts';

/** At most this many invitations of one person are looked up in Avara (a person has a handful at most). */
const INVITATIONS_MAX = 100;

/**
 * What names a person in the audit trail: their invitations' ids and e-mail addresses, from Avara (`user` when it was
 * just read, and their invitations) and from the trail's own records about them. Without Avara (`client` null, or
 * when it fails and `bestEffort`), what the trail knows.
 */
export async function personKeys(
  userId: string,
  deps: {
    audit: AuditStore;
    client: AvaraClient | null;
    ctx: CallContext;
    user?: User;
    bestEffort?: boolean;
  },
): Promise<PersonKeys> {
  const known = await deps.audit.keysOf(userId);
  const invitationIds = new Set(known.invitationIds);
  const emails = new Set(known.emails);
  if (deps.user) emails.add(deps.user.email);
  if (deps.client !== null) {
    const client = deps.client;
    try {
      const page = await callUpstream('list-invitations', () =>
        client.listInvitations({ userId, limit: INVITATIONS_MAX }, deps.ctx),
      );
      for (const invitation of page.invitations) {
        invitationIds.add(invitation.invitationId);
        emails.add(invitation.email);
      }
    } catch (error) {
      if (!deps.bestEffort) throw error;
    }
  }
  return { userId, invitationIds: [...invitationIds], emails: [...emails] };
}
