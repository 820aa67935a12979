import { isIPv4, isIPv6 } from 'node:net';

/**
 * A sliding-window rate limiter kept in memory: for each key it remembers the times of the last `limit` events,
 * so "at most `limit` events in any `windowMs`" is exact and memory per key is bounded. The state is lost on restart,
 * which is acceptable for throttling (a restart does not hand an attacker more than one extra window).
 */
export interface RateLimitState {
  /** True when the key has used up its allowance: refuse the request. */
  limited: boolean;
  /** Events left in the current window. */
  remaining: number;
  /** Whole seconds until one more event is allowed (0 when not limited). For the `Retry-After` header. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Record one event for the key and return the state after it. */
  hit(key: string): RateLimitState;
  /** The key's state without recording anything. */
  peek(key: string): RateLimitState;
  /** Forget the key (for example after a successful sign-in). */
  reset(key: string): void;
  /** Number of keys held (for tests and metrics). */
  size(): number;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Most keys remembered; beyond it the stalest keys are dropped (bounds memory under a flood of addresses). */
  maxKeys?: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs } = options;
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive whole number');
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  // Map iteration order is insertion order; a key is re-inserted on every hit, so the first keys are the stalest.
  // Each key's log holds its event times in order from `head` on; expired times are skipped by moving `head` (and
  // the array is compacted now and then), so a hit or a peek costs O(1) amortised and allocates nothing.
  const events = new Map<string, EventLog>();

  function recent(key: string, at: number): EventLog | undefined {
    const log = events.get(key);
    if (!log) return undefined;
    const { times } = log;
    while (log.head < times.length && at - (times[log.head] ?? at) >= windowMs) log.head += 1;
    if (log.head === times.length) {
      events.delete(key);
      return undefined;
    }
    if (log.head > 64 && log.head * 2 > times.length) {
      log.times = times.slice(log.head);
      log.head = 0;
    }
    return log;
  }

  function stateOf(log: EventLog | undefined, at: number): RateLimitState {
    const count = log ? log.times.length - log.head : 0;
    const limited = count >= limit;
    const oldest = log?.times[log.times.length - limit] ?? at;
    return {
      limited,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds: limited ? Math.max(1, Math.ceil((oldest + windowMs - at) / 1000)) : 0,
    };
  }

  function sweep(at: number) {
    for (const key of events.keys()) {
      if (events.size < maxKeys) break;
      recent(key, at);
      if (events.size >= maxKeys) events.delete(key);
    }
  }

  return {
    hit(key) {
      const at = now();
      const log = recent(key, at) ?? { times: [], head: 0 };
      log.times.push(at);
      // Only the last `limit` events can matter.
      if (log.times.length - log.head > limit) log.head = log.times.length - limit;
      events.delete(key);
      if (events.size >= maxKeys) sweep(at);
      events.set(key, log);
      return stateOf(log, at);
    },
    peek(key) {
      const at = now();
      return stateOf(recent(key, at), at);
    },
    reset(key) {
      events.delete(key);
    },
    size() {
      return events.size;
    },
  };
}

interface EventLog {
  times: number[];
  head: number;
}

/** Expand an IPv6 address to its eight 16-bit groups (undefined when it is not IPv6). */
export function ipv6Groups(address: string): number[] | undefined {
  const bare = address.split('%')[0] ?? '';
  if (!isIPv6(bare)) return undefined;
  // An embedded IPv4 tail (::ffff:192.0.2.1) is rewritten as the two hex groups it stands for.
  const text = bare
    .toLowerCase()
    .replace(
      /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/,
      (_all, a: string, b: string, c: string, d: string) => {
        const hex = (x: string, y: string) => ((Number(x) << 8) | Number(y)).toString(16);
        return `${hex(a, b)}:${hex(c, d)}`;
      },
    );
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const halves = text.split('::');
  const head = parse(halves[0] ?? '');
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = parse(halves[1] ?? '');
  const zeros = 8 - head.length - tail.length;
  if (zeros < 1) return undefined;
  return [...head, ...Array.from({ length: zeros }, () => 0), ...tail];
}

/**
 * The key a client address is rate limited by: an IPv4 address as is; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`) as the IPv4 address it carries; any other IPv6 address by its /64 network, because
 * one subscriber usually holds a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function clientAddressKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return `other:${address}`;
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * A rate limit that may be shared by several instances (store/limits.ts): one call counts an event unless the key is
 * at its limit, atomically. A refused event is not counted, so a client that waits Retry-After gets in again.
 */
export interface SharedRateLimit {
  take(key: string): Promise<RateLimitState>;
}

/** The shared rate limit of one process (SQLite), over createRateLimiter. */
export function createMemoryRateLimit(options: RateLimiterOptions): SharedRateLimit {
  const limiter = createRateLimiter(options);
  return {
    async take(key) {
      const state = limiter.peek(key);
      if (state.limited) return state;
      const after = limiter.hit(key);
      return { limited: false, remaining: after.remaining, retryAfterSeconds: 0 };
    },
  };
}
