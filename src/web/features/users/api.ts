import type { ListUsersQuery } from '../../../contract/users.ts';

/** Query keys for users. Lists and details hang off `all`, so one invalidation refreshes every view of users. */
export const userKeys = {
  all: ['users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
  list: (filters: ListUsersQuery) => [...userKeys.lists(), filters] as const,
  details: () => [...userKeys.all, 'detail'] as const,
  detail: (userId: string) => [...userKeys.details(), userId] as const,
};

/** Where a user is shown in the Users screen. */
export function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}

/** The Users screen filtered to one email address. */
export function usersByEmailPath(email: string): string {
  return `/users?${new URLSearchParams({ email }).toString()}`;
}
