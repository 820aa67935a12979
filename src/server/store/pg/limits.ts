import * as z from 'zod/mini';
import type { RateLimiterOptions, SharedRateLimit } from '../../security/rate-limit.ts';
import type { LimitStore } from '../limits.ts';
import type { PostgresDatabase } from './database.ts';
import { createPostgresSignInThrottle, purgeSignInThrottle } from './sign-in-throttle.ts';

/** The throttles and rate limits in PostgreSQL: every instance on the database counts the same events. */
export function createPostgresLimitStore(db: PostgresDatabase): LimitStore {
  return {
    signInThrottle: (options) => createPostgresSignInThrottle(db, options),
    rateLimit: (name, options) => createPostgresRateLimit(db, name, options),
    purgeExpired: (now) => purgeSignInThrottle(db, now),
  };
}

const TakeSchema = z.object({ allowed: z.boolean(), remaining: z.number(), retry_after_ms: z.number() });

/** One statement per event: limit_take (migration 10) counts it under a lock on the key, or refuses it. */
export function createPostgresRateLimit(
  db: PostgresDatabase,
  name: string,
  options: RateLimiterOptions,
): SharedRateLimit {
  const { limit, windowMs } = options;
  const now = options.now ?? (() => Date.now());
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive whole number');
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  return {
    async take(key) {
      const { rows } = await db.query('SELECT * FROM limit_take($1, $2, $3, $4)', [
        `${name}:${key}`,
        now(),
        windowMs,
        limit,
      ]);
      const row = TakeSchema.parse(rows[0]);
      if (row.allowed) return { limited: false, remaining: row.remaining, retryAfterSeconds: 0 };
      return {
        limited: true,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil(row.retry_after_ms / 1000)),
      };
    },
  };
}
