import { randomBytes } from 'node:crypto';
import type { Session } from '../../contract/session.ts';
import { AuditUnavailableError, type AuditTrail } from '../audit/audit-trail.ts';
import { ProblemError } from '../problems.ts';
import { QuietProblemError, type LogLines } from '../security/log-lines.ts';
import { clientAddressKey } from '../security/rate-limit.ts';
import { createRefusalSummary, type RefusalSummaryLine } from '../security/refusal-summary.ts';
import {
  createMemorySignInThrottle,
  type SignInThrottle,
  type ThrottleScope,
} from '../security/sign-in-throttle.ts';
import { normalizeEmail, type OperatorRecord, type OperatorStore } from '../store/operators.ts';
import { hashSessionId, newSessionId, type SessionRecord, type SessionStore } from '../store/sessions.ts';
import { createDeviceTokens, type DeviceTokens } from './device-token.ts';
import { isBusyProblem } from './hash-pool.ts';
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

/**
 * Sign-in throttling: this many failures per client address, and per account (or, for a browser holding a device
 * token for the account, per token) within the window → 429.
 */
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
  /** The device token cookie the request came with, if any (sign-in only). */
  deviceToken?: string | undefined;
}

/** A new session, and the device token for the browser's cookie. */
export interface SignedIn extends Authenticated {
  deviceToken: string;
}

/** Where the sign-in throttle's own lines go (a lockout starting, the summary of refused attempts). */
export interface SignInLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SessionManager {
  readonly settings: SessionSettings;
  /**
   * Sign in: a new session (id rotated) and a new device token, or a ProblemError (401 identical for any wrong
   * detail, 403 account-disabled for the right password of a disabled account, 429, 503). A refusal that should write fewer log lines than usual is a QuietProblemError.
   */
  signIn(email: string, password: string, facts: RequestFacts): Promise<SignedIn>;
  /**
   * Sign in an operator whose identity was proven elsewhere (single sign-on): the same session as signIn (id rotated,
   * same limits), audited as a sign-in with `detail`. The caller has checked that they may sign in.
   */
  signInWithIdentity(operator: OperatorRecord, facts: RequestFacts, detail: string): Promise<Authenticated>;
  /** Refuse (quietly, 429) a sign-in from an address already at its limit, before its body is read. */
  refuseIfAddressPaused(facts: Pick<RequestFacts, 'clientAddress'>): Promise<void>;
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
  /** Write the summaries of refused sign-ins still open and stop their timer. */
  close(): void;
}

export interface SessionManagerDeps {
  operators: OperatorStore;
  sessions: SessionStore;
  audit: AuditTrail;
  hasher: PasswordHasher;
  settings?: SessionSettings | undefined;
  signInLimits?: SignInLimits | undefined;
  /** Default: in memory, counting by `signInLimits`. */
  throttle?: SignInThrottle | undefined;
  /** Default: signed with a key made for this process (tokens then last as long as it). */
  devices?: DeviceTokens | undefined;
  log?: SignInLog | undefined;
  now?: (() => number) | undefined;
  /** Told about failures that do not change the answer (a sign-out whose audit record could not be written). */
  onError?: ((error: unknown, message: string) => void) | undefined;
  /** Called after an operator changed their own password (the bootstrap password file is deleted then). */
  onPasswordChanged?: ((operator: OperatorRecord) => void) | undefined;
}

function invalidCredentials(logLines: Exclude<LogLines, 'all'>): QuietProblemError {
  return new QuietProblemError(
    {
      code: 'unauthenticated',
      status: 401,
      title: 'The email or password is not right',
      detail: 'Check both and try again. After several wrong tries, signing in is paused for a while.',
    },
    logLines,
  );
}

/**
 * 403 for the right password of a disabled account. Only someone who knows the password learns the account exists and
 * is disabled; any wrong password still gets invalidCredentials.
 */
function accountDisabled(logLines: Exclude<LogLines, 'all'>): QuietProblemError {
  return new QuietProblemError(
    {
      code: 'account-disabled',
      status: 403,
      title: 'This account is disabled; ask an administrator',
      detail: 'An administrator can enable it again on the Operators screen.',
    },
    logLines,
  );
}

const minutesText = (seconds: number) => {
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
};

const PAUSED_DETAIL: Record<ThrottleScope, string> = {
  address: 'Signing in from this computer or network is paused after several failed tries.',
  account:
    'Signing in to this account is paused after several wrong passwords, except from a browser you have signed in with before.',
  device: 'Signing in from this browser is paused after several wrong passwords.',
};

