import { ApiError, NETWORK_PROBLEM_TYPE } from '../../lib/api-client.ts';
import { isInviteField } from './field-names.ts';
import type { InviteField } from './field-names.ts';

/** What an edit, revoke or reactivate shows when it fails, with the request id to quote (when the server had one). */
export type ChangeFailure = { requestId?: string | undefined } &
  /** Refusals that belong to fields (shown on them); `other` are refusals that name no field of the form. */
  (
    | { kind: 'fields'; fields: { path: InviteField; message: string }[]; other: string[] }
    /** The person or invitation is no longer there. */
    | { kind: 'gone'; title: string; detail: string }
    /** No definite answer (network, Avara down, timeout): nothing typed is lost and Retry sends the same change. */
    | { kind: 'retry'; title: string; detail: string }
    | { kind: 'rate-limited'; seconds: number | undefined }
    | { kind: 'error'; title: string; detail: string }
  );

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

export function describeChangeFailure(error: unknown): ChangeFailure {
  const failure = changeFailureOf(error);
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return requestId === undefined ? failure : { ...failure, requestId };
}

function changeFailureOf(error: unknown): ChangeFailure {
  if (!(error instanceof ApiError)) {
    return {
      kind: 'retry',
      title: 'The change could not be sent.',
      detail: 'Something went wrong in this page. Your entries are kept; try again.',
    };
  }
  const { problem, status } = error;
  if (status === 404) {
    return {
      kind: 'gone',
      title: sentence(problem.title),
      detail: problem.detail ?? 'Reload the list to see where things stand.',
    };
  }
  if (status === 400 || status === 422) {
    const fields: { path: InviteField; message: string }[] = [];
    const other: string[] = [];
    for (const field of problem.errors ?? []) {
      const path = field.path;
      if (isInviteField(path) && path !== 'email') {
        if (!fields.some((known) => known.path === path)) fields.push({ path, message: field.message });
      } else {
        other.push(field.message);
      }
    }
    if (fields.length === 0 && other.length === 0) other.push(sentence(problem.detail ?? problem.title));
    return { kind: 'fields', fields, other };
  }
  if (status === 429) return { kind: 'rate-limited', seconds: problem.retryAfter };
  const inProgress = status === 409 && error.code === 'request-in-progress';
  if (status === 0 || problem.type === NETWORK_PROBLEM_TYPE || status >= 500 || inProgress) {
    return {
      kind: 'retry',
      title: sentence(problem.title),
      detail:
        problem.detail ??
        'The change may or may not have been made. Your entries are kept: Retry sends the same change again.',
    };
  }
  return { kind: 'error', title: sentence(problem.title), detail: problem.detail ?? '' };
}

/** One line for a dialog or banner. */
export function failureText(failure: ChangeFailure): string {
  switch (failure.kind) {
    case 'fields':
      return [...failure.fields.map((field) => field.message), ...failure.other].join(' ');
    case 'rate-limited':
      return `Too many requests in a short time. Nothing was changed; try again ${
        failure.seconds === undefined ? 'in a minute' : `in ${failure.seconds} seconds`
      }.`;
    default:
      return `${failure.title} ${failure.detail}`.trim();
  }
}
