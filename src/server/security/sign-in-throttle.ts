import { createRateLimiter } from './rate-limit.ts';

/**
 * Sign-in throttling by reservation. An attempt is reserved BEFORE its password is hashed, against each key it is
 * counted by, and settled after: a failure stays counted, a success or an attempt that was never judged (the hash pool
 * was full, the audit log failed) gives its place back. Reservations in flight count like failures, so however many
 * attempts arrive at once, at most `limit` are ever judged per key and window.
 *
 * Keys: every attempt counts against its client address. It also counts against its account, unless it carries a
 * valid device token for that account (auth/device-token.ts): then it counts against that token instead, so a guesser
 * who locks the account does not lock out the operator's own browsers. A token that reaches the limit is refused for
 * the window and never spares its holder the account's lockout again.
 *
 * The interface is asynchronous so a database-backed implementation (several server processes, issue 18) can replace
 * the in-memory one below, which is the implementation for a single process: a restart forgets it, which hands a
 * guesser at most one more window.
 */
export type ThrottleScope = 'address' | 'account' | 'device';

export interface SignInAttempt {
  /** The client address's rate-limit key (`clientAddressKey`). Absent for a password change (account only). */
  address?: string | undefined;
  /** The normalised e-mail of the account. */
  account: string;
  /** The identity of a valid device token for this account, when the attempt carried one. */
  device?: { id: string; expiresAt: number } | undefined;
}

/** A reserved attempt; settle it exactly once (further settles do nothing). */
export interface ThrottleTicket {
  /** True when the attempt is counted by its device token instead of its account. */
  readonly trusted: boolean;
}

export type Reservation =
  | { granted: true; ticket: ThrottleTicket }
  | { granted: false; scope: ThrottleScope; retryAfterSeconds: number };

/** `void`: the attempt was never judged (give its place back, count nothing). */
export type Settlement = 'success' | 'failure' | 'void';

export interface SettleResult {
  /** The keys this failure locked (each lockout is reported once, by the failure that starts it). */
  lockedOut: ThrottleScope[];
  /** Seconds until the longest of those lockouts ends (0 when none started). */
  retryAfterSeconds: number;
}

export interface SignInThrottle {
  /**
   * Seconds until the address may try again, when it cannot now (at its limit, counting attempts in flight); else
   * undefined. Lets a flood from one address be refused before its bodies are even read.
   */
  addressPaused(address: string): Promise<number | undefined>;
  reserve(attempt: SignInAttempt): Promise<Reservation>;
  settle(ticket: ThrottleTicket, outcome: Settlement): Promise<SettleResult>;
}

export interface ThrottleOptions {
  /** Failures per key within the window. */
  limit: number;
  windowMs: number;
  now?: (() => number) | undefined;
  /** Most keys remembered (bounds memory under a flood of addresses). */
  maxKeys?: number | undefined;
}

interface TicketState {
  keys: { scope: ThrottleScope; key: string }[];
  device: { id: string; expiresAt: number } | undefined;
  settled: boolean;
}

export function createMemorySignInThrottle(options: ThrottleOptions): SignInThrottle {
  const { limit, windowMs } = options;
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 100_000;
  const failures = createRateLimiter({ limit, windowMs, now, maxKeys });
  const pending = new Map<string, number>();
  /** Device tokens that reached the limit: refused until `lockedUntil`, never trusted again before `forgetAt`. */
  const spent = new Map<string, { lockedUntil: number; forgetAt: number }>();
  const tickets = new WeakMap<ThrottleTicket, TicketState>();

  const pendingOf = (key: string) => pending.get(key) ?? 0;
  const addPending = (key: string, delta: number) => {
    const next = pendingOf(key) + delta;
    if (next > 0) pending.set(key, next);
    else pending.delete(key);
  };

  function rememberSpent(id: string, entry: { lockedUntil: number; forgetAt: number }, at: number) {
    if (spent.size >= maxKeys) {
      for (const [key, value] of spent) {
        if (value.forgetAt <= at || spent.size >= maxKeys) spent.delete(key);
        if (spent.size < maxKeys) break;
      }
    }
    spent.set(id, entry);
  }

  /** Seconds to wait when the key has no room left (failures and attempts in flight), else undefined. */
  function full(key: string): number | undefined {
    const state = failures.peek(key);
    if (state.remaining - pendingOf(key) > 0) return undefined;
    // Full with attempts still being judged: if they fail, the key is locked for a whole window.
    return state.limited ? state.retryAfterSeconds : Math.ceil(windowMs / 1000);
  }

  return {
    async addressPaused(address) {
      return full(`address:${address}`);
    },

    async reserve(attempt) {
      const at = now();
      let device = attempt.device;
      if (device) {
        const burnt = spent.get(device.id);
        if (burnt && at >= burnt.forgetAt) spent.delete(device.id);
        else if (burnt && at < burnt.lockedUntil) {
          return {
            granted: false,
            scope: 'device',
            retryAfterSeconds: Math.max(1, Math.ceil((burnt.lockedUntil - at) / 1000)),
          };
        } else if (burnt) device = undefined; // its lockout is over, but it no longer spares the account's
      }
      const keys: TicketState['keys'] = [];
      if (attempt.address !== undefined) keys.push({ scope: 'address', key: `address:${attempt.address}` });
      keys.push(
        device
          ? { scope: 'device', key: `device:${device.id}` }
          : { scope: 'account', key: `account:${attempt.account}` },
      );
      for (const { scope, key } of keys) {
        const retryAfterSeconds = full(key);
        if (retryAfterSeconds !== undefined) return { granted: false, scope, retryAfterSeconds };
      }
      for (const { key } of keys) addPending(key, 1);
      const ticket: ThrottleTicket = { trusted: device !== undefined };
      tickets.set(ticket, { keys, device, settled: false });
      return { granted: true, ticket };
    },

    async settle(given, outcome) {
      const none: SettleResult = { lockedOut: [], retryAfterSeconds: 0 };
      const ticket = tickets.get(given);
      if (!ticket) throw new Error('Not a ticket of this throttle.');
      if (ticket.settled) return none;
      ticket.settled = true;
      for (const { key } of ticket.keys) addPending(key, -1);
      if (outcome === 'void') return none;
      if (outcome === 'success') {
        // The account's (or the token's) count starts again; the address's does not.
        for (const { scope, key } of ticket.keys) if (scope !== 'address') failures.reset(key);
        return none;
      }
      const at = now();
      const lockedOut: ThrottleScope[] = [];
      let retryAfterSeconds = 0;
      for (const { scope, key } of ticket.keys) {
        const before = failures.peek(key).limited;
        const after = failures.hit(key);
        if (before || !after.limited) continue;
        lockedOut.push(scope);
        retryAfterSeconds = Math.max(retryAfterSeconds, after.retryAfterSeconds);
        if (scope === 'device' && ticket.device) {
          const lockedUntil = at + after.retryAfterSeconds * 1000;
          rememberSpent(
            ticket.device.id,
            { lockedUntil, forgetAt: Math.max(lockedUntil, ticket.device.expiresAt) },
            at,
          );
        }
      }
      return { lockedOut, retryAfterSeconds };
    },
  };
}
