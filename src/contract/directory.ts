import * as z from 'zod/mini';
import { UserIdSchema } from './ids.ts';
import { DateOnlySchema, InvitationSchema } from './invitations.ts';
import { NAME_MAX, READ_LEVELS, strictObject } from './person.ts';
import { queryInteger } from './query.ts';
import { OperatorIdSchema } from './session.ts';
import { usableText } from './text.ts';
import { UserSchema } from './users.ts';

/**
 * The directory: the BFF's own copy of the clinic's users and invitations (filled by paging through Avara's lists,
 * corrected by every live read and every change made here), joined with this dashboard's audit trail. Avara's list
 * filters are narrow (exact e-mail, name contains); the directory answers "find anyone, know their status".
 * GET /api/directory/people, GET /api/directory/invitations, GET /api/directory/status, POST /api/directory/refresh.
 */

// ---------------------------------------------------------------------------------------------------------------
// Status of a person

/**
 * One status per person, first match wins in this order:
 * - `owner`: level owner (created in Avara's own dashboard).
 * - `access-revoked`: this dashboard's audit trail holds a successful revoke-access for them with no later
 *   successful reactivate (Avara's user record does not say; source `dashboard`).
 * - `active`: has signed in (lastLoginAt), or their latest invitation was accepted.
 * - `invitation-revoked`, `invitation-declined` (status rejected), `invitation-expired` (status sent and past its
 *   expiry: never shown as "Sent"), `invited` (status sent, not expired; or no invitation known and never signed in).
 */
export const PERSON_STATUSES = [
  'active',
  'invited',
  'invitation-expired',
  'invitation-revoked',
  'invitation-declined',
  'access-revoked',
  'owner',
] as const;
export const PersonStatusSchema = z.enum(PERSON_STATUSES, 'Choose one of the listed statuses.');
export type PersonStatus = z.infer<typeof PersonStatusSchema>;

export const PERSON_STATUS_LABELS: Record<PersonStatus, string> = {
  active: 'Active',
  invited: 'Invited – not yet accepted',
  'invitation-expired': 'Invitation expired',
  'invitation-revoked': 'Invitation revoked',
  'invitation-declined': 'Invitation declined',
  'access-revoked': 'Access revoked here',
  owner: 'Owner',
};

/** Where a status or an "invited by" comes from: Avara's records, or this dashboard's audit trail. */
export const STATUS_SOURCES = ['avara', 'dashboard'] as const;
export const StatusSourceSchema = z.enum(STATUS_SOURCES);

/** An operator of this dashboard as the audit trail names them (display name, else e-mail). */
export const OperatorRefSchema = z.object({
  operatorId: z.nullable(z.string()),
  name: z.string(),
});
export type OperatorRef = z.infer<typeof OperatorRefSchema>;

/**
 * Who invited someone: the operator who sent it from this dashboard (source `dashboard`, from the audit trail), else
 * what Avara says (source `avara`: `label` is "Through the API" or "From Avara's dashboard").
 */
export const InvitedBySchema = z.object({
  source: StatusSourceSchema,
  label: z.string(),
  operator: z.nullable(OperatorRefSchema),
});
export type InvitedBy = z.infer<typeof InvitedBySchema>;

/** A revoke-access (or reactivate) made from this dashboard: by whom and when. */
export const AccessChangeSchema = z.object({ by: OperatorRefSchema, at: z.string() });

/** The latest invitation of a person, as far as the directory knows it. */
export const LatestInvitationSchema = z.object({
  invitationId: z.string(),
  status: z.string(),
  expiry: z.nullable(z.string()),
  createdAt: z.nullable(z.string()),
});

/** One person in the directory: Avara's user record plus what the directory derives. */
export const DirectoryPersonSchema = z.object({
  user: UserSchema,
  latestInvitation: z.nullable(LatestInvitationSchema),
  status: PersonStatusSchema,
  statusSource: StatusSourceSchema,
  /** Set while the status is `access-revoked`. */
  accessRevoked: z.nullable(AccessChangeSchema),
  invitedBy: InvitedBySchema,
  /** The latest invitation's createdAt, else the user's createdAt. */
  invitedAt: z.nullable(z.string()),
});
export type DirectoryPerson = z.infer<typeof DirectoryPersonSchema>;

