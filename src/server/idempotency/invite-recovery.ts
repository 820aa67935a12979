import type { InviteUser, User } from '../../contract/users.ts';
import type { AvaraClient } from '../avara/client.ts';
import { DUPLICATE_EMAIL_MESSAGE } from '../avara/problem-mapping.ts';
import type { ProblemInit } from '../problems.ts';
import { UpstreamProblemError, callUpstream } from '../avara/upstream-problem.ts';
import { DefiniteProblemError } from './disposition.ts';
import type { Attempt, IdempotentResult } from './idempotent-route.ts';

/**
 * Settling an invite whose outcome is unknown, and naming who already has an email. Avara promises no idempotency,
 * so the only way to know whether an earlier attempt invited someone is to look the email up.
 */

/** Allowance for the difference between our clock and Avara's when comparing creation times. */
const CLOCK_SKEW_MS = 10 * 60_000;

/** The person Avara holds with this email (exact match, any case), or undefined. */
export async function findUserByEmail(
  client: AvaraClient,
  email: string,
  ctx: { requestId: string; onStatus?: ((status: number) => void) | undefined },
): Promise<User | undefined> {
  const page = await callUpstream('list-users', () => client.listUsers({ email, limit: 5 }, ctx));
  const wanted = email.toLowerCase();
  return page.users.find((user) => user.email.toLowerCase() === wanted);
}

/**
 * Whether `user` is the person this invite would have created: the same name, role and level, created by the API,
 * and not before the key was first used (someone who was already there is a duplicate, not our invitation).
 */
export function isThisInvite(user: User, input: InviteUser, firstAttemptAt: number): boolean {
  const createdAt = user.createdAt === null ? undefined : Date.parse(user.createdAt);
  const createdSince =
    createdAt === undefined || Number.isNaN(createdAt) || createdAt >= firstAttemptAt - CLOCK_SKEW_MS;
  return (
    createdSince &&
    user.invitedSource === 'api' &&
    user.email.toLowerCase() === input.email.toLowerCase() &&
    user.firstName === input.firstName &&
    user.lastName === input.lastName &&
    user.clinicRole === input.clinicRole &&
    user.level === input.level
  );
}

/** The duplicate-email problem, naming the person who has the address. */
export function duplicateEmailProblem(existingUserId: string | undefined): ProblemInit {
  return {
    code: 'duplicate-email',
    status: 409,
    title: 'This person has already been invited',
    detail:
      existingUserId === undefined
        ? `${DUPLICATE_EMAIL_MESSAGE} Find them in the Users list, or use a different email address.`
        : `${DUPLICATE_EMAIL_MESSAGE} Their userId is ${existingUserId}. Find them in the Users list, or use a different email address.`,
    errors: [{ path: 'email', message: DUPLICATE_EMAIL_MESSAGE }],
    existingUserId,
  };
}

/** A duplicate-email refusal from Avara, completed with the existing person's userId when it can be found. */
export async function withExistingUser(
  error: UpstreamProblemError,
  client: AvaraClient,
  email: string,
  requestId: string,
): Promise<UpstreamProblemError> {
  let existing: User | undefined;
  try {
    existing = await findUserByEmail(client, email, { requestId });
  } catch (lookup) {
    // An answer that held our key is never passed over, even here: the operator is told it could not be used.
    if (lookup instanceof UpstreamProblemError && lookup.upstream.kind === 'echoed-key') throw lookup;
    // Otherwise the refusal stands on its own; the userId is a courtesy.
    return error;
  }
  return new UpstreamProblemError(duplicateEmailProblem(existing?.userId), error.upstream);
}

export function isDuplicateEmailRefusal(error: unknown): error is UpstreamProblemError {
  return error instanceof UpstreamProblemError && error.problem.code === 'duplicate-email';
}

/**
 * The invite itself, as the single invite route and a bulk invite's rows both send it (inside the idempotency layer):
 * an attempt resuming an unknown outcome first looks the email up (the person it created is the answer; someone else
 * is a duplicate), and a duplicate-email refusal names who has the address.
 */
export async function sendInvite(
  client: AvaraClient,
  input: InviteUser,
  attempt: Attempt,
  requestId: string,
): Promise<IdempotentResult<User>> {
  const { key, onStatus, resumed, firstAttemptAt } = attempt;
  if (resumed) {
    const existing = await findUserByEmail(client, input.email, { requestId, onStatus });
    if (existing && isThisInvite(existing, input, firstAttemptAt)) return { status: 201, body: existing };
    if (existing) throw new DefiniteProblemError(duplicateEmailProblem(existing.userId));
  }
  try {
    const user = await callUpstream('invite', () =>
      client.inviteUser(input, { requestId, idempotencyKey: key, onStatus }),
    );
    return { status: 201, body: user };
  } catch (error) {
    if (isDuplicateEmailRefusal(error)) throw await withExistingUser(error, client, input.email, requestId);
    throw error;
  }
}
