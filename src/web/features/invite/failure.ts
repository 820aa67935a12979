import { ApiError, NETWORK_PROBLEM_TYPE } from '../../lib/api-client.ts';
import type { FieldError } from '../../../contract/problem.ts';
import { INVITE_FIELDS, isInviteField } from '../person/field-names.ts';
import type { InviteField } from '../person/field-names.ts';

export const DUPLICATE_EMAIL_MESSAGE =
  'Someone with this email address is already in the clinic. Check the Users screen, or use another address.';

/** What the form shows for a failed invite; `requestId` is the id to quote (absent when the server was not reached). */
export type InviteFailure = { requestId?: string | undefined } & (
  | {
      /** Errors that belong to fields (shown on them); `other` are messages that name no field of the form. */
      kind: 'fields';
      fields: { path: InviteField; message: string }[];
      other: string[];
      /** The address is already someone's: who, when the server knew (else the form looks them up). */
      existing?: { email: string; userId: string | undefined } | undefined;
    }
  /** Avara or the network failed: nothing typed is lost, and Retry sends the same invitation again. */
  | { kind: 'retry'; title: string; detail: string }
  | { kind: 'rate-limited'; seconds: number | undefined }
  | { kind: 'error'; title: string; detail: string }
);

function byFormOrder(errors: { path: InviteField; message: string }[]) {
  return [...errors].sort((a, b) => INVITE_FIELDS.indexOf(a.path) - INVITE_FIELDS.indexOf(b.path));
}

function splitFieldErrors(errors: readonly FieldError[]) {
  const fields: { path: InviteField; message: string }[] = [];
  const other: string[] = [];
  for (const error of errors) {
    const path = error.path;
    if (isInviteField(path) && !fields.some((known) => known.path === path)) {
      fields.push({ path, message: error.message });
    } else if (!isInviteField(path)) {
      other.push(error.message);
    }
  }
  return { fields: byFormOrder(fields), other };
}

/** Turn whatever the mutation threw into what the operator sees, with the request id to quote. */
export function describeFailure(error: unknown, email?: string): InviteFailure {
  const failure = failureOf(error, email);
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return requestId === undefined ? failure : { ...failure, requestId };
}

function failureOf(error: unknown, email: string | undefined): InviteFailure {
  if (!(error instanceof ApiError)) {
    return {
      kind: 'retry',
      title: 'The invitation could not be sent.',
      detail: 'Something went wrong in this page. Your entries are kept; try again.',
    };
  }
  const { problem, status } = error;
  const code = error.code;

  if (code === 'request-in-progress') {
    // The client already waited for the first attempt for a while; the operator may wait some more.
    return {
      kind: 'retry',
      title: 'The invitation is still on its way.',
      detail:
        'Avara has not answered the first attempt yet. Your entries are kept: Retry in a moment to see how it went. It will not be sent twice.',
    };
  }
  if (code === 'idempotency-key-reused') {
    return {
      kind: 'retry',
      title: 'The invitation could not be sent as it was.',
      detail: 'Your entries are kept: send it again.',
    };
  }
  if (code === 'duplicate-email' || status === 409) {
    const { fields, other } = splitFieldErrors(problem.errors ?? []);
    const emailError = fields.find((field) => field.path === 'email');
    const rest = fields.filter((field) => field.path !== 'email');
    const existing =
      problem.existingUserId === undefined ? '' : ` Their userId is ${problem.existingUserId}.`;
    return {
      kind: 'fields',
      fields: byFormOrder([
        { path: 'email', message: `${emailError?.message ?? DUPLICATE_EMAIL_MESSAGE}${existing}` },
        ...rest,
      ]),
      other,
      ...(email === undefined ? {} : { existing: { email, userId: problem.existingUserId } }),
    };
  }
  if (code === 'validation' || status === 400 || status === 422) {
    const { fields, other } = splitFieldErrors(problem.errors ?? []);
    if (fields.length === 0 && other.length === 0) other.push(problem.detail ?? problem.title);
    return { kind: 'fields', fields, other };
  }
  if (code === 'rate-limited' || status === 429) {
    return { kind: 'rate-limited', seconds: problem.retryAfter };
  }
  if (code === 'upstream-key-rejected') {
    return {
      kind: 'error',
      title: 'Avara refused the dashboard’s API key.',
      detail:
        'Nothing was sent. Ask whoever set up Viewer Admin to check the Avara API key. Your entries are kept.',
    };
  }
  if (code === 'upstream-timeout' || status === 504) {
    return {
      kind: 'retry',
      title: 'We could not confirm whether the invitation was sent.',
      detail:
        'Avara did not answer in time. Your entries are kept: Retry checks with Avara first, so the person is never invited twice.',
    };
  }
  if (problem.type === NETWORK_PROBLEM_TYPE || status === 0) {
    return {
      kind: 'retry',
      title: 'The dashboard server could not be reached.',
      detail: 'Check the network connection. Your entries are kept: Retry sends the invitation again.',
    };
  }
  if (status === 503 && code === 'upstream-unavailable') {
    // Nothing was sent: the circuit breaker is open, or too many requests are waiting for Avara.
    return {
      kind: 'retry',
      title: problem.title,
      detail: 'Nothing was sent. Your entries are kept: Retry in a moment.',
    };
  }
  if (status >= 500 || code === 'upstream-unavailable' || code === 'upstream-invalid-response') {
    return {
      kind: 'retry',
      title: 'Avara is not answering right now.',
      detail:
        'We could not confirm whether the invitation was sent. Your entries are kept: Retry checks with Avara first, so the person is never invited twice.',
    };
  }
  return {
    kind: 'error',
    title: problem.title,
    detail: problem.detail ?? 'The invitation was not sent. Your entries are kept.',
  };
}
