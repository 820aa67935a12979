import { DirectoryInvitationPageSchema } from '../../../contract/directory.ts';
import type { DirectoryInvitationPage, DirectoryInvitationsQuery } from '../../../contract/directory.ts';
import { toQueryString } from '../../../contract/query.ts';
import { api } from '../../lib/api-client.ts';

/** Reads for the Invitations screen (its changes are in person/invitation-changes.ts). */

/** A page of the directory's invitations (search, filters, sort). */
export function listInvitations(
  query: DirectoryInvitationsQuery,
  signal?: AbortSignal,
): Promise<DirectoryInvitationPage> {
  return api.get(`/api/directory/invitations${toQueryString(query)}`, DirectoryInvitationPageSchema, signal);
}
