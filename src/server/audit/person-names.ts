/**
 * The names of the people audit records are about: "First Last" for each userId and invitationId the lookup knows
 * (unknown ids are left out). The BFF's directory answers it (store/directory.ts namesOf).
 */
export type PersonNames = (ids: {
  userIds: readonly string[];
  invitationIds: readonly string[];
}) => Promise<ReadonlyMap<string, string>>;
