/** Where a user is shown in the Users screen (their details over the list). */
export function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}
