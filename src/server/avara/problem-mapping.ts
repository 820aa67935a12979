import { EMAIL_TAKEN_CODE } from '../../contract/avara-error.ts';
import type { AvaraErrorBody } from '../../contract/avara-error.ts';
import { ListInvitationsQuerySchema } from '../../contract/invitations.ts';
import type { FieldError } from '../../contract/problem.ts';
import { InviteUserInputSchema, ListUsersQuerySchema, UpdateUserInputSchema } from '../../contract/users.ts';
import { VALIDATION_TITLE } from '../problems.ts';
import type { ProblemInit } from '../problems.ts';
import { retryAfterSeconds } from './retry.ts';
import type { UpstreamError } from './upstream-error.ts';

/**
 * Upstream failures → the BFF's problem details. Titles and details are written for a clinic administrator; upstream
 * text is never passed on as a whole: only short per-field messages (an answer that held the key never gets here).
 */

export type UpstreamOperation =
  | 'invite'
  | 'list-users'
  | 'get-user'
  | 'update-user'
  | 'revoke-access'
  | 'reactivate'
  | 'list-invitations'
  | 'get-invitation'
  | 'update-invitation'
  | 'revoke-invitation'
  /** A failure no route mapped (a bug): nothing is assumed about what was asked. */
  | 'unknown';

/** Operations that may change something (and `unknown`, which may have). */
const WRITES: ReadonlySet<UpstreamOperation> = new Set([
  'unknown',
  'invite',
  'update-user',
  'revoke-access',
  'reactivate',
  'update-invitation',
  'revoke-invitation',
]);
const USER_OPERATIONS: ReadonlySet<UpstreamOperation> = new Set([
  'get-user',
  'update-user',
  'revoke-access',
  'reactivate',
]);
const INVITATION_OPERATIONS: ReadonlySet<UpstreamOperation> = new Set([
  'get-invitation',
  'update-invitation',
  'revoke-invitation',
]);

export const DUPLICATE_EMAIL_MESSAGE = 'Someone with this email address has already been invited.';
/** An invite whose outcome is unknown (no answer in time, the connection dropped, an unreadable answer, a 5xx). */
export const INVITE_UNCONFIRMED =
  'We could not confirm whether the invitation was sent. Retry is safe: Viewer Admin first checks with Avara ' +
  'whether the person now exists, and never invites anyone twice.';
