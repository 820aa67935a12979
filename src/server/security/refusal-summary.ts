/**
 * Sign-in attempts refused without being judged (the address, account or device token is paused; the hash pool is
 * full) are not logged one by one, or a flood could fill the disk: they are counted per client address, and each
 * address gets one summary line per window in which it had any, written when that window ends.
 */
export type RefusalReason = 'paused' | 'busy';

export interface RefusalSummaryLine {
  /** The client address's rate-limit key (IPv4, or an IPv6 /64). */
  address: string;
  paused: number;
  busy: number;
  /** When the window this line covers began (ISO 8601). */
  since: string;
  windowMinutes: number;
}

export interface RefusalSummary {
  count(address: string, reason: RefusalReason): void;
  /** Write the lines of windows that have ended. */
  flush(): void;
  /** Write every line still open (also those whose window has not ended) and stop the timer. */
  close(): void;
}

export interface RefusalSummaryOptions {
  windowMs: number;
  write(line: RefusalSummaryLine): void;
  now?: (() => number) | undefined;
  /** Most addresses counted at once; beyond it the oldest window is written early. */
  maxKeys?: number | undefined;
}

interface Bucket {
  since: number;
  paused: number;
  busy: number;
}

export function createRefusalSummary(options: RefusalSummaryOptions): RefusalSummary {
  const { windowMs, write } = options;
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 10_000;
  // Insertion order is opening order, so the windows that end first are at the front.
  const buckets = new Map<string, Bucket>();

  const emit = (address: string, bucket: Bucket) => {
    buckets.delete(address);
    write({
      address,
      paused: bucket.paused,
      busy: bucket.busy,
      since: new Date(bucket.since).toISOString(),
      windowMinutes: Math.round(windowMs / 60_000),
    });
  };

  function flush() {
    const at = now();
    for (const [address, bucket] of buckets) {
      if (at - bucket.since < windowMs) break;
      emit(address, bucket);
    }
  }

  const timer = setInterval(flush, Math.min(windowMs, 60_000));
  timer.unref();

  return {
    count(address, reason) {
      flush();
      let bucket = buckets.get(address);
      if (!bucket) {
        if (buckets.size >= maxKeys) {
          const [oldest] = buckets;
          if (oldest) emit(...oldest);
        }
        bucket = { since: now(), paused: 0, busy: 0 };
        buckets.set(address, bucket);
      }
      bucket[reason] += 1;
    },
    flush,
    close() {
      clearInterval(timer);
      for (const entry of [...buckets]) emit(...entry);
    },
  };
}
