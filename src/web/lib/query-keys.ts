import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { AuditCsvQuery } from '../../contract/audit.ts';
import type { DirectoryInvitationsQuery, PeopleQuery } from '../../contract/directory.ts';
import type { ListInvitationsQuery } from '../../contract/invitations.ts';
import type { ListUsersQuery } from '../../contract/users.ts';

/**
 * Every query key of the app, from these factories only, so a change invalidates by the keys the screens read with.
 * Each resource's lists and details hang off its `all`: one invalidation refreshes every view of it. Types only
 * are imported here: the invite screen's first load carries this file.
 */

export const userKeys = {
  all: ['users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
  list: (filters: ListUsersQuery) => [...userKeys.lists(), filters] as const,
  details: () => [...userKeys.all, 'detail'] as const,
  detail: (userId: string) => [...userKeys.details(), userId] as const,
};

export const invitationKeys = {
  all: ['invitations'] as const,
  lists: () => [...invitationKeys.all, 'list'] as const,
  list: (filters: ListInvitationsQuery) => [...invitationKeys.lists(), filters] as const,
};

/** The BFF's directory: people and invitations searched, and how fresh it is. */
export const directoryKeys = {
  all: ['directory'] as const,
  people: (query: PeopleQuery) => [...directoryKeys.all, 'people', query] as const,
  invitations: (query: DirectoryInvitationsQuery) => [...directoryKeys.all, 'invitations', query] as const,
  status: () => [...directoryKeys.all, 'status'] as const,
};

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditCsvQuery) => [...auditKeys.all, 'list', filters] as const,
};

export const operatorKeys = {
  all: ['operators'] as const,
  list: () => [...operatorKeys.all, 'list'] as const,
  names: () => [...operatorKeys.all, 'names'] as const,
};

/** Bulk invites: the recent batches, and each batch (which its screen keeps up to date by merging what changed). */
export const bulkKeys = {
  all: ['bulk-invites'] as const,
  lists: () => [...bulkKeys.all, 'list'] as const,
  detail: (batchId: string) => [...bulkKeys.all, 'detail', batchId] as const,
};

/** What the BFF says about this session and deployment. */
export const sessionKeys = {
  all: ['session'] as const,
  mode: () => [...sessionKeys.all, 'mode'] as const,
  current: () => [...sessionKeys.all, 'current'] as const,
};

/** The kinds of change the app makes. */
export type Change = 'person' | 'operator' | 'password' | 'batch';

const CHANGES: Readonly<Record<Change, readonly QueryKey[]>> = {
  // An invitation sent, edited or revoked, a user edited, revoked or reactivated: Users and Invitations show the
  // same people (a user's details show their latest invitation).
  person: [userKeys.all, invitationKeys.all, directoryKeys.all],
  operator: [operatorKeys.all],
  // The session itself is set from the answer.
  password: [],
  // A batch cancelled or a row retried: the list of batches, and the people a retry invites. The batch itself is
  // followed by its screen, which merges what changed rather than loading every row again.
  batch: [bulkKeys.lists(), userKeys.all, invitationKeys.all, directoryKeys.all],
};

/** The keys a change makes stale: what it changed, and the Activity trail, where the BFF records every change. */
export function staleAfter(change: Change): readonly QueryKey[] {
  return [...CHANGES[change], auditKeys.all];
}

/** Refresh what a change made stale. Not awaited by the callers: the outcome is shown without waiting for it. */
export async function refreshAfterChange(queryClient: QueryClient, change: Change): Promise<void> {
  await Promise.all(staleAfter(change).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}