/** How fresh the directory is (GET /api/directory/status; POST /api/directory/refresh answers 202 with it). `asOf`: when the last complete refresh from Avara finished (null: none yet). */
export const DirectoryFreshnessSchema = z.object({
  asOf: z.nullable(z.string()),
  refreshing: z.boolean(),
  /** The last refresh's failure, written for an administrator (null when it succeeded). */
  lastError: z.nullable(z.string()),
});
export type DirectoryFreshness = z.infer<typeof DirectoryFreshnessSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Queries

export const SEARCH_MAX = NAME_MAX;
export const DIRECTORY_PAGE_DEFAULT = 25;
export const DIRECTORY_PAGE_MAX = 100;

/**
 * The one search box: any part of first, middle or last name, the full name in either order, e-mail, phone digits,
 * userId or invitationId; case- and accent-insensitive. Every word typed must match somewhere.
 */
export const SearchSchema = z
  .string()
  .check(
    z.trim(),
    usableText('search'),
    z.minLength(1, 'Type something to search for.'),
    z.maxLength(SEARCH_MAX, `Keep the search to ${SEARCH_MAX} characters or fewer.`),
  );

/** `a,b,c` in the address → a list without repeats; each item checked by `item`. */
function commaList<T extends z.core.$ZodType<string, string>>(item: T, what: string) {
  return z.pipe(
    z.pipe(
      z.string(`List ${what} separated by commas.`),
      z.transform((s) => [...new Set(s.split(',').map((part) => part.trim()))]),
    ),
    z.array(item).check(z.minLength(1), z.maxLength(100, `Choose at most 100 ${what}.`)),
  );
}

const YesNoSchema = z.enum(['yes', 'no'], 'Choose yes or no.');

/** A role as a filter: any role text (people may hold roles outside the current list). */
const RoleFilterSchema = z
  .string()
  .check(z.trim(), usableText('role'), z.minLength(1, 'Name a role.'), z.maxLength(NAME_MAX));

/** `invitedBy`: an operator of this dashboard, `api` (sent through Avara's API, not from here) or `avara` (Avara's own dashboard). */
export const InvitedByFilterSchema = z.union(
  [OperatorIdSchema, z.enum(['api', 'avara'])],
  'Choose an operator, api or avara.',
);

export const PEOPLE_SORTS = [
  'name',
  '-name',
  'invited',
  '-invited',
  'last-sign-in',
  '-last-sign-in',
] as const;
export const PeopleSortSchema = z.enum(
  PEOPLE_SORTS,
  'Sort by name, invited or last-sign-in (- for descending).',
);
export type PeopleSort = z.infer<typeof PeopleSortSchema>;
export const PEOPLE_SORT_DEFAULT: PeopleSort = '-invited';

const dateRange = {
  /** Invited on or after this UTC day. */
  invitedFrom: z.optional(DateOnlySchema),
  /** Invited on or before this UTC day. */
  invitedTo: z.optional(DateOnlySchema),
};
function fromBeforeTo<T extends { invitedFrom?: string | undefined; invitedTo?: string | undefined }>() {
  return z.refine<T>((q) => !q.invitedFrom || !q.invitedTo || q.invitedFrom <= q.invitedTo, {
    message: 'The start date must be on or before the end date.',
    path: ['invitedTo'],
  });
}

const paging = {
  /** 1-based page number. */
  page: z.optional(queryInteger('page number', 1, 100_000)),
  limit: z.optional(queryInteger('page size', 1, DIRECTORY_PAGE_MAX)),
};

/** GET /api/directory/people. */
export const PeopleQuerySchema = strictObject({
  q: z.optional(SearchSchema),
  role: z.optional(commaList(RoleFilterSchema, 'roles')),
  level: z.optional(z.enum(READ_LEVELS, 'Choose Owner, Admin or Member.')),
  dashboard: z.optional(YesNoSchema),
  studies: z.optional(YesNoSchema),
  status: z.optional(commaList(PersonStatusSchema, 'statuses')),
  invitedBy: z.optional(InvitedByFilterSchema),
  ...dateRange,
  sort: z.optional(PeopleSortSchema),
  ...paging,
}).check(fromBeforeTo());
export type PeopleQuery = z.output<typeof PeopleQuerySchema>;