/** 429: refused before the password is looked at, so the right password does not get through either. */
function tooManyAttempts(scope: ThrottleScope, retryAfter: number): ProblemError {
  return new ProblemError({
    code: 'rate-limited',
    status: 429,
    title: 'Too many sign-in attempts',
    detail: `${PAUSED_DETAIL[scope]} Try again in ${minutesText(retryAfter)}.`,
    retryAfter,
  });
}

/** What a lockout's audit record says it paused. */
const PAUSED_SUBJECT: Record<ThrottleScope, string> = {
  address: 'this client address',
  account: 'this account (except browsers it has signed in with before)',
  device: 'this browser, which is no longer trusted',
};

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
  const log = deps.log ?? { warn: () => undefined };
  const idleMs = settings.idleMinutes * 60_000;
  const touchMs = touchIntervalMs(idleMs);
  /** Idle for this long since the recorded last_seen_at: certainly idle for the limit. */
  const idleEndMs = idleMs + touchMs;
  const maxMs = settings.maxHours * 3_600_000;
  const windowMs = limits.windowMinutes * 60_000;
  const { operators, sessions, audit, hasher } = deps;
  const throttle = deps.throttle ?? createMemorySignInThrottle({ limit: limits.failures, windowMs, now });
  const devices = deps.devices ?? createDeviceTokens({ secret: randomBytes(32), now });
  const refusals = createRefusalSummary({
    windowMs,
    now,
    write: (line: RefusalSummaryLine) =>
      log.warn({ signInRefused: line }, 'Sign-in attempts were refused without being checked'),
  });

  /** Refused without being judged: counted for the address's summary line, not logged or audited one by one. */
  function refusedQuietly(
    address: string,
    reason: 'paused' | 'busy',
    problem: ProblemError,
  ): QuietProblemError {
    refusals.count(address, reason);
    return new QuietProblemError(problem.problem, 'none');
  }

  /** One audit record and one log line (the request's only one) when a failure starts a lockout. */
  async function recordLockout(
    scopes: ThrottleScope[],
    retryAfterSeconds: number,
    subject: { operator: OperatorRecord | undefined; email: string; address: string },
    facts: RequestFacts,
  ) {
    log.warn(
      {
        reqId: facts.requestId,
        signInPaused: {
          scopes,
          address: subject.address,
          operatorId: subject.operator?.id ?? null,
          minutes: Math.ceil(retryAfterSeconds / 60),
        },
      },
      'Signing in is paused after repeated failures',
    );
    try {
      await audit.record({
        operatorId: subject.operator?.id ?? null,
        operatorEmail: subject.email,
        action: 'session.sign-in-paused',
        requestId: facts.requestId,
        outcome: 'refused',
        clientAddress: facts.clientAddress,
        detail: `After ${limits.failures} failures within ${limits.windowMinutes} minutes, signing in is paused for ${minutesText(retryAfterSeconds)} for ${scopes.map((scope) => PAUSED_SUBJECT[scope]).join(' and ')}.`,
      });
    } catch (error) {
      onError(error, 'A pause of signing in could not be recorded in the activity log');
    }
  }

  /** A password change's check of the current password: counted against the account like a sign-in. */
  async function checkCurrentPassword(
    auth: Authenticated,
    password: string,
    facts: RequestFacts,
  ): Promise<OperatorRecord> {
    const reservation = await throttle.reserve({ account: auth.operator.email });
    if (!reservation.granted) throw tooManyAttempts('account', reservation.retryAfterSeconds);
    const { ticket } = reservation;
    let outcome: 'success' | 'failure' | 'void' = 'void';
    try {
      const operator = await operators.findById(auth.operator.id);
      if (operator && (await hasher.verify(password, operator.passwordHash))) {
        outcome = 'success';
        return operator;
      }
      outcome = 'failure';
    } finally {
      const { lockedOut, retryAfterSeconds } = await throttle.settle(ticket, outcome);
      if (lockedOut.length > 0) {
        const subject = {
          operator: auth.operator,
          email: auth.operator.email,
          address: clientAddressKey(facts.clientAddress),
        };
        await recordLockout(lockedOut, retryAfterSeconds, subject, facts);
      }
    }
    try {
      await audit.record({
        ...actorOf(auth, facts),
        action: 'session.password-change',
        outcome: 'failure',
        clientAddress: facts.clientAddress,
        detail: 'Wrong current password.',
      });
    } catch (error) {
      onError(error, 'A wrong current password could not be recorded in the activity log');
    }
    throw new ProblemError({
      code: 'validation',
      status: 400,
      title: 'Some details need attention',
      detail: 'Check the highlighted details and try again.',
      errors: [{ path: 'currentPassword', message: 'That is not your current password.' }],
    });
  }

  /** A hash made at another cost is replaced at sign-in, when the password is at hand; later if the pool is full. */
  async function upgradeHash(operator: OperatorRecord, password: string) {
    if (!hasher.needsRehash(operator.passwordHash)) return;
    try {
      await operators.setPassword(operator.id, await hasher.hash(password), operator.mustChangePassword);
    } catch (error) {
      if (!isBusyProblem(error)) throw error;
    }
  }

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

    async refuseIfAddressPaused(facts) {
      const address = clientAddressKey(facts.clientAddress);
      const retryAfterSeconds = await throttle.addressPaused(address);
      if (retryAfterSeconds !== undefined) {
        throw refusedQuietly(address, 'paused', tooManyAttempts('address', retryAfterSeconds));
      }
    },

    async signIn(rawEmail, password, facts) {
      const email = normalizeEmail(rawEmail);
      const address = clientAddressKey(facts.clientAddress);
      const device = devices.verify(facts.deviceToken, email);
      // Reserved before the password is hashed, so concurrent guesses cannot all be judged.
      const reservation = await throttle.reserve({ address, account: email, device });
      if (!reservation.granted) {
        throw refusedQuietly(
          address,
          'paused',
          tooManyAttempts(reservation.scope, reservation.retryAfterSeconds),
        );
      }
      const { ticket } = reservation;
      let settled = false;
      const settle = (outcome: 'success' | 'failure') => {
        settled = true;
        return throttle.settle(ticket, outcome);
      };
      try {
        const operator = await operators.findByEmail(email);
        let matches: boolean;
        try {
          // The same work whether or not the email is known: a wrong email and a wrong password take as long.
          matches = operator
            ? await hasher.verify(password, operator.passwordHash)
            : await hasher.verifyDummy(password);
        } catch (error) {
          if (isBusyProblem(error)) throw refusedQuietly(address, 'busy', error);
          throw error;
        }

        if (!operator || !matches || operator.disabled) {
          const { lockedOut, retryAfterSeconds } = await settle('failure');
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
              clientAddress: facts.clientAddress,
              detail: reason,
            });
          } catch (error) {
            // The sign-in is refused either way; the answer must not differ from any other failure.
            onError(error, 'A failed sign-in could not be recorded in the activity log');
          }
          // Still counted as a failure: the disabled answer is no way around the throttle.
          const refusal = operator && matches ? accountDisabled : invalidCredentials;
          if (lockedOut.length === 0) throw refusal('request');
          await recordLockout(lockedOut, retryAfterSeconds, { operator, email, address }, facts);
          throw refusal('none');
        }

        try {
          await audit.record({
            operatorId: operator.id,
            operatorEmail: operator.email,
            action: 'session.sign-in',
            requestId: facts.requestId,
            outcome: 'success',
            clientAddress: facts.clientAddress,
            detail: operator.mustChangePassword ? 'Must choose a new password.' : null,
          });
        } catch (error) {
          if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
          throw error;
        }
        await settle('success');
        await endPrevious(facts.sessionId);
        const auth = await issue(operator);
        await operators.recordSignIn(operator.id, auth.session.createdAt);
        await upgradeHash(operator, password);
        return {
          ...auth,
          operator: { ...operator, lastSignInAt: auth.session.createdAt },
          deviceToken: devices.issue(email),
        };
      } finally {
        // Never judged (the pool was full, the audit log failed...): the attempt gives its place back.
        if (!settled) await throttle.settle(ticket, 'void');
      }
    },

    async signInWithIdentity(operator, facts, detail) {
      try {
        await audit.record({
          operatorId: operator.id,
          operatorEmail: operator.email,
          action: 'session.sign-in',
          requestId: facts.requestId,
          outcome: 'success',
          clientAddress: facts.clientAddress,
          detail,
        });
      } catch (error) {
        if (error instanceof AuditUnavailableError) throw auditUnavailableProblem();
        throw error;
      }
      await endPrevious(facts.sessionId);
      const auth = await issue(operator);
      await operators.recordSignIn(operator.id, auth.session.createdAt);
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
      const operator = await checkCurrentPassword(auth, currentPassword, facts);
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
          role: auth.operator.role,
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

    close() {
      refusals.close();
    },
  };
}
