import {
  createMemoryRateLimit,
  type RateLimiterOptions,
  type SharedRateLimit,
} from '../security/rate-limit.ts';
import {
  createMemorySignInThrottle,
  type SignInThrottle,
  type ThrottleOptions,
} from '../security/sign-in-throttle.ts';

/**
 * The throttles and rate limits, where the store keeps them: in this process's memory beside SQLite (one instance
 * owns the file), in PostgreSQL for every instance sharing it (pg/limits.ts).
 */
export interface LimitStore {
  signInThrottle(options: ThrottleOptions): SignInThrottle;
  /** A rate limit; `name` keeps its keys apart from every other limit's. */
  rateLimit(name: string, options: RateLimiterOptions): SharedRateLimit;
  /** Forget what no longer counts (run periodically). Returns how many entries went. */
  purgeExpired(now: number): Promise<number>;
}

export function createMemoryLimitStore(): LimitStore {
  return {
    signInThrottle: (options) => createMemorySignInThrottle(options),
    rateLimit: (_name, options) => createMemoryRateLimit(options),
    // Each memory limit bounds itself (maxKeys) and forgets as it goes.
    purgeExpired: async () => 0,
  };
}