export const PeoplePageSchema = z.object({
  people: z.array(DirectoryPersonSchema),
  /** People matching the query (all pages). */
  total: z.number(),
  /** Of those, how many never signed in. */
  neverSignedIn: z.number(),
  page: z.number(),
  limit: z.number(),
  freshness: DirectoryFreshnessSchema,
});
export type PeoplePage = z.infer<typeof PeoplePageSchema>;

/** An invitation's state as an administrator reads it: `expired` is status sent past its expiry. */
export const INVITATION_STATES = ['pending', 'expired', 'accepted', 'declined', 'revoked'] as const;
export const InvitationStateSchema = z.enum(INVITATION_STATES, 'Choose one of the listed states.');
export type InvitationState = z.infer<typeof InvitationStateSchema>;

export const INVITATION_STATE_LABELS: Record<InvitationState, string> = {
  pending: 'Pending',
  expired: 'Expired',
  accepted: 'Accepted',
  declined: 'Declined',
  revoked: 'Revoked',
};

export const DirectoryInvitationSchema = z.object({
  invitation: InvitationSchema,
  state: InvitationStateSchema,
  invitedBy: InvitedBySchema,
});
export type DirectoryInvitation = z.infer<typeof DirectoryInvitationSchema>;

export const INVITATION_SORTS = ['sent', '-sent', 'name', '-name', 'expiry', '-expiry'] as const;
export const InvitationSortSchema = z.enum(
  INVITATION_SORTS,
  'Sort by sent, name or expiry (- for descending).',
);

/** GET /api/directory/invitations. */
export const DirectoryInvitationsQuerySchema = strictObject({
  q: z.optional(SearchSchema),
  state: z.optional(commaList(InvitationStateSchema, 'states')),
  invitedBy: z.optional(InvitedByFilterSchema),
  /** Sent on or after / before these UTC days. */
  ...dateRange,
  userId: z.optional(UserIdSchema),
  sort: z.optional(InvitationSortSchema),
  ...paging,
}).check(fromBeforeTo());
export type DirectoryInvitationsQuery = z.output<typeof DirectoryInvitationsQuerySchema>;

export const DirectoryInvitationPageSchema = z.object({
  invitations: z.array(DirectoryInvitationSchema),
  total: z.number(),
  page: z.number(),
  limit: z.number(),
  freshness: DirectoryFreshnessSchema,
});
export type DirectoryInvitationPage = z.infer<typeof DirectoryInvitationPageSchema>;

// ---------------------------------------------------------------------------------------------------------------
// A person's timeline: GET /api/users/:userId/timeline, newest first.

/** One field an edit changed (values as text, null when absent). */
export const FieldChangeSchema = z.object({
  field: z.string(),
  from: z.nullable(z.string()),
  to: z.nullable(z.string()),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/**
 * `created` and `last-sign-in` come from Avara's record (source `avara`); `audit` events from this dashboard's audit
 * trail (invites, edits with what changed, revoke, reactivate, failed attempts).
 */
export const TimelineEventSchema = z.object({
  at: z.nullable(z.string()),
  source: StatusSourceSchema,
  kind: z.enum(['created', 'last-sign-in', 'audit']),
  /** The audit action (`user.update`, ...) for audit events. */
  action: z.nullable(z.string()),
  /** What happened, for an administrator: "Invited by Dana Smith", "Signed in to Avara". */
  label: z.string(),
  operator: z.nullable(OperatorRefSchema),
  outcome: z.nullable(z.string()),
  changes: z.array(FieldChangeSchema),
  detail: z.nullable(z.string()),
  requestId: z.nullable(z.string()),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const TimelineSchema = z.object({ events: z.array(TimelineEventSchema) });

// ---------------------------------------------------------------------------------------------------------------
// Search normalisation: the server's index and any client-side highlight agree on it.

/** Lower case, accents removed ("Zoë" → "zoe"), runs of spaces as one. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