export const NOTHING_SENT = 'Nothing was sent to Avara. Try again in a moment.';
export const ECHOED_KEY_TITLE = "Avara's answer could not be used";
export const BREAKER_OPEN_TITLE = 'Avara is not responding; we will try again shortly';
/** Used when Avara says 429 without saying how long to wait. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 5;

const FIELD_LABELS: Readonly<Record<string, string>> = {
  firstName: 'first name',
  middleName: 'middle name',
  lastName: 'last name',
  suffix1: 'first suffix',
  suffix2: 'second suffix',
  email: 'email address',
  phoneNumber: 'phone number',
  clinicRole: 'clinic role',
  level: 'level',
  hasDashboardAccess: 'dashboard access',
  canManageStudies: 'study management',
  cursor: 'page link',
  limit: 'page size',
  invitedSource: 'source',
  status: 'status',
  expired: 'expiry',
  startDate: 'start date',
  endDate: 'end date',
  userId: 'userId',
};

const FIELDS_OF: Readonly<Partial<Record<UpstreamOperation, readonly string[]>>> = {
  invite: Object.keys(InviteUserInputSchema.shape),
  'update-user': Object.keys(UpdateUserInputSchema.shape),
  'update-invitation': Object.keys(UpdateUserInputSchema.shape),
  'list-users': Object.keys(ListUsersQuerySchema.shape),
  'list-invitations': Object.keys(ListInvitationsQuerySchema.shape),
};

export function problemForUpstreamError(error: UpstreamError, operation: UpstreamOperation): ProblemInit {
  const write = WRITES.has(operation);
  const uncertain = error.notSent
    ? NOTHING_SENT
    : operation === 'invite'
      ? INVITE_UNCONFIRMED
      : write
        ? 'The change may or may not have been made: check before trying again.'
        : 'Nothing was changed. Try again in a moment.';
  switch (error.kind) {
    case 'circuit-open':
      return {
        code: 'upstream-unavailable',
        status: 503,
        title: BREAKER_OPEN_TITLE,
        detail:
          'Avara failed several times in a row, so Viewer Admin gives it a moment before asking again. ' +
          'Nothing was sent. Your entries are kept: try again shortly.',
        retryAfter: retryAfterSeconds(error.retryAfter) ?? 1,
      };
    case 'overloaded':
      return {
        code: 'upstream-unavailable',
        status: 503,
        title: 'Viewer Admin is waiting for Avara',
        detail: `Many requests are on their way to Avara right now. ${NOTHING_SENT}`,
        retryAfter: retryAfterSeconds(error.retryAfter) ?? 1,
      };
    case 'timeout':
      return {
        code: 'upstream-timeout',
        status: 504,
        title: 'Avara took too long to answer',
        detail: uncertain,
      };
    case 'connection':
      return {
        code: 'upstream-unavailable',
        status: 502,
        title: 'Avara cannot be reached right now',
        detail: uncertain,
      };
    case 'invalid-response':
      return {
        code: 'upstream-invalid-response',
        status: 502,
        title: 'Avara sent an answer the dashboard could not read',
        detail: uncertain,
      };
    case 'echoed-key':
      return {
        code: 'upstream-invalid-response',
        status: 502,
        title: ECHOED_KEY_TITLE,
        detail:
          "Avara's answer contained this dashboard's own API key, which it must never send back, so Viewer Admin " +
          `neither showed nor kept it. ${uncertain} If it happens again, tell whoever runs Viewer Admin.`,
      };
    case 'http':
      return problemForStatus(error, operation, uncertain);
  }
}

function problemForStatus(
  error: UpstreamError,
  operation: UpstreamOperation,
  uncertain: string,
): ProblemInit {
  const status = error.status ?? 0;
  const body = error.body;
  if (status === 400 || status === 422) {
    if (isDuplicateEmail(body, operation, status)) return duplicateEmail();
    const errors = attributeFieldErrors(body, FIELDS_OF[operation] ?? []);
    return {
      code: 'validation',
      status: 400,
      title: VALIDATION_TITLE,
      detail:
        errors.length > 0
          ? 'Avara did not accept some of the details. Check the highlighted fields.'
          : 'Avara did not accept the request. Check the details and try again.',
      errors,
    };
  }
  if (status === 401 || status === 403) {
    return {
      code: 'upstream-key-rejected',
      status: 502,
      title: "Avara rejected the dashboard's API key",
      detail:
        'You are still signed in; the problem is the key this dashboard uses to talk to Avara. ' +
        'Ask whoever set up Viewer Admin to check its Avara API key.',
    };
  }
  if (status === 404) {
    if (USER_OPERATIONS.has(operation)) {
      return {
        code: 'not-found',
        status: 404,
        title: 'This user no longer exists',
        detail: 'They may have been removed in Avara. Reload the list to see who is there now.',
      };
    }
    if (INVITATION_OPERATIONS.has(operation)) {
      return {
        code: 'not-found',
        status: 404,
        title: 'This invitation no longer exists',
        detail: 'It may have been removed in Avara. Reload the list to see where things stand.',
      };
    }
    return {
      code: 'upstream-unavailable',
      status: 502,
      title: 'Avara cannot be reached right now',
      detail:
        'Avara did not recognise the request. Ask whoever set up Viewer Admin to check its Avara address.',
    };
  }
  if (status === 409) {
    if (isDuplicateEmail(body, operation, status)) return duplicateEmail();
    return conflict(operation);
  }
  if (status === 429) {
    return {
      code: 'rate-limited',
      status: 429,
      title: 'Avara is busy right now',
      detail: 'Too many requests reached Avara in a short time. Wait a moment, then try again.',
      retryAfter: retryAfterSeconds(error.retryAfter) ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS,
    };
  }
  if (status === 408) {
    return {
      code: 'upstream-timeout',
      status: 504,
      title: 'Avara took too long to answer',
      detail: uncertain,
    };
  }
  if (status >= 500) {
    return {
      code: 'upstream-unavailable',
      status: 502,
      title: 'Avara is not available right now',
      detail: uncertain,
      retryAfter: retryAfterSeconds(error.retryAfter),
    };
  }
  return {
    code: 'upstream-invalid-response',
    status: 502,
    title: 'Avara sent an answer the dashboard could not read',
    detail: uncertain,
  };
}

function duplicateEmail(): ProblemInit {
  return {
    code: 'duplicate-email',
    status: 409,
    title: 'This person has already been invited',
    detail: `${DUPLICATE_EMAIL_MESSAGE} Find them in the Users list, or use a different email address.`,
    errors: [{ path: 'email', message: DUPLICATE_EMAIL_MESSAGE }],
  };
}

function conflict(operation: UpstreamOperation): ProblemInit {
  switch (operation) {
    case 'update-invitation':
      return {
        code: 'conflict',
        status: 409,
        title: 'This invitation can no longer be edited',
        detail:
          'Only pending invitations can be edited. It may have been accepted, revoked or expired meanwhile: reload to see where it stands.',
      };
    case 'revoke-invitation':
      return {
        code: 'conflict',
        status: 409,
        title: 'This invitation can no longer be revoked',
        detail:
          'Only pending invitations can be revoked. It may have been accepted, revoked or expired meanwhile: reload to see where it stands.',
      };
    default:
      return {
        code: 'conflict',
        status: 409,
        title: 'Avara could not make this change right now',
        detail: 'Something changed at the same moment. Reload to see the latest details, then try again.',
      };
  }
}

/** The last segment of an upstream field path (`body.email`, `/email`, `errors[0].email`) that names a known field. */
function knownField(path: string | undefined, fields: readonly string[]): string | undefined {
  if (path === undefined) return undefined;
  const segments = path.split(/[./[\]]+/).filter((s) => s !== '');
  return segments.reverse().find((segment) => fields.includes(segment));
}

