import type { ListInvitationsQuery } from '../../../contract/invitations.ts';

/** Query keys for invitations (the Invitations screen lands with its own issue). */
export const invitationKeys = {
  all: ['invitations'] as const,
  lists: () => [...invitationKeys.all, 'list'] as const,
  list: (filters: ListInvitationsQuery) => [...invitationKeys.lists(), filters] as const,
  details: () => [...invitationKeys.all, 'detail'] as const,
  detail: (invitationId: string) => [...invitationKeys.details(), invitationId] as const,
};
