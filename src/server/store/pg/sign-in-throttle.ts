import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type {
  SettleResult,
  SignInThrottle,
  ThrottleOptions,
  ThrottleScope,
  ThrottleTicket,
} from '../../security/sign-in-throttle.ts';
import type { PostgresDatabase, PostgresQueryable } from './database.ts';

/**
 * The sign-in throttle of security/sign-in-throttle.ts kept in PostgreSQL, so every instance counts the same
 * failures: the same reservations, keys, device tokens and Retry-After as the in-memory one. A reservation or a
 * settlement locks its keys (transaction-level advisory locks, always in the same order) before it counts, so
 * attempts arriving at several instances at once are never granted more than `limit` per key.
 */

/** A reservation whose instance never settled it (it died) stops counting after this long. */
const RESERVATION_LEASE_MS = 5 * 60_000;

interface TicketState {
  id: string;
  keys: { scope: ThrottleScope; key: string }[];
  device: { id: string; expiresAt: number } | undefined;
  settled: boolean;
}

const KeyStateSchema = z.object({
  failures: z.number(),
  kth: z.nullable(z.number()),
  pending: z.number(),
});
const SpentSchema = z.object({ locked_until: z.number(), forget_at: z.number() });

/** Rows of limit_events are shared with the rate limits: the throttle's keys carry their own prefix. */
const PREFIX = 'sign-in:';

/** A time the database can hold (a device token that never expires is kept until the end of BIGINT's safe range). */
const storable = (ms: number) => (Number.isFinite(ms) ? Math.round(ms) : Number.MAX_SAFE_INTEGER);