function mentionsEmail(body: AvaraErrorBody | undefined): boolean {
  if (body === undefined) return false;
  const named = (body.errors ?? []).some((e) => knownField(e.path ?? e.field, ['email']) !== undefined);
  return named || /\be-?mail\b/i.test(body.message ?? '');
}

function isDuplicateEmail(
  body: AvaraErrorBody | undefined,
  operation: UpstreamOperation,
  status: number,
): boolean {
  if (body?.code === EMAIL_TAKEN_CODE) return true;
  if (status === 409) {
    // An invite can conflict only on the email; elsewhere the conflict must say it is about the email.
    const silent =
      body === undefined || (body.message === undefined && body.code === undefined && !body.errors);
    return mentionsEmail(body) || (operation === 'invite' && silent);
  }
  const texts = [body?.message, ...(body?.errors ?? []).map((e) => e.message)].join(' ');
  return mentionsEmail(body) && /\b(already|exists|taken|in use|duplicate|registered)\b/i.test(texts);
}

const CREDENTIAL_WORDS = /bearer|authori[sz]ation|api[\s_-]?key|token|secret|\[redacted\]/i;

/**
 * A short, single-line upstream message about a field is shown as is (the sandbox writes them for administrators);
 * anything long, multi-line or mentioning credentials is replaced by our own words.
 */
function usableMessage(message: string | undefined): message is string {
  return (
    message !== undefined &&
    message.length > 0 &&
    message.length <= 200 &&
    !/\p{Cc}/u.test(message) &&
    !CREDENTIAL_WORDS.test(message)
  );
}

function attributeFieldErrors(body: AvaraErrorBody | undefined, fields: readonly string[]): FieldError[] {
  if (body === undefined || fields.length === 0) return [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string | undefined) => {
    if (seen.has(path)) return;
    seen.add(path);
    const label = FIELD_LABELS[path] ?? path;
    errors.push({ path, message: usableMessage(message) ? message : `Avara did not accept the ${label}.` });
  };
  for (const item of body.errors ?? []) {
    const field = knownField(item.path ?? item.field, fields);
    if (field !== undefined) add(field, item.message);
  }
  if (errors.length === 0 && body.message !== undefined) {
    // No structured errors: attribute the message to the fields it names ("email is not valid").
    for (const field of fields) {
      const label = FIELD_LABELS[field] ?? field;
      const pattern = new RegExp(`\\b(${escapeRegExp(field)}|${escapeRegExp(label)})\\b`, 'i');
      if (pattern.test(body.message)) add(field, body.message);
    }
  }
  return errors;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
