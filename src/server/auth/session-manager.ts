import type { Session } from '../../contract/session.ts';
import { AuditUnavailableError, type AuditTrail } from '../audit/audit-trail.ts';
import { ProblemError } from '../problems.ts';
import { clientAddressKey, createRateLimiter, type RateLimiter } from '../security/rate-limit.ts';
import { normalizeEmail, type OperatorRecord, type OperatorStore } from '../store/operators.ts';
import { hashSessionId, newSessionId, type SessionRecord, type SessionStore } from '../store/sessions.ts';
import type { PasswordHasher } from './password.ts';

/**
 * Server-side sessions. The browser holds only a random id (in the `__Host-` cookie); the database holds its SHA-256,
 * the operator, and the times that end it: idle (no request for `idleMinutes`) and absolute (`maxHours` after sign-in,
 * whatever the activity). Both are checked here, on every request, against the server's clock.
 */
export interface SessionSettings {
  idleMinutes: number;
  maxHours: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = { idleMinutes: 30, maxHours: 8 };

/** Sign-in throttling: this many failures per account and per client address within the window → 429. */
export interface SignInLimits {
  failures: number;
  windowMinutes: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { failures: 5, windowMinutes: 15 };

/**
 * last_seen_at is written at most once per this interval (a sixtieth of the idle limit, at most a minute), not on every
 * request. So the recorded time may be up to one interval older than the last request, and a session ends when it
 * has been idle for the limit plus one interval: never before the limit, at most one interval after it.
 */
export function touchIntervalMs(idleMs: number): number {
  return Math.min(60_000, Math.ceil(idleMs / 60));
}

export interface Authenticated {
  operator: OperatorRecord;
  session: SessionRecord;
  /** The cookie's id (needed to rotate or end it). */
  sessionId: string;
}

export interface RequestFacts {
  clientAddress: string;
  requestId: string;
  /** The session cookie the request came with, if any (ended when a new session replaces it). */
  sessionId?: string | undefined;
}

export interface SessionManager {
  readonly settings: SessionSettings;
  /** Sign in: a new session (id rotated) or a ProblemError (401 identical for any wrong detail, 429, 503). */
  signIn(email: string, password: string, facts: RequestFacts): Promise<Authenticated>;
  /** The session behind a cookie, or undefined (unknown, idle too long, past its end, operator disabled). */
  authenticate(sessionId: string | undefined): Promise<Authenticated | undefined>;
  signOut(auth: Authenticated, facts: RequestFacts): Promise<void>;
  /** Change the signed-in operator's password; ends every session of theirs and returns a fresh one. */
  changePassword(
    auth: Authenticated,
    currentPassword: string,
    newPassword: string,
    facts: RequestFacts,
  ): Promise<Authenticated>;
  describe(auth: Authenticated): Session;
  /** Forget sessions that have ended (run periodically). */
  sweep(): Promise<number>;
}

export interface SessionManagerDeps {
  operators: OperatorStore;
  sessions: SessionStore;
  audit: AuditTrail;
  hasher: PasswordHasher;
  settings?: SessionSettings | undefined;
  signInLimits?: SignInLimits | undefined;
  now?: (() => number) | undefined;
  /** Told about failures that do not change the answer (a sign-out whose audit record could not be written). */
  onError?: ((error: unknown, message: string) => void) | undefined;
  /** Called after an operator changed their own password (the bootstrap password file is deleted then). */
  onPasswordChanged?: ((operator: OperatorRecord) => void) | undefined;
}

export const INVALID_CREDENTIALS = new ProblemError({
  code: 'unauthenticated',
  status: 401,
  title: 'The email or password is not right',
  detail: 'Check both and try again. After several wrong tries, signing in is paused for a while.',
});

function tooManyAttempts(retryAfter: number): ProblemError {
  const minutes = Math.ceil(retryAfter / 60);
  return new ProblemError({
    code: 'rate-limited',
    status: 429,
    title: 'Too many sign-in attempts',
    detail: `Signing in is paused for this account or this computer. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    retryAfter,
  });
}

export function auditUnavailableProblem(): ProblemError {
  return new ProblemError({
    code: 'audit-unavailable',
    status: 503,
    title: 'The activity log cannot be written right now',
    detail:
      'Nothing was done, because every change must be recorded. Try again shortly; if it persists, tell whoever runs Viewer Admin.',
  });
}

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const settings = deps.settings ?? DEFAULT_SESSION_SETTINGS;
  const limits = deps.signInLimits ?? DEFAULT_SIGN_IN_LIMITS;
  const now = deps.now ?? (() => Date.now());
  const onError = deps.onError ?? (() => undefined);
  const idleMs = settings.idleMinutes * 60_000;
  const touchMs = touchIntervalMs(idleMs);
  /** Idle for this long since the recorded last_seen_at: certainly idle for the limit. */
  const idleEndMs = idleMs + touchMs;
  const maxMs = settings.maxHours * 3_600_000;
  const { operators, sessions, audit, hasher } = deps;
  const failures: RateLimiter = createRateLimiter({
    limit: limits.failures,
    windowMs: limits.windowMinutes * 60_000,
    now,
  });

  async function issue(operator: OperatorRecord): Promise<Authenticated> {
    const sessionId = newSessionId();
    const at = now();
    const session: SessionRecord = {
      idHash: hashSessionId(sessionId),
      operatorId: operator.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at + maxMs,
    };
    await sessions.create(session);
    return { operator, session, sessionId };
  }

  async function endPrevious(sessionId: string | undefined) {
    if (sessionId !== undefined) await sessions.revoke(hashSessionId(sessionId));
  }

  const actorOf = (auth: Authenticated, facts: RequestFacts) => ({
    operatorId: auth.operator.id,
    operatorEmail: auth.operator.email,
    requestId: facts.requestId,
  });

  return {
    settings,

    async signIn(rawEmail, password, facts) {
      const email = normalizeEmail(rawEmail);
      const accountKey = `account:${email}`;
      const addressKey = `address:${clientAddressKey(facts.clientAddress)}`;
      const account = failures.peek(accountKey);
      const address = failures.peek(addressKey);
      if (account.limited || address.limited) {
        // Refused before the password is even looked at, so the right password does not get through either.
        throw tooManyAttempts(Math.max(account.retryAfterSeconds, address.retryAfterSeconds));
      }

      const operator = await operators.findByEmail(email);
      // The same work whether or not the email is known: a wrong email and a wrong password take as long.
      const matches = operator
        ? await hasher.verify(password, operator.passwordHash)
        : await hasher.verifyDummy(password);

      if (!operator || !matches || operator.disabled) {
        failures.hit(accountKey);
        failures.hit(addressKey);
        const reason = !operator
          ? 'Unknown email address.'
          : !matches
            ? 'Wrong password.'
            : 'The operator is disabled.';
        try {
          await audit.record({
            operatorId: operator?.id ?? null,
            operatorEmail: email,
            action: 'session.sign-in',
            requestId: facts.requestId,
            outcome: 'failure',
            detail: reason,
          });
        } catch (error) {
          // The sign-in is refused either way; the answer must not differ from any other failure.
          onError(error, 'A failed sign-in could not be recorded in the activity log');
        }
        throw INVALID_CREDENTIALS;
      }

      try {
        await audit.record({
          operatorId: operator.id,
          operatorEmail: operator.email,
          action: 'session.sign-in',
          requestId: facts.requestId,
          outcome: 'success',
          detail: operator.mustChangePassword ? 'Must choose a new password.' : null,
        });
      } catch (error) {
        if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
        throw error;
      }
      failures.reset(accountKey);
      await endPrevious(facts.sessionId);
      const auth = await issue(operator);
      await operators.recordSignIn(operator.id, auth.session.createdAt);
      if (hasher.needsRehash(operator.passwordHash)) {
        await operators.setPassword(operator.id, await hasher.hash(password), operator.mustChangePassword);
      }
      return { ...auth, operator: { ...operator, lastSignInAt: auth.session.createdAt } };
    },

    async authenticate(sessionId) {
      if (sessionId === undefined) return undefined;
      const idHash = hashSessionId(sessionId);
      const found = await sessions.findWithOperator(idHash);
      if (!found) return undefined;
      const { session, operator } = found;
      const at = now();
      if (at >= session.expiresAt || at - session.lastSeenAt >= idleEndMs) {
        await sessions.revoke(idHash);
        return undefined;
      }
      if (operator.disabled) {
        await sessions.revoke(idHash);
        return undefined;
      }
      if (at - session.lastSeenAt >= touchMs) {
        await sessions.touch(idHash, at);
        session.lastSeenAt = at;
      }
      return { operator, session, sessionId };
    },

    async signOut(auth, facts) {
      try {
        await audit.record({ ...actorOf(auth, facts), action: 'session.sign-out', outcome: 'success' });
      } catch (error) {
        // Ending a session only takes power away: it goes ahead even when it cannot be recorded.
        onError(error, 'A sign-out could not be recorded in the activity log');
      }
      await sessions.revoke(auth.session.idHash);
    },

    async changePassword(auth, currentPassword, newPassword, facts) {
      const accountKey = `account:${auth.operator.email}`;
      const limited = failures.peek(accountKey);
      if (limited.limited) throw tooManyAttempts(limited.retryAfterSeconds);
      const operator = await operators.findById(auth.operator.id);
      if (!operator || !(await hasher.verify(currentPassword, operator.passwordHash))) {
        failures.hit(accountKey);
        throw new ProblemError({
          code: 'validation',
          status: 400,
          title: 'Some details need attention',
          detail: 'Check the highlighted details and try again.',
          errors: [{ path: 'currentPassword', message: 'That is not your current password.' }],
        });
      }
      let pending;
      try {
        pending = await audit.begin({ ...actorOf(auth, facts), action: 'session.password-change' });
      } catch (error) {
        if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
        throw error;
      }
      try {
        await operators.setPassword(operator.id, await hasher.hash(newPassword), false);
        // Every other session (another workstation, a stolen cookie) ends; this one is replaced by a new id.
        await sessions.revokeAllFor(operator.id);
        const fresh = await issue({ ...operator, mustChangePassword: false });
        await pending.complete({ outcome: 'success' });
        deps.onPasswordChanged?.(fresh.operator);
        return fresh;
      } catch (error) {
        await pending.complete({ outcome: 'failure', detail: error instanceof Error ? error.message : null });
        throw error;
      }
    },

    describe(auth) {
      return {
        operator: {
          id: auth.operator.id,
          email: auth.operator.email,
          displayName: auth.operator.displayName,
        },
        mustChangePassword: auth.operator.mustChangePassword,
        expiresAt: new Date(auth.session.expiresAt).toISOString(),
        idleTimeoutMinutes: settings.idleMinutes,
      };
    },

    async sweep() {
      const at = now();
      return sessions.deleteExpired(at, at - idleEndMs);
    },
  };
}