export function createPostgresSignInThrottle(db: PostgresDatabase, options: ThrottleOptions): SignInThrottle {
  const { limit, windowMs } = options;
  const now = options.now ?? (() => Date.now());
  const tickets = new WeakMap<ThrottleTicket, TicketState>();

  /** Lock the keys for this transaction, in one order for everyone (no two transactions wait for each other). */
  async function lock(client: PostgresQueryable, keys: string[]) {
    for (const key of [...new Set(keys)].sort()) {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    }
  }

  /** The key's failures within the window (at most `limit` matter), the limit-th latest, and attempts in flight. */
  async function stateOf(client: PostgresQueryable, key: string, at: number) {
    const { rows } = await client.query(
      `SELECT
         (SELECT count(*) FROM limit_events WHERE key = $1 AND at > $2) AS failures,
         (SELECT at FROM limit_events WHERE key = $1 AND at > $2 ORDER BY at DESC OFFSET $4 LIMIT 1) AS kth,
         (SELECT count(*) FROM limit_reservations WHERE key = $1 AND expires_at > $3) AS pending`,
      [key, at - windowMs, at, limit - 1],
    );
    const row = KeyStateSchema.parse(rows[0]);
    const failures = Math.min(row.failures, limit);
    const limited = failures >= limit;
    return {
      limited,
      remaining: limit - failures,
      pending: row.pending,
      retryAfterSeconds:
        limited && row.kth !== null ? Math.max(1, Math.ceil((row.kth + windowMs - at) / 1000)) : 0,
    };
  }

  /** Seconds to wait when the key has no room left (failures and attempts in flight), else undefined. */
  async function full(client: PostgresQueryable, key: string, at: number): Promise<number | undefined> {
    const state = await stateOf(client, key, at);
    if (state.remaining - state.pending > 0) return undefined;
    // Full with attempts still being judged: if they fail, the key is locked for a whole window.
    return state.limited ? state.retryAfterSeconds : Math.ceil(windowMs / 1000);
  }

  return {
    async addressPaused(address) {
      return full(db, `${PREFIX}address:${address}`, now());
    },

    async reserve(attempt) {
      const at = now();
      const address = attempt.address === undefined ? undefined : `${PREFIX}address:${attempt.address}`;
      const account = `${PREFIX}account:${attempt.account}`;
      const deviceKey = attempt.device ? `${PREFIX}device:${attempt.device.id}` : undefined;
      return db.transaction(async (client) => {
        await lock(
          client,
          [address, account, deviceKey].filter((key): key is string => key !== undefined),
        );
        let device = attempt.device;
        if (device) {
          const { rows } = await client.query(
            'SELECT locked_until, forget_at FROM spent_device_tokens WHERE device_id = $1',
            [device.id],
          );
          const burnt = rows[0] === undefined ? undefined : SpentSchema.parse(rows[0]);
          if (burnt && at >= burnt.forget_at) {
            await client.query('DELETE FROM spent_device_tokens WHERE device_id = $1', [device.id]);
          } else if (burnt && at < burnt.locked_until) {
            return {
              granted: false as const,
              scope: 'device' as const,
              retryAfterSeconds: Math.max(1, Math.ceil((burnt.locked_until - at) / 1000)),
            };
          } else if (burnt) device = undefined; // its lockout is over, but it no longer spares the account's
        }
        const keys: TicketState['keys'] = [];
        if (address !== undefined) keys.push({ scope: 'address', key: address });
        keys.push(
          device && deviceKey !== undefined
            ? { scope: 'device', key: deviceKey }
            : { scope: 'account', key: account },
        );
        for (const { scope, key } of keys) {
          const retryAfterSeconds = await full(client, key, at);
          if (retryAfterSeconds !== undefined) return { granted: false as const, scope, retryAfterSeconds };
        }
        const id = randomUUID();
        await client.query(
          `INSERT INTO limit_reservations (ticket, key, expires_at)
           SELECT $1, key, $3 FROM unnest($2::text[]) AS key`,
          [id, keys.map((k) => k.key), at + RESERVATION_LEASE_MS],
        );
        const ticket: ThrottleTicket = { trusted: device !== undefined };
        tickets.set(ticket, { id, keys, device, settled: false });
        return { granted: true as const, ticket };
      });
    },

    async settle(given, outcome) {
      const none: SettleResult = { lockedOut: [], retryAfterSeconds: 0 };
      const ticket = tickets.get(given);
      if (!ticket) throw new Error('Not a ticket of this throttle.');
      if (ticket.settled) return none;
      ticket.settled = true;
      return db.transaction(async (client) => {
        await lock(
          client,
          ticket.keys.map((k) => k.key),
        );
        await client.query('DELETE FROM limit_reservations WHERE ticket = $1', [ticket.id]);
        if (outcome === 'void') return none;
        if (outcome === 'success') {
          // The account's (or the token's) count starts again; the address's does not.
          const cleared = ticket.keys.filter((k) => k.scope !== 'address').map((k) => k.key);
          await client.query('DELETE FROM limit_events WHERE key = ANY($1::text[])', [cleared]);
          return none;
        }
        const at = now();
        const lockedOut: ThrottleScope[] = [];
        let retryAfterSeconds = 0;
        for (const { scope, key } of ticket.keys) {
          const before = await stateOf(client, key, at);
          await client.query('INSERT INTO limit_events (key, at, expires_at) VALUES ($1, $2, $3)', [
            key,
            at,
            at + windowMs,
          ]);
          // Only the latest `limit` failures within the window can matter: the rest go at once.
          await client.query(
            `DELETE FROM limit_events WHERE key = $1 AND (at <= $2 OR ctid IN (
               SELECT ctid FROM limit_events WHERE key = $1 ORDER BY at DESC OFFSET $3))`,
            [key, at - windowMs, limit],
          );
          const after = await stateOf(client, key, at);
          if (before.limited || !after.limited) continue;
          lockedOut.push(scope);
          retryAfterSeconds = Math.max(retryAfterSeconds, after.retryAfterSeconds);
          if (scope === 'device' && ticket.device) {
            const lockedUntil = at + after.retryAfterSeconds * 1000;
            await client.query(
              `INSERT INTO spent_device_tokens (device_id, locked_until, forget_at) VALUES ($1, $2, $3)
               ON CONFLICT (device_id) DO UPDATE SET locked_until = EXCLUDED.locked_until,
                 forget_at = EXCLUDED.forget_at`,
              [ticket.device.id, lockedUntil, storable(Math.max(lockedUntil, ticket.device.expiresAt))],
            );
          }
        }
        return { lockedOut, retryAfterSeconds };
      });
    },
  };
}

/** Forget what no longer counts: failures past their window, reservations past their lease, spent tokens. */
export async function purgeSignInThrottle(db: PostgresDatabase, at: number): Promise<number> {
  const events = await db.query('DELETE FROM limit_events WHERE expires_at <= $1', [at]);
  const reservations = await db.query('DELETE FROM limit_reservations WHERE expires_at <= $1', [at]);
  const spent = await db.query('DELETE FROM spent_device_tokens WHERE forget_at <= $1', [at]);
  return (events.rowCount ?? 0) + (reservations.rowCount ?? 0) + (spent.rowCount ?? 0);
}
